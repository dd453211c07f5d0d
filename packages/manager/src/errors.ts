import { JupyterTsError } from "@jupyter-ts/protocol";

/**
 * The kernel exited while it was starting, before it was ready. Names the
 * kernel, the command that started it, how it exited and the last lines it
 * wrote on stderr (when the manager could capture them).
 */
export class KernelStartError extends JupyterTsError {
  /** The kernelspec's name. */
  readonly kernelName: string;
  /** The command line that was run (empty when the provisioner does not say). */
  readonly command: readonly string[];
  /** The exit status: a code, or minus the signal number when a signal ended it; null if unknown. */
  readonly exitCode: number | null;
  /** The last lines of the kernel's stderr, `""` when nothing was captured. */
  readonly stderr: string;

  constructor(
    kernelName: string,
    command: readonly string[],
    exitCode: number | null,
    stderr: string,
    options?: { cause?: unknown },
  ) {
    const how = exitCode === null ? "exited" : exitCode < 0 ? `was killed by signal ${-exitCode}` : `exited with status ${exitCode}`;
    const cmd = command.length > 0 ? ` (${command.join(" ")})` : "";
    const tail = stderr.trim() ? `; its last stderr lines:\n${stderr.trimEnd()}` : "; it wrote nothing on stderr that was captured";
    super(
      "ERR_KERNEL_START",
      `kernel '${kernelName}'${cmd} ${how} before it was ready${tail}\nCheck that the kernelspec's command runs on its own (see \`jupyter-ts kernelspec list\`).`,
      options,
    );
    this.kernelName = kernelName;
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * An operation that needs a running kernel (interrupt, signal, restart, a
 * client) on a manager that has none: never started, or shut down.
 */
export class KernelNotStartedError extends JupyterTsError {
  constructor(message: string) {
    super("ERR_KERNEL_NOT_STARTED", message);
  }
}

/** `MultiKernelManager.startKernel` with a kernel id that is already in use (Python's `DuplicateKernelError`). */
export class DuplicateKernelError extends JupyterTsError {
  /** The id asked for. */
  readonly kernelId: string;
  constructor(kernelId: string) {
    super("ERR_DUPLICATE_KERNEL", `a kernel with id ${kernelId} already exists; shut it down first or pick another id`);
    this.kernelId = kernelId;
  }
}

/** A kernel id that a `MultiKernelManager` does not know (Python raises `KeyError`). */
export class NoSuchKernelIdError extends JupyterTsError {
  /** The id asked for. */
  readonly kernelId: string;
  /** The ids the manager has, running or pending. */
  readonly known: readonly string[];
  constructor(kernelId: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(", ") : "none";
    super("ERR_NO_SUCH_KERNEL_ID", `no kernel with id ${JSON.stringify(kernelId)}; the kernels of this manager are: ${list}`);
    this.kernelId = kernelId;
    this.known = known;
  }
}

/**
 * An interrupt or restart asked of a kernel that is still starting (Python
 * raises `RuntimeError("Kernel is in a pending state")`): await its `ready` first.
 */
export class KernelPendingError extends JupyterTsError {
  /** The kernel's id. */
  readonly kernelId: string;
  constructor(kernelId: string, what: string) {
    super("ERR_KERNEL_PENDING", `cannot ${what} kernel ${kernelId}: it is still starting; await getKernel(id).ready first`);
    this.kernelId = kernelId;
  }
}

/** `startKernel` on a manager whose kernel still runs: shut it down or restart it instead. */
export class KernelRunningError extends JupyterTsError {
  /** The running kernel's id. */
  readonly kernelId: string;
  constructor(kernelId: string) {
    super("ERR_KERNEL_RUNNING", `kernel ${kernelId} is already running; call restartKernel() or shutdownKernel() first`);
    this.kernelId = kernelId;
  }
}
