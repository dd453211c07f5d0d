import { JupyterTsError } from "@jupyter-ts/protocol";

/** The base class of the errors `@jupyter-ts/kernel` throws. */
export class KernelError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_KERNEL", message, options);
  }
}

/**
 * `ctx.input()` for a request whose frontend does not take input: the
 * `execute_request` had `allow_stdin: false` (or was not an execute request).
 * Python's `StdinNotImplementedError`.
 */
export class StdinNotAllowedError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_STDIN_NOT_ALLOWED" });
  }
}

/**
 * The kernel was interrupted (interrupt_request or SIGINT) while a request
 * waited: `ctx.input()` rejects with it. Python's `KeyboardInterrupt`.
 */
export class KernelInterruptedError extends KernelError {
  constructor(message = "interrupted: the kernel received an interrupt while waiting", options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_KERNEL_INTERRUPTED" });
  }
}

/** The kernel stopped (shutdown, parent died, `stop()`) while a request waited on it. */
export class KernelStoppedError extends KernelError {
  constructor(message = "the kernel stopped while waiting", options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_KERNEL_STOPPED" });
  }
}

/** A socket could not be bound (the port is taken, the ip is not on this machine, ...). */
export class KernelBindError extends KernelError {
  /** The channel: `shell`, `iopub`, `stdin`, `control` or `hb`. */
  readonly channel: string;
  /** The address tried, e.g. `tcp://127.0.0.1:5555`. */
  readonly url: string;
  constructor(channel: string, url: string, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_KERNEL_BIND" });
    this.channel = channel;
    this.url = url;
  }
}

/** `getConnectionFile()` and friends outside a running kernel, without a connection file to act on. */
export class NoRunningKernelError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_NO_RUNNING_KERNEL" });
  }
}

/** `connectQtconsole()` when `jupyter-qtconsole` is not installed. */
export class QtconsoleNotFoundError extends KernelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_QTCONSOLE_NOT_FOUND" });
  }
}
