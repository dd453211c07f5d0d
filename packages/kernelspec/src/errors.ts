import { JupyterTsError } from "@jupyter-ts/protocol";

const LIST_HINT = "(run `jupyter-ts kernelspec list`)";

/**
 * No kernelspec of that name in the search path (Python's `NoSuchKernel`).
 * The kernel's name is `kernelName`: `name` stays the error class's name,
 * as on every jupyter-ts error.
 */
export class NoSuchKernelError extends JupyterTsError {
  /** The name asked for, as given. */
  readonly kernelName: string;
  /** The names that are installed, sorted. */
  readonly available: readonly string[];

  /**
   * `options.reason`: why an installed kernelspec of that name cannot be
   * used (its kernel provisioner is missing, ...); it then replaces "not found".
   */
  constructor(kernelName: string, available: readonly string[], options?: { cause?: unknown; reason?: string }) {
    const installed = available.length > 0 ? available.join(", ") : "none";
    const message =
      options?.reason === undefined
        ? `kernelspec '${kernelName}' not found; installed: ${installed} ${LIST_HINT}`
        : `kernelspec '${kernelName}' is installed but not available: ${options.reason}; available: ${installed} ${LIST_HINT}`;
    super("ERR_NO_SUCH_KERNEL", message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kernelName = kernelName;
    this.available = available;
  }
}

/** A kernel.json that cannot be read, is not JSON, or has a field of the wrong type. */
export class InvalidKernelSpecError extends JupyterTsError {
  /** The kernel.json (or the directory that lacks one). */
  readonly file: string;
  /** The offending field (`argv`, `env.PATH`, ...), or undefined when the whole file is bad. */
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, message: string, options?: { cause?: unknown }) {
    super("ERR_INVALID_KERNELSPEC", message, options);
    this.file = file;
    this.field = field;
  }
}

/**
 * A kernel name that cannot name a kernelspec directory: kernel names are
 * ASCII letters, digits, `-`, `.` and `_`, and never `.` or `..`.
 */
export class InvalidKernelNameError extends JupyterTsError {
  /** The rejected name. */
  readonly kernelName: string;

  constructor(kernelName: string, message: string) {
    super("ERR_INVALID_KERNEL_NAME", message);
    this.kernelName = kernelName;
  }
}

/** `installKernelSpec` with `replace: false` found a kernelspec already at the destination. */
export class KernelSpecExistsError extends JupyterTsError {
  readonly kernelName: string;
  /** The existing kernelspec directory. */
  readonly path: string;

  constructor(kernelName: string, path: string) {
    super(
      "ERR_KERNELSPEC_EXISTS",
      `kernelspec '${kernelName}' is already installed at ${path}; pass replace: true (or --replace) to overwrite it, or choose another name`,
    );
    this.kernelName = kernelName;
    this.path = path;
  }
}

/** Options of a kernelspec operation that contradict each other (`user` with `prefix`, ...). */
export class KernelSpecOptionsError extends JupyterTsError {
  constructor(message: string) {
    super("ERR_KERNELSPEC_OPTIONS", message);
  }
}
