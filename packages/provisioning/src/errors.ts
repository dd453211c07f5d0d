import { JupyterTsError } from "@jupyter-ts/protocol";

/**
 * A kernel could not be started: its executable is missing or not
 * executable, its working directory does not exist, or the operating system
 * refused the spawn. `command` is the argv that was tried (empty when the
 * failure came before a command was built).
 */
export class KernelLaunchError extends JupyterTsError {
  /** The command line that failed, as given to {@link launchKernel}. */
  readonly command: readonly string[];

  constructor(command: readonly string[], message: string, options?: { cause?: unknown }) {
    super("ERR_KERNEL_LAUNCH", message, options);
    this.command = command;
  }
}

/**
 * A kernelspec names a kernel provisioner that is neither built in, nor
 * registered, nor declared by an installed package (Python raises
 * `ModuleNotFoundError` here).
 */
export class NoSuchProvisionerError extends JupyterTsError {
  /** The provisioner name the kernelspec asked for. */
  readonly provisionerName: string;
  /** The kernelspec's name (or display name when it has no name). */
  readonly kernelName: string;
  /** The provisioner names that are available, sorted. */
  readonly available: readonly string[];

  constructor(provisionerName: string, kernelName: string, available: readonly string[], options?: { cause?: unknown }) {
    const installed = available.length > 0 ? available.join(", ") : "none";
    super(
      "ERR_NO_SUCH_PROVISIONER",
      `kernel provisioner '${provisionerName}' (asked for by kernelspec '${kernelName}') is not installed; ` +
        `installed provisioners: ${installed}. Install the npm package that provides it where the application ` +
        "can resolve it, or fix metadata.kernel_provisioner in the kernelspec (run `jupyter-ts kernelspec provisioners`)",
      options,
    );
    this.provisionerName = provisionerName;
    this.kernelName = kernelName;
    this.available = available;
  }
}

/**
 * A provisioner module that cannot be used: it fails to load, or its default
 * export is not a class with the methods of {@link KernelProvisionerBase}.
 */
export class InvalidProvisionerError extends JupyterTsError {
  /** The provisioner's name. */
  readonly provisionerName: string;
  /** Where it was loaded from (`package@version:./module`) or `"registered"`. */
  readonly source: string;

  constructor(provisionerName: string, source: string, message: string, options?: { cause?: unknown }) {
    super("ERR_INVALID_PROVISIONER", message, options);
    this.provisionerName = provisionerName;
    this.source = source;
  }
}
