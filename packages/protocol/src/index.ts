/**
 * `@jupyter-ts/protocol`: the Jupyter messaging protocol 5.5 as types and
 * browser-safe helpers. No Node built-ins, no native code: frontends depend on
 * this package alone.
 *
 * @packageDocumentation
 */
export { JupyterTsError, MessageValidationError, ProtocolError, WireFormatError } from "./errors.js";
export type * from "./messages.js";
export { MESSAGE_CHANNELS, isKnownMessageType } from "./messages.js";
export {
  PROTOCOL_VERSION,
  extractHeader,
  formatDate,
  headerDate,
  msgHeader,
  newId,
  parseDate,
  utcnow,
  type MsgHeaderOptions,
} from "./header.js";
export { adapt, codeToLine, extractOnameV4, messageMajorVersion } from "./adapter.js";
export { isValidMessage, validateMessage, type ValidateOptions } from "./validate.js";
export {
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
  type WireBuffer,
} from "./websocket.js";
export { codePointLength, codePointToUtf16, utf16ToCodePoint } from "./cursor.js";
