import { JupyterTsError } from "@jupyter-ts/protocol";

/**
 * Nothing arrived in time: a reply, a message on a pull queue, or the kernel
 * being ready. Python raises `queue.Empty` / `TimeoutError` here.
 */
export class KernelTimeoutError extends JupyterTsError {
  /** How long was waited, in ms. */
  readonly timeout: number;
  constructor(timeout: number, message: string, options?: { cause?: unknown }) {
    super("ERR_KERNEL_TIMEOUT", message, options);
    this.timeout = timeout;
  }
}

/** The kernel stopped answering its heartbeat: what was waiting for it will not come. */
export class KernelDiedError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_KERNEL_DIED", message, options);
  }
}

/**
 * A client used the wrong way for its state: a request on a channel that is
 * not running, or a request still waiting when the channels were stopped.
 */
export class ChannelsNotRunningError extends JupyterTsError {
  /** The channel that is not running. */
  readonly channel: string;
  constructor(channel: string, message: string) {
    super("ERR_CHANNELS_NOT_RUNNING", message);
    this.channel = channel;
  }
}
