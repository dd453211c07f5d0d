/**
 * `@jupyter-ts/manager`: start, restart, interrupt and shut down Jupyter
 * kernels, one (`KernelManager`) or many (`MultiKernelManager`), with
 * automatic restarts of kernels that die (`KernelRestarter`): Python's
 * `jupyter_client.manager`, `restarter` and `multikernelmanager`.
 *
 * @packageDocumentation
 */
export {
  KernelManager,
  type KernelManagerEvents,
  type KernelManagerOptions,
  type KernelStderr,
  type RestartKernelOptions,
  type ShutdownKernelOptions,
  type ShutdownStatus,
  type StartKernelOptions,
} from "./kernel-manager.js";
export {
  KernelRestarter,
  type KernelRestarterEvents,
  type KernelRestarterOptions,
  type RestartableKernel,
} from "./restarter.js";
export { type ManagerLogger } from "./logger.js";
export {
  DuplicateKernelError,
  KernelNotStartedError,
  KernelPendingError,
  KernelRunningError,
  KernelStartError,
  NoSuchKernelIdError,
} from "./errors.js";
export {
  MultiKernelManager,
  type MultiKernelManagerOptions,
  type MultiStartKernelOptions,
} from "./multi-kernel-manager.js";
export { runKernel, startNewKernel, type StartNewKernelOptions, type StartedKernel } from "./start-new-kernel.js";
