/**
 * The two WebSocket wire formats of Jupyter kernel connections, both ways.
 *
 * - **Legacy** (`""`, no subprotocol; jupyter_server's and JupyterLab's
 *   default): a message without buffers is a JSON text frame of the whole
 *   message; a message with buffers is a binary frame:
 *
 *   ```text
 *   uint32 BE  nbufs                  (= 1 + number of buffers)
 *   uint32 BE  offsets[nbufs]         (offsets[0] = 4 * (nbufs + 1): start of the JSON;
 *                                      offsets[i] = start of buffer i; each part ends where
 *                                      the next begins, the last at the end of the frame)
 *   UTF-8 JSON of the message without `buffers`
 *   buffer 1 … buffer n
 *   ```
 *
 * - **`v1.kernel.websocket.jupyter.org`**: always a binary frame:
 *
 *   ```text
 *   uint64 LE  offset_number          (= 6 + number of buffers)
 *   uint64 LE  offsets[offset_number] (start of channel = 8 * (offset_number + 1),
 *                                      end of channel, end of header, end of parent_header,
 *                                      end of metadata, end of content, end of each buffer)
 *   UTF-8 channel name, JSON header, JSON parent_header, JSON metadata, JSON content
 *   buffer 1 … buffer n
 *   ```
 *
 * Browser-safe: `TextEncoder`, `TextDecoder`, `DataView` and `Uint8Array` only.
 *
 * @module
 */
import { WireFormatError } from "./errors.js";
import type { Channel, JupyterMessage } from "./messages.js";

/** The subprotocol name of the v1 kernel WebSocket format. */
export const V1_KERNEL_WEBSOCKET_PROTOCOL = "v1.kernel.websocket.jupyter.org";

/**
 * A kernel WebSocket format: `""` is the legacy format (no subprotocol
 * negotiated), the other is the v1 subprotocol. Pass `webSocket.protocol`.
 */
export type WebSocketProtocol = "" | "v1.kernel.websocket.jupyter.org";

/** A binary buffer to send: any view (only its own bytes travel) or a whole `ArrayBuffer`. */
export type WireBuffer = ArrayBufferView | ArrayBuffer;

/**
 * A message to serialize: a {@link JupyterMessage} with its channel. Buffers
 * may be any `ArrayBufferView` (a `Uint8Array` over part of a larger buffer,
 * a `Float64Array`, a `DataView`…) or an `ArrayBuffer`; exactly the bytes
 * the view covers are sent.
 */
export type OutgoingWebSocketMessage<T extends string = string> = Omit<JupyterMessage<T>, "buffers" | "channel"> & {
  channel: Channel;
  buffers?: readonly WireBuffer[] | undefined;
};

/**
 * A deserialized message: always has a `channel` and a `buffers` array
 * (empty when none). The buffers are `Uint8Array` views into the input
 * payload, not copies: copy them (`buf.slice()`) to keep them past the
 * payload's lifetime or to modify the payload independently.
 */
export type WebSocketMessage = JupyterMessage & { channel: Channel; buffers: Uint8Array[] };

const CHANNELS: ReadonlySet<string> = new Set<Channel>(["shell", "control", "iopub", "stdin"]);
const CHANNEL_LIST = "shell, control, iopub, stdin";

/** Largest offset the legacy format's uint32 table can hold. */
const MAX_UINT32 = 0xffff_ffff;
const TWO_POW_32 = 0x1_0000_0000;

const encoder = /* @__PURE__ */ new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: keep a BOM so that it
// fails like Python's json.loads does, instead of silently vanishing.
const decoder = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

/**
 * Serializes a message for a kernel WebSocket in the given format.
 *
 * Legacy (`""`, the default): a JSON string when the message has no buffers
 * (byte-for-byte `JSON.stringify(msg)`), otherwise the binary frame.
 * v1: always a binary frame. Binary frames are freshly allocated
 * `Uint8Array`s whose `byteLength` is exactly the frame size (their
 * `buffer` holds nothing else). The message is not modified.
 *
 * @param protocol the negotiated subprotocol: pass `webSocket.protocol`.
 * @throws WireFormatError when the message cannot be encoded: unknown
 *   channel, header not an object, content or metadata not JSON-encodable,
 *   a buffer that is not an `ArrayBuffer`/view, or (legacy) a frame over 4 GiB.
 *
 * @example
 * ```ts
 * const ws = new WebSocket(url, [V1_KERNEL_WEBSOCKET_PROTOCOL]);
 * const msg = {
 *   channel: "shell",
 *   header: msgHeader("comm_msg", { session }),
 *   parent_header: {},
 *   metadata: {},
 *   content: { comm_id, data: {} },
 *   buffers: [new Float64Array([1, 2, 3])],
 * } as const;
 * ws.send(serializeWebSocketMessage(msg, ws.protocol as WebSocketProtocol));
 * ws.binaryType = "arraybuffer";
 * ws.onmessage = (ev) => {
 *   const reply = deserializeWebSocketMessage(ev.data, ws.protocol as WebSocketProtocol);
 *   console.log(reply.channel, reply.header.msg_type, reply.buffers.length);
 * };
 * ```
 */
export function serializeWebSocketMessage<T extends string>(
  msg: OutgoingWebSocketMessage<T>,
  protocol: WebSocketProtocol = "",
): string | Uint8Array<ArrayBuffer> {
  if (protocol === "") return serializeLegacy(msg);
  if (protocol === V1_KERNEL_WEBSOCKET_PROTOCOL) return serializeV1(msg);
  throw unknownProtocol(protocol);
}

/**
 * Deserializes a frame received on a kernel WebSocket in the given format.
 *
 * Accepts a string (legacy text frame), an `ArrayBuffer` or any
 * `ArrayBufferView` (only the bytes the view covers are read). Set
 * `webSocket.binaryType = "arraybuffer"` to get `ArrayBuffer`s in browsers.
 * The returned buffers are `Uint8Array` views into the input, not copies.
 *
 * @param protocol the negotiated subprotocol: pass `webSocket.protocol`.
 * @throws WireFormatError when the frame is malformed: truncated, offsets out
 *   of range or decreasing, invalid UTF-8 or JSON, a part that is not a JSON
 *   object, a missing header, an unknown channel.
 *
 * @example
 * ```ts
 * const frame = serializeWebSocketMessage(msg, V1_KERNEL_WEBSOCKET_PROTOCOL);
 * const back = deserializeWebSocketMessage(frame, V1_KERNEL_WEBSOCKET_PROTOCOL);
 * back.buffers[0]; // Uint8Array view into `frame`
 * ```
 */
export function deserializeWebSocketMessage(
  data: string | ArrayBufferLike | ArrayBufferView,
  protocol: WebSocketProtocol = "",
): WebSocketMessage {
  if (protocol === "") return deserializeLegacy(data);
  if (protocol === V1_KERNEL_WEBSOCKET_PROTOCOL) return deserializeV1(data);
  throw unknownProtocol(protocol);
}

// ---------------------------------------------------------------------------
// Legacy format
// ---------------------------------------------------------------------------

/**
 * Serializes a message in the legacy format: `JSON.stringify(msg)` when it has
 * no buffers (an empty `buffers` array stays in the JSON, as JupyterLab and
 * jupyter_server send it), otherwise the binary frame with the JSON of the
 * message minus `buffers` (key order kept) followed by the buffers' bytes.
 *
 * @throws WireFormatError see {@link serializeWebSocketMessage}.
 */
export function serializeLegacy<T extends string>(msg: OutgoingWebSocketMessage<T>): string | Uint8Array<ArrayBuffer> {
  checkOutgoing(msg);
  const buffers = msg.buffers;
  if (buffers === undefined || buffers.length === 0) return stringify(msg, "the message");

  const { buffers: _omitted, ...rest } = msg;
  const json = encoder.encode(stringify(rest, "the message"));
  const parts = toByteViews(buffers);
  const nbufs = parts.length + 1;
  const jsonStart = 4 * (nbufs + 1);

  let end = jsonStart + json.byteLength;
  let lastStart = jsonStart;
  for (const part of parts) {
    lastStart = end;
    end += part.byteLength;
  }
  if (lastStart > MAX_UINT32) {
    throw new WireFormatError(
      `message too large for the legacy WebSocket format: the last buffer starts at byte ${lastStart}, past the 32-bit offset limit; use the ${V1_KERNEL_WEBSOCKET_PROTOCOL} protocol`,
    );
  }

  const out = new Uint8Array(end);
  const view = new DataView(out.buffer);
  view.setUint32(0, nbufs);
  view.setUint32(4, jsonStart);
  out.set(json, jsonStart);
  let pos = jsonStart + json.byteLength;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Uint8Array;
    view.setUint32(4 * (i + 2), pos);
    out.set(part, pos);
    pos += part.byteLength;
  }
  return out;
}

/**
 * Deserializes a legacy-format frame: a JSON text frame, or the binary frame.
 * A binary payload that starts with `{` is read as UTF-8 JSON text (Node's
 * `ws` hands text frames over as bytes; a real binary frame cannot start with
 * `{`, as that would announce over two billion parts).
 *
 * Top-level fields other than the message's (such as `msg_id`, `msg_type`)
 * are kept. A missing or `null` channel means `"shell"`, as jupyter_server
 * assumes; a `null` parent_header becomes `{}`.
 *
 * @throws WireFormatError see {@link deserializeWebSocketMessage}.
 */
export function deserializeLegacy(data: string | ArrayBufferLike | ArrayBufferView): WebSocketMessage {
  if (typeof data === "string") return finishLegacy(parseJson(data, "legacy text message"), []);
  const bytes = toBytes(data);
  const n = bytes.byteLength;
  if (n > 0 && bytes[0] === 0x7b /* { */) {
    return finishLegacy(parseJson(decodeUtf8(bytes, "legacy text message"), "legacy text message"), []);
  }
  if (n < 8) {
    throw new WireFormatError(
      `legacy binary message too short: ${n} bytes, need at least 8 (nbufs and one offset)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const nbufs = view.getUint32(0);
  if (nbufs === 0) throw new WireFormatError("legacy binary message: nbufs is 0, need at least 1 (the JSON part)");
  const tableEnd = 4 * (nbufs + 1);
  if (tableEnd > n) {
    throw new WireFormatError(
      `legacy binary message: nbufs ${nbufs} needs a ${tableEnd}-byte offset table, but the message has only ${n} bytes`,
    );
  }
  const starts: number[] = new Array<number>(nbufs);
  let previous = tableEnd;
  for (let i = 0; i < nbufs; i++) {
    const offset = view.getUint32(4 * (i + 1));
    if (i === 0 && offset !== tableEnd) {
      throw new WireFormatError(
        `legacy binary message: offset 0 (start of the JSON) is ${offset}, expected ${tableEnd} (4 * (nbufs + 1) with nbufs ${nbufs})`,
      );
    }
    if (offset < previous) {
      throw new WireFormatError(
        `legacy binary message: offset ${i} is ${offset}, less than offset ${i - 1} (${previous}); offsets must not decrease`,
      );
    }
    if (offset > n) {
      throw new WireFormatError(
        `legacy binary message: offset ${i} is ${offset}, past the end of the ${n}-byte message`,
      );
    }
    starts[i] = offset;
    previous = offset;
  }
  const buffers: Uint8Array[] = new Array<Uint8Array>(nbufs - 1);
  for (let i = 1; i < nbufs; i++) {
    const end = i + 1 < nbufs ? (starts[i + 1] as number) : n;
    buffers[i - 1] = bytes.subarray(starts[i] as number, end);
  }
  const jsonEnd = nbufs > 1 ? (starts[1] as number) : n;
  const text = decodeUtf8(bytes.subarray(tableEnd, jsonEnd), "legacy binary message JSON part");
  return finishLegacy(parseJson(text, "legacy binary message JSON part"), buffers);
}

// ---------------------------------------------------------------------------
// v1.kernel.websocket.jupyter.org
// ---------------------------------------------------------------------------

/**
 * Serializes a message in the `v1.kernel.websocket.jupyter.org` format. Only
 * channel, header, parent_header (`null` or missing sends `{}`), metadata,
 * content and buffers travel; other top-level fields are dropped.
 *
 * @throws WireFormatError see {@link serializeWebSocketMessage}.
 */
export function serializeV1<T extends string>(msg: OutgoingWebSocketMessage<T>): Uint8Array<ArrayBuffer> {
  checkOutgoing(msg);
  const channel: string = msg.channel;
  const header = stringify(msg.header, "header");
  const parentHeader = msg.parent_header == null ? "{}" : stringify(msg.parent_header, "parent_header");
  const metadata = stringify(msg.metadata, "metadata");
  const content = stringify(msg.content, "content");
  const parts = msg.buffers === undefined ? [] : toByteViews(msg.buffers);

  // Encode each part once (native encoding beats computing UTF-8 lengths in
  // JavaScript), then allocate the frame once and copy.
  const encoded = [channel, header, parentHeader, metadata, content].map((text) => encoder.encode(text));
  const offsetNumber = 6 + parts.length;
  const start = 8 * (offsetNumber + 1);
  let total = start;
  for (const part of encoded) total += part.byteLength;
  for (const part of parts) total += part.byteLength;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  setUint64(view, 0, offsetNumber);
  setUint64(view, 8, start);
  let pos = start;
  for (let i = 0; i < encoded.length; i++) {
    const part = encoded[i] as Uint8Array;
    out.set(part, pos);
    pos += part.byteLength;
    setUint64(view, 8 * (i + 2), pos);
  }
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Uint8Array;
    out.set(part, pos);
    pos += part.byteLength;
    setUint64(view, 8 * (i + 7), pos);
  }
  return out;
}

/**
 * Deserializes a `v1.kernel.websocket.jupyter.org` frame. Stricter than
 * jupyter_server's reader: the first offset must be right after the table
 * and the last one at the end of the frame (no gaps, no trailing bytes).
 *
 * @throws WireFormatError see {@link deserializeWebSocketMessage}.
 */
export function deserializeV1(data: string | ArrayBufferLike | ArrayBufferView): WebSocketMessage {
  if (typeof data === "string") {
    throw new WireFormatError(
      `${V1_KERNEL_WEBSOCKET_PROTOCOL} messages are binary, got a ${data.length}-character text frame`,
    );
  }
  const bytes = toBytes(data);
  const n = bytes.byteLength;
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  if (n < 8) throw new WireFormatError(`v1 message too short: ${n} bytes, need at least 8 for offset_number`);
  const offsetNumber = getUint64(view, 0);
  if (offsetNumber < 6) {
    throw new WireFormatError(
      `v1 message: offset_number is ${offsetNumber}, need at least 6 (channel start, then the ends of channel, header, parent_header, metadata and content)`,
    );
  }
  // Compare without multiplying first: offset_number may be up to 2**64.
  if (offsetNumber > n / 8 - 1) {
    throw new WireFormatError(
      `v1 message: offset_number ${offsetNumber} needs a ${8 * (offsetNumber + 1)}-byte offset table, but the message has only ${n} bytes`,
    );
  }
  const tableEnd = 8 * (offsetNumber + 1);
  const offsets: number[] = new Array<number>(offsetNumber);
  let previous = tableEnd;
  for (let i = 0; i < offsetNumber; i++) {
    const offset = getUint64(view, 8 * (i + 1));
    if (i === 0 && offset !== tableEnd) {
      throw new WireFormatError(
        `v1 message: offset 0 (start of the channel) is ${offset}, expected ${tableEnd} (8 * (offset_number + 1) with offset_number ${offsetNumber})`,
      );
    }
    if (offset < previous) {
      throw new WireFormatError(
        `v1 message: offset ${i} is ${offset}, less than offset ${i - 1} (${previous}); offsets must not decrease`,
      );
    }
    if (offset > n) {
      throw new WireFormatError(`v1 message: offset ${i} is ${offset}, past the end of the ${n}-byte message`);
    }
    offsets[i] = offset;
    previous = offset;
  }
  if (previous !== n) {
    throw new WireFormatError(
      `v1 message: the last offset is ${previous}, but the message has ${n} bytes (${n - previous} trailing bytes)`,
    );
  }
  const part = (i: number): Uint8Array => bytes.subarray(offsets[i] as number, offsets[i + 1] as number);

  const channel = decodeUtf8(part(0), "v1 channel");
  if (!CHANNELS.has(channel)) {
    throw new WireFormatError(`v1 message: channel ${JSON.stringify(channel)} is not one of ${CHANNEL_LIST}`);
  }
  const header = parseJson(decodeUtf8(part(1), "v1 header"), "v1 header");
  const parentHeader = parseJson(decodeUtf8(part(2), "v1 parent_header"), "v1 parent_header");
  const metadata = parseJson(decodeUtf8(part(3), "v1 metadata"), "v1 metadata");
  const content = parseJson(decodeUtf8(part(4), "v1 content"), "v1 content");
  requireObject(header, "v1 message: header");
  if (parentHeader !== null) requireObject(parentHeader, "v1 message: parent_header");
  requireObject(metadata, "v1 message: metadata");
  requireObject(content, "v1 message: content");

  const buffers: Uint8Array[] = new Array<Uint8Array>(offsetNumber - 6);
  for (let i = 5; i < offsetNumber - 1; i++) buffers[i - 5] = part(i);
  return {
    channel: channel as Channel,
    header,
    parent_header: parentHeader ?? {},
    metadata,
    content,
    buffers,
  } as unknown as WebSocketMessage;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function unknownProtocol(protocol: unknown): WireFormatError {
  return new WireFormatError(
    `unknown kernel WebSocket protocol ${JSON.stringify(protocol)}; expected "" (legacy) or "${V1_KERNEL_WEBSOCKET_PROTOCOL}"`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function requireObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (!isObject(value)) throw new WireFormatError(`${what} must be a JSON object, got ${describe(value)}`);
}

/** The checks both serializers share: a known channel and a header object. */
function checkOutgoing(msg: { channel?: unknown; header?: unknown }): void {
  if (!isObject(msg)) throw new WireFormatError(`cannot serialize ${describe(msg)}: expected a message object`);
  if (typeof msg.channel !== "string" || !CHANNELS.has(msg.channel)) {
    throw new WireFormatError(`cannot serialize: channel ${describe(msg.channel)} is not one of ${CHANNEL_LIST}`);
  }
  if (!isObject(msg.header)) {
    throw new WireFormatError(`cannot serialize: header must be an object, got ${describe(msg.header)}`);
  }
}

function stringify(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new WireFormatError(`cannot serialize: ${what} is not JSON-encodable (${errorText(cause)})`, { cause });
  }
  if (json === undefined) throw new WireFormatError(`cannot serialize: ${what} is ${describe(value)}, not a JSON value`);
  return json;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const sample = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new WireFormatError(`${what} is not valid JSON (${errorText(cause)}): ${JSON.stringify(sample)}`, {
      cause,
    });
  }
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    // Browsers refuse to decode views of a SharedArrayBuffer: copy and retry.
    if (typeof SharedArrayBuffer !== "undefined" && bytes.buffer instanceof SharedArrayBuffer) {
      return decodeUtf8(bytes.slice(), what);
    }
    throw new WireFormatError(`${what} is not valid UTF-8 (${bytes.byteLength} bytes)`, { cause });
  }
}

/** Normalizes a parsed legacy message and attaches its buffers. */
function finishLegacy(parsed: unknown, buffers: Uint8Array[]): WebSocketMessage {
  requireObject(parsed, "legacy message");
  const channel = parsed.channel ?? "shell";
  if (typeof channel !== "string" || !CHANNELS.has(channel)) {
    throw new WireFormatError(`legacy message: channel ${describe(channel)} is not one of ${CHANNEL_LIST}`);
  }
  parsed.channel = channel;
  if (parsed.header === undefined) throw new WireFormatError("legacy message has no header");
  requireObject(parsed.header, "legacy message: header");
  if (parsed.parent_header == null) parsed.parent_header = {};
  else requireObject(parsed.parent_header, "legacy message: parent_header");
  requireObject(parsed.metadata, "legacy message: metadata");
  requireObject(parsed.content, "legacy message: content");
  const jsonBuffers = parsed.buffers;
  if (jsonBuffers !== undefined && !(Array.isArray(jsonBuffers) && jsonBuffers.length === 0)) {
    throw new WireFormatError(
      `legacy message: the JSON has 'buffers' set to ${describe(jsonBuffers)}; binary buffers travel only in the binary frame format`,
    );
  }
  parsed.buffers = buffers;
  return parsed as unknown as WebSocketMessage;
}

/** The bytes of a received payload, as a view (no copy). */
function toBytes(data: unknown): Uint8Array {
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (isArrayBuffer(data)) return new Uint8Array(data);
  throw new WireFormatError(
    `cannot deserialize ${describe(data)}: expected a string, an ArrayBuffer or an ArrayBufferView`,
  );
}

/** Works across realms (iframes, workers, test DOMs), unlike `instanceof`. */
function isArrayBuffer(value: unknown): value is ArrayBufferLike {
  const tag = Object.prototype.toString.call(value);
  return tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]";
}

/** Each buffer as a `Uint8Array` over exactly its own bytes. */
function toByteViews(buffers: readonly unknown[]): Uint8Array[] {
  if (!Array.isArray(buffers)) {
    throw new WireFormatError(`cannot serialize: buffers must be an array, got ${describe(buffers)}`);
  }
  const views = new Array<Uint8Array>(buffers.length);
  for (let i = 0; i < buffers.length; i++) {
    const b: unknown = buffers[i];
    try {
      if (ArrayBuffer.isView(b)) views[i] = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      else if (isArrayBuffer(b)) views[i] = new Uint8Array(b);
      else throw new TypeError(`got ${describe(b)}`);
    } catch (cause) {
      throw new WireFormatError(
        `cannot serialize: buffers[${i}] is not a usable ArrayBuffer or ArrayBufferView (${errorText(cause)})`,
        { cause },
      );
    }
  }
  return views;
}

function setUint64(view: DataView, pos: number, value: number): void {
  view.setUint32(pos, value >>> 0, true);
  view.setUint32(pos + 4, Math.floor(value / TWO_POW_32), true);
}

/** A little-endian uint64 as a number; values past 2**53 lose precision but are far out of any range check. */
function getUint64(view: DataView, pos: number): number {
  return view.getUint32(pos, true) + view.getUint32(pos + 4, true) * TWO_POW_32;
}
