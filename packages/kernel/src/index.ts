/**
 * `@jupyter-ts/kernel`: write Jupyter kernels in TypeScript. A base class
 * that speaks the kernel side of the messaging protocol (sockets, signing,
 * busy/idle, stdin, comms, subshells, interrupts, shutdown), kernel-side
 * comms, and ipykernel's connection helpers.
 *
 * @packageDocumentation
 */
export { Kernel } from "./kernel.js";
export { serveKernel, parseKernelArgs, type KernelArgs } from "./serve-kernel.js";
export {
  connectQtconsole,
  getConnectionFile,
  getConnectionInfo,
  type ConnectQtconsoleOptions,
  type GetConnectionInfoOptions,
} from "./connect.js";
export { InMemoryHistory } from "./history.js";
export {
  KernelBindError,
  KernelError,
  KernelInterruptedError,
  KernelStoppedError,
  NoRunningKernelError,
  QtconsoleNotFoundError,
  StdinNotAllowedError,
} from "./errors.js";
export type {
  CompleteResult,
  DisplayDataOptions,
  ExecuteContext,
  ExecuteOutcome,
  HistoryResult,
  InputOptions,
  InspectResult,
  IsCompleteResult,
  KernelLogger,
  KernelOptions,
  LanguageInfo,
  PublishOptions,
  RequestContext,
} from "./types.js";
export { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";
export { Comm, CommManager } from "@jupyter-ts/comm";
