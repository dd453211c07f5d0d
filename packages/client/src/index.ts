/**
 * `@jupyter-ts/client`: talk to a running Jupyter kernel over ZeroMQ: every
 * request, replies matched to requests, iopub output, stdin, heartbeat
 * (Python's `jupyter_client.client` and `channels`).
 *
 * @packageDocumentation
 */
export {
  KernelClient,
  type ClientChannel,
  type CommInfoOptions,
  type CompleteOptions,
  type ExecuteInteractiveOptions,
  type ExecuteOptions,
  type HistoryOptions,
  type InspectOptions,
  type KernelClientEvents,
  type KernelClientOptions,
  type RequestOptions,
  type RequestResult,
  type ShutdownOptions,
  type StartChannelsOptions,
} from "./kernel-client.js";
export { HeartbeatChannel, type HeartbeatEvents, type HeartbeatOptions } from "./heartbeat-channel.js";
export { type ReplyMessage, type RequestHandle } from "./request-handle.js";
export { MessageQueue, type ClientLogger, type MessageQueueOptions } from "./message-queue.js";
export { defaultOutputHook, defaultStdinHook, type OutputHook, type StdinHook } from "./output-hooks.js";
// Moved to the protocol layer (the kernel side needs them too); kept here for existing imports.
export { codePointLength, codePointToUtf16, utf16ToCodePoint } from "@jupyter-ts/protocol";
export { ChannelsNotRunningError, KernelDiedError, KernelTimeoutError } from "./errors.js";
export { Emitter } from "./emitter.js";
