import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { seededRandom } from "@jupyter-ts/testing";
import { WireFormatError } from "../src/errors.js";
import type { Channel, MessageHeader } from "../src/messages.js";
import {
  V1_KERNEL_WEBSOCKET_PROTOCOL,
  deserializeLegacy,
  deserializeV1,
  deserializeWebSocketMessage,
  serializeLegacy,
  serializeV1,
  serializeWebSocketMessage,
  type OutgoingWebSocketMessage,
  type WebSocketMessage,
  type WebSocketProtocol,
} from "../src/websocket.js";

// ---------------------------------------------------------------------------
// The oracle: JupyterLab's serializer (CommonJS).
// ---------------------------------------------------------------------------

interface OracleMessage {
  channel: string;
  header: object;
  parent_header: object;
  metadata: object;
  content: object;
  buffers?: (ArrayBuffer | ArrayBufferView)[] | undefined;
  [key: string]: unknown;
}
interface Oracle {
  serialize(msg: OracleMessage, protocol?: string): string | ArrayBuffer;
  deserialize(data: string | ArrayBuffer, protocol?: string): OracleMessage;
}
const require = createRequire(import.meta.url);
const jlab = require("@jupyterlab/services/lib/kernel/serialize.js") as Oracle;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const PROTOCOLS: readonly WebSocketProtocol[] = ["", V1_KERNEL_WEBSOCKET_PROTOCOL];
const V1 = V1_KERNEL_WEBSOCKET_PROTOCOL;

function header(msgType = "comm_msg", extra: Partial<MessageHeader> = {}): MessageHeader {
  return {
    msg_id: "a1b2c3d4-0000-4000-8000-000000000001",
    msg_type: msgType,
    username: "user",
    session: "s-0001",
    date: "2024-05-06T07:08:09.123456Z",
    version: "5.4",
    ...extra,
  };
}

function message(
  overrides: Partial<OutgoingWebSocketMessage> = {},
): OutgoingWebSocketMessage & { buffers?: Uint8Array[] } {
  return {
    channel: "shell",
    header: header(),
    parent_header: header("comm_open", { msg_id: "parent-1" }),
    metadata: { trusted: true },
    content: { comm_id: "c1", data: { method: "update", state: { value: 42 } } },
    ...overrides,
  } as OutgoingWebSocketMessage & { buffers?: Uint8Array[] };
}

/** Exactly the bytes a view covers, as a fresh array. */
function bytesOf(b: ArrayBuffer | ArrayBufferView): number[] {
  return ArrayBuffer.isView(b) ? Array.from(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) : Array.from(new Uint8Array(b));
}

function u8(...values: number[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(values);
}

/** A whole-buffer Uint8Array of `n` bytes, filled with a pattern. */
function pattern(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

/** The message without buffers, as plain JSON data (for deep equality). */
function withoutBuffers(msg: object): Record<string, unknown> {
  const { buffers: _b, ...rest } = msg as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

function expectWireError(fn: () => unknown, pattern?: RegExp): WireFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a WireFormatError").toBeInstanceOf(WireFormatError);
  const error = caught as WireFormatError;
  expect(error.code).toBe("ERR_WIRE_FORMAT");
  if (pattern) expect(error.message).toMatch(pattern);
  return error;
}

function asBytes(frame: string | Uint8Array): Uint8Array {
  expect(frame).toBeInstanceOf(Uint8Array);
  return frame as Uint8Array;
}

function roundTrip(msg: OutgoingWebSocketMessage, protocol: WebSocketProtocol): WebSocketMessage {
  return deserializeWebSocketMessage(serializeWebSocketMessage(msg, protocol), protocol);
}

/** The v1 offset table of a frame. */
function v1Offsets(frame: Uint8Array): number[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const n = Number(view.getBigUint64(0, true));
  return Array.from({ length: n }, (_, i) => Number(view.getBigUint64(8 * (i + 1), true)));
}

/** The legacy nbufs and offsets of a binary frame. */
function legacyTable(frame: Uint8Array): number[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nbufs = view.getUint32(0);
  return [nbufs, ...Array.from({ length: nbufs }, (_, i) => view.getUint32(4 * (i + 1)))];
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

describe.each(PROTOCOLS)("round trips (protocol %j)", (protocol) => {
  it("a message without buffers", () => {
    const msg = message();
    const back = roundTrip(msg, protocol);
    expect(withoutBuffers(back)).toEqual(withoutBuffers(msg));
    expect(back.buffers).toEqual([]);
    expect(back.channel).toBe("shell");
  });

  it("several buffers, including an empty one", () => {
    const buffers = [pattern(5, 1), new Uint8Array(0), pattern(1000, 2), pattern(1, 3), new Uint8Array(0)];
    const msg = message({ channel: "iopub", buffers });
    const frame = asBytes(serializeWebSocketMessage(msg, protocol));
    const back = deserializeWebSocketMessage(frame, protocol);
    expect(withoutBuffers(back)).toEqual(withoutBuffers(msg));
    expect(back.buffers.map(bytesOf)).toEqual(buffers.map(bytesOf));
    // The caller's message is untouched (JupyterLab's legacy serializer deletes `buffers`).
    expect(msg.buffers).toBe(buffers);
    expect(msg.buffers).toHaveLength(5);
  });

  it("a single empty buffer still makes a binary frame", () => {
    const msg = message({ buffers: [new Uint8Array(0)] });
    const frame = asBytes(serializeWebSocketMessage(msg, protocol));
    const back = deserializeWebSocketMessage(frame, protocol);
    expect(back.buffers).toHaveLength(1);
    expect(back.buffers[0]?.byteLength).toBe(0);
  });

  it("unicode in content, metadata and header survives", () => {
    const text = "héllo wörld — 日本語 — 🎉🧪 — \u0000 \u2028 \"quoted\" \\ back";
    const msg = message({
      channel: "stdin",
      header: header("input_reply", { username: "Zoë 🦊" }),
      metadata: { "ключ": "значение", emoji: "👍🏽" },
      content: { value: text, nested: [text, { [text]: text }] },
      buffers: [new TextEncoder().encode("bytes: ☃")],
    });
    const back = roundTrip(msg, protocol);
    expect(withoutBuffers(back)).toEqual(withoutBuffers(msg));
    expect(new TextDecoder().decode(back.buffers[0])).toBe("bytes: ☃");
  });

  it("lone surrogates are escaped by JSON.stringify and round trip", () => {
    const msg = message({ content: { odd: "a\ud800b\udc00c\ud83d" } });
    const back = roundTrip(msg, protocol);
    expect((back.content as { odd: string }).odd).toBe("a\ud800b\udc00c\ud83d");
  });

  it.each<Channel>(["shell", "control", "iopub", "stdin"])("channel %s", (channel) => {
    expect(roundTrip(message({ channel, buffers: [u8(1)] }), protocol).channel).toBe(channel);
  });

  it("empty header fields, empty objects everywhere", () => {
    const msg = message({ parent_header: {}, metadata: {}, content: {} });
    const back = roundTrip(msg, protocol);
    expect(back.parent_header).toEqual({});
    expect(back.metadata).toEqual({});
    expect(back.content).toEqual({});
  });

  it("a null parent_header comes back as {}", () => {
    const msg = message({ parent_header: null as unknown as Record<string, never>, buffers: [u8(9)] });
    expect(roundTrip(msg, protocol).parent_header).toEqual({});
  });

  it("outputs are exactly sized and own their whole ArrayBuffer", () => {
    const frame = asBytes(serializeWebSocketMessage(message({ buffers: [pattern(3), pattern(7)] }), protocol));
    expect(frame.byteOffset).toBe(0);
    expect(frame.byteLength).toBe(frame.buffer.byteLength);
  });

  it("deserialized buffers are views into the input (no copy)", () => {
    const frame = asBytes(serializeWebSocketMessage(message({ buffers: [pattern(16), pattern(8)] }), protocol));
    const back = deserializeWebSocketMessage(frame, protocol);
    for (const b of back.buffers) expect(b.buffer).toBe(frame.buffer);
    frame[frame.byteLength - 1] = 0xee;
    expect(back.buffers[1]?.[7]).toBe(0xee);
  });

  it("reads a frame from an ArrayBuffer, a view at an offset, and a DataView", () => {
    const msg = message({ buffers: [pattern(33), pattern(2)] });
    const frame = asBytes(serializeWebSocketMessage(msg, protocol));
    const big = new Uint8Array(frame.byteLength + 200).fill(0xaa);
    big.set(frame, 100);
    const inner = big.subarray(100, 100 + frame.byteLength);
    for (const input of [frame.buffer, frame, inner, new DataView(big.buffer, 100, frame.byteLength)]) {
      const back = deserializeWebSocketMessage(input, protocol);
      expect(withoutBuffers(back)).toEqual(withoutBuffers(msg));
      expect(back.buffers.map(bytesOf)).toEqual([bytesOf(pattern(33)), bytesOf(pattern(2))]);
    }
  });
});

describe("legacy specifics", () => {
  it("no buffers: the JSON text is exactly JSON.stringify(msg)", () => {
    const msg = message();
    expect(serializeLegacy(msg)).toBe(JSON.stringify(msg));
    const withEmpty = message({ buffers: [] });
    expect(serializeLegacy(withEmpty)).toBe(JSON.stringify(withEmpty));
    expect(serializeLegacy(withEmpty)).toContain('"buffers":[]');
  });

  it("binary layout: nbufs, offsets, JSON without buffers, then the buffers", () => {
    const msg = message({ buffers: [u8(1, 2, 3), u8(), u8(4)] });
    const frame = asBytes(serializeLegacy(msg));
    const json = new TextEncoder().encode(JSON.stringify(withoutBuffers(msg)));
    const start = 4 * 5;
    expect(legacyTable(frame)).toEqual([4, start, start + json.length, start + json.length + 3, start + json.length + 3]);
    expect(Array.from(frame.subarray(start, start + json.length))).toEqual(Array.from(json));
    expect(Array.from(frame.subarray(start + json.length))).toEqual([1, 2, 3, 4]);
    expect(frame.byteLength).toBe(start + json.length + 4);
  });

  it("keeps top-level msg_id/msg_type and unknown fields of the JSON", () => {
    const msg = { ...message(), msg_id: "m-1", msg_type: "comm_msg", extra: { x: 1 } };
    for (const frame of [serializeLegacy(msg), serializeLegacy({ ...msg, buffers: [u8(1)] })]) {
      const back = deserializeLegacy(frame) as WebSocketMessage & { extra?: unknown };
      expect(back.msg_id).toBe("m-1");
      expect(back.msg_type).toBe("comm_msg");
      expect(back.extra).toEqual({ x: 1 });
    }
  });

  it("a channel-less message means shell (as jupyter_server assumes)", () => {
    const { channel: _c, ...rest } = message();
    const back = deserializeLegacy(JSON.stringify(rest));
    expect(back.channel).toBe("shell");
    expect(deserializeLegacy(JSON.stringify({ ...rest, channel: null })).channel).toBe("shell");
  });

  it("a JSON text frame handed over as bytes (Node's ws) is read as text", () => {
    const text = JSON.stringify(message({ channel: "control" }));
    const back = deserializeLegacy(new TextEncoder().encode(text));
    expect(back.channel).toBe("control");
    expect(back.buffers).toEqual([]);
  });

  it("a binary frame with only the JSON part (nbufs 1) is accepted", () => {
    const json = new TextEncoder().encode(JSON.stringify(message()));
    const frame = new Uint8Array(8 + json.length);
    new DataView(frame.buffer).setUint32(0, 1);
    new DataView(frame.buffer).setUint32(4, 8);
    frame.set(json, 8);
    const back = deserializeLegacy(frame);
    expect(back.buffers).toEqual([]);
    expect(back.header.msg_type).toBe("comm_msg");
    // JupyterLab refuses it ("Invalid incoming Kernel Message").
    expect(() => jlab.deserialize(frame.buffer)).toThrow();
  });

  it("the default protocol is legacy", () => {
    const msg = message({ buffers: [u8(7)] });
    expect(Array.from(asBytes(serializeWebSocketMessage(msg)))).toEqual(Array.from(asBytes(serializeLegacy(msg))));
    expect(deserializeWebSocketMessage(serializeLegacy(msg)).buffers.map(bytesOf)).toEqual([[7]]);
  });
});

describe("v1 specifics", () => {
  it("layout: offset_number, offsets, channel, the four JSON parts, the buffers", () => {
    const msg = message({ channel: "iopub", buffers: [u8(1, 2), u8(3)] });
    const frame = serializeV1(msg);
    const enc = (x: unknown): number => new TextEncoder().encode(JSON.stringify(x)).length;
    const start = 8 * (1 + 8);
    const offsets = [start, start + 5];
    for (const part of [msg.header, msg.parent_header, msg.metadata, msg.content]) {
      offsets.push((offsets.at(-1) as number) + enc(part));
    }
    offsets.push((offsets.at(-1) as number) + 2, (offsets.at(-1) as number) + 3);
    expect(v1Offsets(frame)).toEqual(offsets);
    expect(new TextDecoder().decode(frame.subarray(start, start + 5))).toBe("iopub");
    expect(frame.byteLength).toBe(offsets.at(-1));
    expect(Array.from(frame.subarray(-3))).toEqual([1, 2, 3]);
  });

  it("only the message parts travel: top-level extras are dropped", () => {
    const msg = { ...message(), msg_id: "m", msg_type: "comm_msg" };
    const back = deserializeV1(serializeV1(msg));
    expect(Object.keys(back)).toEqual(["channel", "header", "parent_header", "metadata", "content", "buffers"]);
  });

  it("serializeWebSocketMessage always returns bytes for v1", () => {
    expect(serializeWebSocketMessage(message(), V1)).toBeInstanceOf(Uint8Array);
  });
});

// ---------------------------------------------------------------------------
// Buffers given as views: exactly their own bytes travel.
// ---------------------------------------------------------------------------

describe.each(PROTOCOLS)("views as buffers (protocol %j)", (protocol) => {
  const pool = pattern(4096, 9);
  const cases: [string, () => ArrayBufferView | ArrayBuffer][] = [
    ["a subarray of a larger Uint8Array", () => pool.subarray(100, 164)],
    ["a Uint8Array with a byteOffset over a pooled ArrayBuffer", () => new Uint8Array(pool.buffer, 2000, 17)],
    ["a Float64Array", () => new Float64Array([1.5, -2.25, Math.PI, Number.NaN])],
    ["a Float64Array over part of a buffer", () => new Float64Array(pool.buffer, 8, 3)],
    ["a DataView over part of a buffer", () => new DataView(pool.buffer, 333, 21)],
    ["an Int16Array subarray", () => new Int16Array([1, -2, 3, -4, 5, -6]).subarray(2, 5)],
    ["a whole ArrayBuffer", () => pattern(12, 4).buffer],
    ["an empty view at the end of a buffer", () => pool.subarray(4096)],
  ];

  it.each(cases)("%s", (_name, make) => {
    const view = make();
    const msg = message({ buffers: [u8(0xfe), view, u8(0xff)] });
    const frame = asBytes(serializeWebSocketMessage(msg, protocol));
    const back = deserializeWebSocketMessage(frame, protocol);
    expect(back.buffers.map(bytesOf)).toEqual([[0xfe], bytesOf(view), [0xff]]);
    // The frame is exactly as large as for a copy of those bytes.
    const copy = asBytes(serializeWebSocketMessage(message({ buffers: [u8(0xfe), new Uint8Array(bytesOf(view)), u8(0xff)] }), protocol));
    expect(Array.from(frame)).toEqual(Array.from(copy));
  });

  it("a Float64Array comes back as the same numbers", () => {
    const values = new Float64Array([0, -0, 1e308, -1e-308, Infinity]);
    const back = roundTrip(message({ buffers: [pool.subarray(1, 4), values] }), protocol);
    const got = back.buffers[1] as Uint8Array;
    // Views into the frame may be unaligned: copy before reinterpreting.
    expect(Array.from(new Float64Array(got.slice().buffer))).toEqual(Array.from(values));
  });
});

// ---------------------------------------------------------------------------
// Cross-check with JupyterLab's serializer
// ---------------------------------------------------------------------------

function jlabBytes(out: string | ArrayBuffer): string | number[] {
  return typeof out === "string" ? out : Array.from(new Uint8Array(out));
}

function ourBytes(out: string | Uint8Array): string | number[] {
  return typeof out === "string" ? out : Array.from(out);
}

/** Normalizes a deserialized message of either side for comparison. */
function normalized(msg: OracleMessage | WebSocketMessage): { json: Record<string, unknown>; buffers: number[][] } {
  const buffers = ((msg.buffers ?? []) as (ArrayBuffer | ArrayBufferView)[]).map(bytesOf);
  return { json: withoutBuffers(msg), buffers };
}

const wholeBufferMessages: [string, () => OracleMessage][] = [
  ["no buffers", () => message() as OracleMessage],
  ["empty buffers array", () => message({ buffers: [] }) as OracleMessage],
  ["one buffer", () => message({ buffers: [pattern(10)] }) as OracleMessage],
  ["several buffers incl. empty", () => message({ channel: "iopub", buffers: [pattern(3, 1), new Uint8Array(0), pattern(300, 2)] }) as OracleMessage],
  [
    "unicode everywhere",
    () =>
      message({
        channel: "stdin",
        header: header("input_request", { username: "Łukasz 🐍" }),
        metadata: { "日本": "語" },
        content: { prompt: "¿Nombre? 🙂", password: false },
        buffers: [new TextEncoder().encode("ünïcödé")],
      }) as OracleMessage,
  ],
  ["msg_id/msg_type at top level", () => ({ ...message({ buffers: [pattern(4)] }), msg_id: "x", msg_type: "comm_msg" }) as OracleMessage],
  ["a big buffer", () => message({ channel: "control", buffers: [pattern(70_000, 5)] }) as OracleMessage],
];

describe.each(PROTOCOLS)("JupyterLab oracle (protocol %j)", (protocol) => {
  it.each(wholeBufferMessages)("%s: same bytes both ways, each reads the other", (_name, make) => {
    // JupyterLab's legacy serializer deletes msg.buffers: give it its own copy.
    const theirs = jlab.serialize({ ...make() }, protocol);
    const ours = serializeWebSocketMessage(make() as OutgoingWebSocketMessage, protocol);
    expect(ourBytes(ours)).toEqual(jlabBytes(theirs));

    // Each side reads the other's output to the same message.
    const weReadTheirs = deserializeWebSocketMessage(theirs, protocol);
    const ourFrame = typeof ours === "string" ? ours : ours.buffer;
    const theyReadOurs = jlab.deserialize(ourFrame, protocol);
    const expected = make();
    // v1 carries only the five parts.
    const parts =
      protocol === V1
        ? (({ channel, header: h, parent_header, metadata, content, buffers }) => ({ channel, header: h, parent_header, metadata, content, buffers }))(expected)
        : expected;
    const want = normalized(parts);
    expect(normalized(weReadTheirs)).toEqual(want);
    expect(normalized(theyReadOurs)).toEqual(want);
  });

  it("views: JupyterLab sends the whole backing buffer (or throws); we send exactly the view", () => {
    const pool = pattern(1024, 3);
    const view = pool.subarray(10, 20); // 10 bytes of a 1 KiB buffer
    const ours = asBytes(serializeWebSocketMessage(message({ buffers: [view] }), protocol));
    expect(deserializeWebSocketMessage(ours, protocol).buffers.map(bytesOf)).toEqual([bytesOf(view)]);

    let theirs: string | ArrayBuffer | undefined;
    let threw: unknown;
    try {
      theirs = jlab.serialize({ ...(message({ buffers: [view] }) as OracleMessage) }, protocol);
    } catch (error) {
      threw = error;
    }
    if (protocol === "") {
      // Legacy: JupyterLab copies `view.buffer`, all 1024 bytes.
      expect(threw).toBeUndefined();
      const bytes = new Uint8Array(theirs as ArrayBuffer);
      expect(bytes.byteLength).toBe(ours.byteLength - 10 + 1024);
      const got = jlab.deserialize(theirs as ArrayBuffer).buffers?.map(bytesOf);
      expect(got).toEqual([bytesOf(pool)]);
      expect(got).not.toEqual([bytesOf(view)]);
    } else {
      // v1: JupyterLab sizes the frame by byteLength but writes `view.buffer`: RangeError.
      expect(threw).toBeInstanceOf(RangeError);
    }
  });

  it("views that fit: JupyterLab writes the wrong bytes, we write the view's", () => {
    // A Float64Array over the *start* of a larger buffer: JupyterLab writes the
    // whole buffer from the buffer's start; in v1 it overruns into the next part.
    const backing = new ArrayBuffer(64);
    new Uint8Array(backing).set(pattern(64, 8));
    const view = new Float64Array(backing, 16, 2); // bytes 16..32
    const make = (): OracleMessage => message({ buffers: [view, new Uint8Array(64)] }) as OracleMessage;
    const ours = asBytes(serializeWebSocketMessage(make() as OutgoingWebSocketMessage, protocol));
    expect(deserializeWebSocketMessage(ours, protocol).buffers.map(bytesOf)).toEqual([bytesOf(view), new Array(64).fill(0)]);

    const theirs = jlab.serialize({ ...make() }, protocol) as ArrayBuffer;
    const read = jlab.deserialize(theirs, protocol).buffers?.map(bytesOf);
    expect(read?.[0]).not.toEqual(bytesOf(view));
    expect(ourBytes(ours)).not.toEqual(jlabBytes(theirs));
  });
});

// ---------------------------------------------------------------------------
// Malformed input
// ---------------------------------------------------------------------------

function legacyFrame(nbufs: number, offsets: number[], tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(4 + 4 * offsets.length + tail.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, nbufs);
  offsets.forEach((o, i) => view.setUint32(4 * (i + 1), o));
  out.set(tail, 4 + 4 * offsets.length);
  return out;
}

function v1Frame(offsetNumber: bigint, offsets: bigint[], tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + 8 * offsets.length + tail.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, offsetNumber, true);
  offsets.forEach((o, i) => view.setBigUint64(8 * (i + 1), o, true));
  out.set(tail, 8 + 8 * offsets.length);
  return out;
}

/** A valid v1 frame with its parts replaced by raw bytes. */
function v1FromParts(parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === "string" ? new TextEncoder().encode(p) : p));
  const start = 8 * (bytes.length + 2);
  const offsets = [BigInt(start)];
  for (const b of bytes) offsets.push((offsets.at(-1) as bigint) + BigInt(b.length));
  const tail = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let pos = 0;
  for (const b of bytes) {
    tail.set(b, pos);
    pos += b.length;
  }
  return v1Frame(BigInt(offsets.length), offsets, tail);
}

/** A legacy binary frame with the given JSON bytes and buffers. */
function legacyFromParts(json: string | Uint8Array, ...buffers: Uint8Array[]): Uint8Array {
  const parts = [typeof json === "string" ? new TextEncoder().encode(json) : json, ...buffers];
  const start = 4 * (parts.length + 1);
  const offsets = [start];
  for (const p of parts.slice(0, -1)) offsets.push((offsets.at(-1) as number) + p.length);
  const tail = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let pos = 0;
  for (const p of parts) {
    tail.set(p, pos);
    pos += p.length;
  }
  return legacyFrame(parts.length, offsets, tail);
}

const goodJson = JSON.stringify(message());
const h = JSON.stringify(header());

describe("malformed legacy input throws WireFormatError", () => {
  const cases: [string, string | Uint8Array | ArrayBuffer, RegExp][] = [
    ["empty bytes", new Uint8Array(0), /too short: 0 bytes/],
    ["too short", u8(0, 0, 0), /too short: 3 bytes/],
    ["nbufs 0", legacyFrame(0, [8]), /nbufs is 0/],
    ["nbufs larger than the table", legacyFrame(1000, [8]), /nbufs 1000 needs a 4004-byte offset table, but the message has only 8 bytes/],
    ["nbufs 0xFFFFFFFF", legacyFrame(0xffffffff, [8]), /nbufs 4294967295/],
    ["first offset inside the table", legacyFrame(1, [4], u8(0x7b)), /offset 0 \(start of the JSON\) is 4, expected 8/],
    ["first offset past the start", legacyFromParts(goodJson).map((b, i) => (i === 7 ? 9 : b)), /offset 0 .* is 9, expected 8/],
    ["offset past the end", legacyFrame(2, [12, 999], u8(0x7b, 0x7d)), /offset 1 is 999, past the end of the 14-byte message/],
    ["decreasing offsets", legacyFrame(3, [16, 20, 18], new Uint8Array(8)), /offset 2 is 18, less than offset 1 \(20\)/],
    ["invalid UTF-8 in the JSON", legacyFromParts(u8(0x22, 0xff, 0xfe, 0x22)), /JSON part is not valid UTF-8/],
    ["truncated JSON", legacyFromParts(goodJson.slice(0, 20)), /JSON part is not valid JSON/],
    ["JSON an array", legacyFromParts("[1,2]"), /legacy message must be a JSON object, got an array/],
    ["JSON null", legacyFromParts("null"), /must be a JSON object, got null/],
    ["text: not JSON", "hello", /legacy text message is not valid JSON/],
    ["text: a number", "42", /must be a JSON object, got number 42/],
    ["text: a BOM", "\ufeff" + goodJson, /not valid JSON/],
    ["bytes: invalid UTF-8 text", u8(0x7b, 0xc3, 0x28, 0x7d), /legacy text message is not valid UTF-8/],
    ["missing header", JSON.stringify({ channel: "shell", parent_header: {}, metadata: {}, content: {} }), /has no header/],
    ["header a string", JSON.stringify({ ...message(), header: "h" }), /header must be a JSON object, got the string "h"/],
    ["metadata missing", JSON.stringify({ ...message(), metadata: undefined }), /metadata must be a JSON object, got undefined/],
    ["content an array", JSON.stringify({ ...message(), content: [] }), /content must be a JSON object, got an array/],
    ["parent_header a number", JSON.stringify({ ...message(), parent_header: 3 }), /parent_header must be a JSON object, got number 3/],
    ["unknown channel", JSON.stringify({ ...message(), channel: "hb" }), /channel the string "hb" is not one of shell, control, iopub, stdin/],
    ["channel a number", JSON.stringify({ ...message(), channel: 1 }), /channel number 1 is not one of/],
    ["JSON buffers not empty", JSON.stringify({ ...message(), buffers: ["AAAA"] }), /'buffers' set to an array/],
  ];
  it.each(cases)("%s", (_name, input, pattern) => {
    expectWireError(() => deserializeLegacy(input), pattern);
    expectWireError(() => deserializeWebSocketMessage(input, ""), pattern);
  });

  it("rejects inputs that are neither strings nor bytes", () => {
    for (const bad of [null, undefined, 42, {}, [1, 2], new Blob(["x"])]) {
      expectWireError(() => deserializeLegacy(bad as unknown as string), /expected a string, an ArrayBuffer or an ArrayBufferView/);
    }
  });
});

describe("malformed v1 input throws WireFormatError", () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ["a string", "{}", /messages are binary, got a 2-character text frame/],
    ["empty", new Uint8Array(0), /too short: 0 bytes/],
    ["7 bytes", new Uint8Array(7), /too short: 7 bytes/],
    ["offset_number 0", v1Frame(0n, []), /offset_number is 0, need at least 6/],
    ["offset_number 5", v1Frame(5n, [48n, 48n, 48n, 48n, 48n]), /offset_number is 5/],
    ["offset_number absurd (2^64-1)", v1Frame(0xffff_ffff_ffff_ffffn, [56n]), /offset_number 18446744073709552000 needs a .*-byte offset table, but the message has only 16 bytes/],
    ["offset_number 2^53+1", v1Frame(2n ** 53n + 1n, []), /offset_number 9007199254740992 needs/],
    ["offset_number past the end", v1Frame(100n, [808n]), /offset_number 100 needs a 808-byte offset table, but the message has only 16 bytes/],
    ["first offset wrong", v1Frame(6n, [57n, 57n, 57n, 57n, 57n, 57n], new Uint8Array(1)), /offset 0 \(start of the channel\) is 57, expected 56/],
    ["offset past the end", v1Frame(6n, [56n, 61n, 61n, 61n, 61n, 2n ** 40n], u8(...new TextEncoder().encode("shell"))), /offset 5 is 1099511627776, past the end of the 61-byte message/],
    ["offset 2^64-1", v1Frame(6n, [56n, 0xffff_ffff_ffff_ffffn, 0n, 0n, 0n, 0n]), /offset 1 is 18446744073709552000, past the end/],
    ["decreasing offsets", v1Frame(6n, [56n, 61n, 58n, 61n, 61n, 61n], u8(...new TextEncoder().encode("shell"))), /offset 2 is 58, less than offset 1 \(61\)/],
    ["trailing bytes", v1Frame(6n, [56n, 61n, 61n, 61n, 61n, 61n], u8(...new TextEncoder().encode("shell!!"))), /last offset is 61, but the message has 63 bytes \(2 trailing bytes\)/],
    ["unknown channel", v1FromParts(["hb", h, "{}", "{}", "{}"]), /channel "hb" is not one of shell, control, iopub, stdin/],
    ["empty channel", v1FromParts(["", h, "{}", "{}", "{}"]), /channel "" is not one of/],
    ["channel with a BOM", v1FromParts(["\ufeffshell", h, "{}", "{}", "{}"]), /channel "\ufeffshell" is not one of/],
    ["channel invalid UTF-8", v1FromParts([u8(0xff), h, "{}", "{}", "{}"]), /v1 channel is not valid UTF-8/],
    ["empty header", v1FromParts(["shell", "", "{}", "{}", "{}"]), /v1 header is not valid JSON/],
    ["header null", v1FromParts(["shell", "null", "{}", "{}", "{}"]), /header must be a JSON object, got null/],
    ["header an array", v1FromParts(["shell", "[]", "{}", "{}", "{}"]), /header must be a JSON object, got an array/],
    ["header invalid UTF-8", v1FromParts(["shell", u8(0x7b, 0x80, 0x7d), "{}", "{}", "{}"]), /v1 header is not valid UTF-8/],
    ["parent_header a string", v1FromParts(["shell", h, '"x"', "{}", "{}"]), /parent_header must be a JSON object, got the string "x"/],
    ["metadata truncated", v1FromParts(["shell", h, "{}", '{"a":', "{}"]), /v1 metadata is not valid JSON/],
    ["content a number", v1FromParts(["shell", h, "{}", "{}", "7"]), /content must be a JSON object, got number 7/],
  ];
  it.each(cases)("%s", (_name, input, pattern) => {
    expectWireError(() => deserializeV1(input), pattern);
    expectWireError(() => deserializeWebSocketMessage(input, V1), pattern);
  });

  it("the parts helper makes valid frames (sanity check of the cases above)", () => {
    const back = deserializeV1(v1FromParts(["iopub", h, "null", "{}", '{"a":1}', u8(1, 2)]));
    expect(back).toMatchObject({ channel: "iopub", parent_header: {}, content: { a: 1 } });
    expect(back.buffers.map(bytesOf)).toEqual([[1, 2]]);
    expect(deserializeLegacy(legacyFromParts(goodJson, u8(5))).buffers.map(bytesOf)).toEqual([[5]]);
  });
});

describe("serializing bad messages throws WireFormatError", () => {
  it.each(PROTOCOLS)("protocol %j", (protocol) => {
    const bad = (overrides: Record<string, unknown>): OutgoingWebSocketMessage =>
      ({ ...message(), ...overrides }) as OutgoingWebSocketMessage;
    const ser = (m: unknown): unknown => serializeWebSocketMessage(m as OutgoingWebSocketMessage, protocol);
    expectWireError(() => ser(null), /cannot serialize null/);
    expectWireError(() => ser(bad({ channel: "hb" })), /channel the string "hb" is not one of shell, control, iopub, stdin/);
    expectWireError(() => ser(bad({ channel: undefined })), /channel undefined is not one of/);
    expectWireError(() => ser(bad({ header: undefined })), /header must be an object, got undefined/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectWireError(() => ser(bad({ content: cyclic, buffers: [u8(1)] })), /not JSON-encodable/);
    expectWireError(() => ser(bad({ content: { n: 10n } })), /not JSON-encodable/);
    expectWireError(() => ser(bad({ buffers: [u8(1), "nope"] })), /buffers\[1\] is not a usable ArrayBuffer or ArrayBufferView \(got the string "nope"\)/);
    expectWireError(() => ser(bad({ buffers: [{ byteLength: 3 }] })), /buffers\[0\] is not a usable/);
  });

  it("v1: undefined content cannot be encoded", () => {
    expectWireError(() => serializeV1({ ...message(), content: undefined } as unknown as OutgoingWebSocketMessage), /content is undefined, not a JSON value/);
  });

  it("an unknown protocol", () => {
    expectWireError(() => serializeWebSocketMessage(message(), "v2.kernel" as WebSocketProtocol), /unknown kernel WebSocket protocol "v2.kernel"/);
    expectWireError(() => deserializeWebSocketMessage("{}", "v2.kernel" as WebSocketProtocol), /unknown kernel WebSocket protocol/);
  });
});

// ---------------------------------------------------------------------------
// Fuzz: random and mutated payloads only ever parse or throw WireFormatError.
// ---------------------------------------------------------------------------

function flip(bytes: Uint8Array, index: number, bit: number): void {
  bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
}

function mutate(frame: Uint8Array, rand: () => number, tableBytes: number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  const out = frame.slice();
  switch (int(7)) {
    case 0: // flip a few random bits anywhere
      for (let k = 1 + int(4); k > 0; k--) flip(out, int(out.length), int(8));
      return out;
    case 1: // flip bits in the offset table
      for (let k = 1 + int(3); k > 0; k--) flip(out, int(Math.min(tableBytes, out.length)), int(8));
      return out;
    case 2: // truncate
      return out.subarray(0, int(out.length));
    case 3: // append junk
      return Uint8Array.from([...out, ...Array.from({ length: 1 + int(16) }, () => int(256))]);
    case 4: { // overwrite a table word with a random or extreme value
      const view = new DataView(out.buffer);
      const pos = 4 * int(Math.max(1, tableBytes / 4));
      if (pos + 4 <= out.length) view.setUint32(pos, [0, 1, 0xffffffff, 0x7fffffff, int(2 ** 32), int(out.length + 2)][int(6)] as number);
      return out;
    }
    case 5: // random byte in the JSON region
      out[tableBytes + int(Math.max(1, out.length - tableBytes))] = int(256);
      return out;
    default: // swap two bytes
    {
      const i = int(out.length);
      const j = int(out.length);
      const t = out[i] as number;
      out[i] = out[j] as number;
      out[j] = t;
      return out;
    }
  }
}

function checkParseOrWireError(input: string | Uint8Array, protocol: WebSocketProtocol): "ok" | "error" {
  let result: WebSocketMessage;
  try {
    result = deserializeWebSocketMessage(input, protocol);
  } catch (error) {
    if (!(error instanceof WireFormatError)) {
      throw new Error(`protocol ${JSON.stringify(protocol)}: non-WireFormatError for input ${typeof input === "string" ? JSON.stringify(input.slice(0, 200)) : `[${Array.from(input.subarray(0, 200)).join(",")}]`}: ${String(error)}`, { cause: error });
    }
    return "error";
  }
  expect(["shell", "control", "iopub", "stdin"]).toContain(result.channel);
  expect(typeof result.header).toBe("object");
  expect(result.header).not.toBeNull();
  expect(typeof result.parent_header).toBe("object");
  expect(result.parent_header).not.toBeNull();
  expect(Array.isArray(result.buffers)).toBe(true);
  for (const b of result.buffers) expect(b).toBeInstanceOf(Uint8Array);
  return "ok";
}

describe("fuzz", () => {
  it.each(PROTOCOLS)("random and mutated payloads (protocol %j)", (protocol) => {
    const rand = seededRandom(protocol === "" ? 0xc0ffee : 0xbeef);
    const int = (n: number): number => Math.floor(rand() * n);
    const seeds = [
      message(),
      message({ buffers: [pattern(7)] }),
      message({ channel: "iopub", buffers: [pattern(3), new Uint8Array(0), pattern(40, 3)] }),
      message({ channel: "stdin", content: { text: "ünï 🎉" }, buffers: [new Float64Array([1, 2])] }),
    ];
    const frames = seeds.map((m) => serializeWebSocketMessage(m, protocol));
    const counts = { ok: 0, error: 0 };
    for (let iter = 0; iter < 3000; iter++) {
      let input: string | Uint8Array;
      const kind = int(10);
      if (kind === 0) {
        input = Uint8Array.from({ length: int(80) }, () => int(256));
      } else if (kind === 1) {
        // a plausible table followed by random bytes
        const n = int(12);
        input = protocol === V1 ? v1Frame(BigInt(n), Array.from({ length: n }, () => BigInt(int(200))), Uint8Array.from({ length: int(120) }, () => int(256)))
          : legacyFrame(n, Array.from({ length: n }, () => int(200)), Uint8Array.from({ length: int(120) }, () => int(256)));
      } else {
        const frame = frames[int(frames.length)] as string | Uint8Array;
        if (typeof frame === "string") {
          // mutate a JSON text frame: delete, duplicate or replace a character
          const i = int(frame.length);
          const c = String.fromCharCode(int(2) === 0 ? 32 + int(95) : int(0x10000));
          input = [frame.slice(0, i) + frame.slice(i + 1), frame.slice(0, i) + c + frame.slice(i), frame.slice(0, i)][int(3)] as string;
          if (int(4) === 0) input = new TextEncoder().encode(input);
        } else {
          const tableBytes = protocol === V1 ? 8 * (1 + v1Offsets(frame).length) : 4 * (1 + legacyTable(frame).length);
          input = mutate(frame, rand, tableBytes);
        }
      }
      counts[checkParseOrWireError(input, protocol)]++;
    }
    // The fuzz exercised both outcomes.
    expect(counts.ok).toBeGreaterThan(50);
    expect(counts.error).toBeGreaterThan(500);
  });
});
