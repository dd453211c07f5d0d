/**
 * `@jupyter-ts/comm`: Jupyter comms for both sides of a kernel connection,
 * over a small transport interface. Browser-safe: no Node built-ins.
 *
 * @packageDocumentation
 */
export { Comm } from "./comm.js";
export { CommManager, type CreateCommOptions } from "./manager.js";
export { CommClosedError, CommError } from "./errors.js";
export type {
  CommCloseHandler,
  CommLogger,
  CommMessage,
  CommMessageType,
  CommMsgHandler,
  CommSendOptions,
  CommTargetHandler,
  CommTransport,
} from "./types.js";
