import { isUtf8 } from "node:buffer";
import { MessageDecodeError, MessageEncodeError } from "./errors.js";

/** Turns one message part (header, parent, metadata, content) into bytes. */
export type Packer = (obj: unknown) => Uint8Array;
/** Turns bytes back into a message part; throws on anything it cannot read. */
export type Unpacker = (bytes: Uint8Array) => unknown;

/**
 * UTF-8 JSON, the packer every Jupyter peer uses. Dates become ISO strings
 * (as Python's `json_default` does); `NaN` and infinities become `null`.
 *
 * @throws MessageEncodeError for what JSON cannot hold (BigInt, cycles, a bare `undefined`).
 */
export function jsonPacker(obj: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(obj);
  } catch (cause) {
    throw new MessageEncodeError(`cannot encode message part as JSON: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) {
    throw new MessageEncodeError(`cannot encode ${typeof obj} as JSON; message parts must be objects`);
  }
  return Buffer.from(text, "utf8");
}

/**
 * Parses UTF-8 JSON. Invalid UTF-8 is rejected rather than replaced, as
 * Python's `json.loads` on bytes does.
 *
 * @throws MessageDecodeError
 */
export function jsonUnpacker(bytes: Uint8Array): unknown {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) throw new MessageDecodeError("", `frame of ${buf.byteLength} bytes is not valid UTF-8`);
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (cause) {
    throw new MessageDecodeError("", `frame is not JSON: ${(cause as Error).message}; starts with ${JSON.stringify(buf.toString("utf8", 0, 40))}`, { cause });
  }
}
