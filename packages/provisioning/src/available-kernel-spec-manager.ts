import { KernelSpecManager, type KernelSpec, type KernelSpecManagerOptions } from "@jupyter-ts/kernelspec";
import { KernelProvisionerFactory } from "./factory.js";

/** Options of {@link availableKernelSpecManager}. */
export interface AvailableKernelSpecManagerOptions extends KernelSpecManagerOptions {
  /** The factory that says which provisioners exist; default `KernelProvisionerFactory.instance()`. */
  factory?: KernelProvisionerFactory;
}

/**
 * A {@link KernelSpecManager} that, as Python's, leaves out kernelspecs
 * whose kernel provisioner is not installed and refuses them by name
 * (`NoSuchKernelError` saying which provisioner is missing). An
 * `isAvailable` of the options applies as well.
 *
 * @example
 * const ksm = availableKernelSpecManager();
 * await ksm.findKernelSpecs(); // only kernelspecs that can start here
 */
export function availableKernelSpecManager(options: AvailableKernelSpecManagerOptions = {}): KernelSpecManager {
  const { factory = KernelProvisionerFactory.instance(), isAvailable: also, ...rest } = options;
  const hasProvisioner = factory.kernelSpecFilter();
  const isAvailable = also ? async (spec: KernelSpec) => (await hasProvisioner(spec)) && (await also(spec)) : hasProvisioner;
  return new KernelSpecManager({ ...rest, isAvailable });
}
