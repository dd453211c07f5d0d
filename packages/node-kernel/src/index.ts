/**
 * `@jupyter-ts/node-kernel`: a Jupyter kernel for JavaScript on Node.js: top-level await, rich display,
 * completion, inspection, comms, input, interrupt.
 *
 * @packageDocumentation
 */
export { NodeKernel, type NodeKernelOptions } from "./node-kernel.js";
export { Evaluator, type EvaluateOptions, type Evaluation, type EvaluatorOptions, type OutputSink } from "./evaluator.js";
export { transformCell, type TransformedCell } from "./transform.js";
export { DISPLAY_SYMBOL, formatValue, plainText, type Formatted } from "./display.js";
export { complete, type Completion } from "./complete.js";
export { inspectAt, type Inspection } from "./inspect.js";
export { isComplete, type CompleteStatus } from "./is-complete.js";
export { errorReport, type ErrorReport } from "./traceback.js";
export type { DisplayHandle, DisplayOptions, InputOptions, UserGlobals } from "./user-globals.js";
export { NodeKernelUsageError } from "./errors.js";
export {
  NODE_KERNEL_DISPLAY_NAME,
  NODE_KERNEL_NAME,
  installNodeKernelSpec,
  kernelEntry,
  nodeKernelResourceDir,
  nodeKernelSpec,
  type InstallNodeKernelSpecOptions,
  type NodeKernelSpecOptions,
} from "./kernelspec.js";
export { VERSION } from "./version.js";
