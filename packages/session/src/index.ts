/**
 * `@jupyter-ts/session`: Jupyter message sessions for Node: HMAC signing,
 * ZeroMQ frame serialization, replay protection, send/recv on sockets.
 *
 * @packageDocumentation
 */
export {
  DELIM,
  Session,
  SessionFactory,
  type BufferLike,
  type Ident,
  type Message,
  type MsgOptions,
  type PeekedMessage,
  type Received,
  type SendOptions,
  type SessionOptions,
} from "./session.js";
export { jsonPacker, jsonUnpacker, type Packer, type Unpacker } from "./packers.js";
export { sendQueued, type ReceiveSocket, type SendSocket } from "./socket.js";
export {
  MalformedMessageError,
  MessageDecodeError,
  MessageEncodeError,
  ReplayError,
  SessionConfigError,
  SignatureError,
  UnsignedMessageError,
} from "./errors.js";
export { extractHeader, msgHeader, newId, utcnow } from "@jupyter-ts/protocol";
