/**
 * `@jupyter-ts/provisioning`: kernel provisioners. {@link launchKernel}
 * starts a kernel process; {@link KernelProvisionerBase} is the interface a
 * kernel manager drives; {@link LocalProvisioner} runs kernels on this
 * machine; {@link KernelProvisionerFactory} picks the provisioner a
 * kernelspec names, finding third-party provisioner packages in
 * `node_modules` (Python's `jupyter_client.provisioning` and `launcher`).
 *
 * @packageDocumentation
 */
export { launchKernel, expandUser, type KernelStdio, type LaunchKernelOptions } from "./launcher.js";
export { formatKernelCmd, substituteEnv, type FormatKernelCmdOptions } from "./format-kernel-cmd.js";
export {
  KernelProvisionerBase,
  type LaunchOptions,
  type PreLaunchOptions,
  type PreLaunchResult,
  type ProvisionerLogger,
  type ProvisionerOptions,
  type RestartOptions,
} from "./provisioner-base.js";
export { LocalProvisioner } from "./local-provisioner.js";
export { InvalidProvisionerError, KernelLaunchError, NoSuchProvisionerError } from "./errors.js";
export {
  KernelProvisionerFactory,
  LOCAL_PROVISIONER_NAME,
  type KernelProvisionerFactoryOptions,
  type ProvisionerClass,
  type ProvisionerConfig,
} from "./factory.js";
export { type DiscoveredProvisioner } from "./discovery.js";
export { availableKernelSpecManager, type AvailableKernelSpecManagerOptions } from "./available-kernel-spec-manager.js";
