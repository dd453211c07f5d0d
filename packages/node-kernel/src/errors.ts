import { JupyterTsError } from "@jupyter-ts/protocol";

/** A bad argument to one of the globals user code sees (`display`, `input`, ...). */
export class NodeKernelUsageError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_NODE_KERNEL_USAGE", message, options);
  }
}
