/**
 * `@jupyter-ts/kernelspec`: Jupyter kernelspecs (find, read, install and
 * remove them) as Python's `jupyter_client.kernelspec` does.
 *
 * @packageDocumentation
 */
export {
  KernelSpec,
  type FromDictOptions,
  type FromResourceDirOptions,
  type InterruptMode,
  type KernelSpecDict,
  type KernelSpecInit,
} from "./kernel-spec.js";
export {
  KernelSpecManager,
  findKernelSpecs,
  getKernelSpec,
  installKernelSpec,
  type InstallKernelSpecOptions,
  type KernelSpecEntry,
  type KernelSpecLogger,
  type KernelSpecManagerOptions,
  type NativeKernel,
} from "./manager.js";
export { KERNEL_NAME_DESCRIPTION, isValidKernelName } from "./names.js";
export { nodeFs, type KernelSpecDirent, type KernelSpecFs, type KernelSpecStats } from "./fs.js";
export {
  InvalidKernelNameError,
  InvalidKernelSpecError,
  KernelSpecExistsError,
  KernelSpecOptionsError,
  NoSuchKernelError,
} from "./errors.js";
