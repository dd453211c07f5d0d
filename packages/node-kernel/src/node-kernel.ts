import vm from "node:vm";
import {
  Kernel,
  type CompleteResult,
  type ExecuteContext,
  type ExecuteOutcome,
  type InspectResult,
  type IsCompleteResult,
  type KernelOptions,
  type LanguageInfo,
  type RequestContext,
} from "@jupyter-ts/kernel";
import { complete } from "./complete.js";
import { formatValue, plainText } from "./display.js";
import { Evaluator, isSigintInterruption, type OutputSink } from "./evaluator.js";
import { inspectAt } from "./inspect.js";
import { isComplete } from "./is-complete.js";
import { VERSION } from "./version.js";
import { OutputRouter } from "./output.js";
import { errorReport } from "./traceback.js";
import { createUserGlobals, type UserGlobals } from "./user-globals.js";

/** Options of {@link NodeKernel}: the base kernel's, and how user code runs. */
export interface NodeKernelOptions extends KernelOptions {
  /** Where `require` and relative `import()` of user code resolve from; default `process.cwd()`. */
  cwd?: string;
  /**
   * Send what anything in the process writes to `process.stdout` and
   * `process.stderr` while a cell (or a timer or promise it started) runs
   * to the notebook too, like `console.*` of user code. Default true.
   */
  captureProcessOutput?: boolean;
  /**
   * Report errors that escape user code later (a throw in a timer, an
   * unhandled rejection) on the stderr stream of the cell that caused them,
   * instead of letting them end the process. Default true.
   */
  catchUncaught?: boolean;
}

const processSink: OutputSink = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * The JavaScript kernel: runs cells in one persistent Node.js `vm` context
 * (see {@link Evaluator}), with `display`, `clearOutput`, `input` and
 * `comms` as globals of user code, completion, inspection, `is_complete`
 * from the parser, and interrupts that stop `while (true) {}`.
 *
 * @example
 * import { serveKernel } from "@jupyter-ts/kernel";
 * await serveKernel((options) => new NodeKernel(options)); // node main.js -f kernel.json
 */
export class NodeKernel extends Kernel {
  readonly implementation: string = "jupyter-ts-node";
  readonly implementationVersion: string = VERSION;
  readonly languageInfo: LanguageInfo = {
    name: "javascript",
    version: process.versions.node,
    mimetype: "text/javascript",
    file_extension: ".js",
    pygments_lexer: "javascript",
    codemirror_mode: "javascript",
    nbconvert_exporter: "script",
  };
  override readonly banner: string = `Node.js ${process.version} (jupyter-ts node-kernel ${VERSION}): top-level await, display(), input(), comms`;
  override readonly helpLinks: Array<{ text: string; url: string }> = [
    { text: "Node.js API", url: "https://nodejs.org/docs/latest/api/" },
    { text: "JavaScript (MDN)", url: "https://developer.mozilla.org/en-US/docs/Web/JavaScript" },
  ];
  /** Runs the cells; its `global` is what user code sees as `globalThis`. */
  readonly evaluator: Evaluator;
  /** The globals given to user code (`display`, `clearOutput`, `input`, `comms`). */
  readonly userGlobals: UserGlobals;

  readonly #output: OutputRouter;
  readonly #captureProcessOutput: boolean;
  readonly #catchUncaught: boolean;
  readonly #handleSignals: boolean;
  #restore: (() => void) | undefined;

  constructor(options: NodeKernelOptions = {}) {
    super(options);
    this.#captureProcessOutput = options.captureProcessOutput ?? true;
    this.#catchUncaught = options.catchUncaught ?? true;
    this.#handleSignals = options.handleSignals ?? true;
    this.#output = new OutputRouter(processSink);
    this.userGlobals = createUserGlobals(this.#output, this.comms);
    this.evaluator = new Evaluator({
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      output: this.#output,
      globals: { ...this.userGlobals },
    });
  }

  override async start(): Promise<void> {
    await super.start();
    this.#install();
  }

  override async stop(): Promise<void> {
    this.#restore?.();
    this.#restore = undefined;
    this.#output.flush();
    await super.stop();
    this.#output.dispose();
  }

  /** Hooks process output and uncaught errors (see the options); undone by `stop()`. */
  #install(): void {
    const undo: Array<() => void> = [];
    if (this.#captureProcessOutput) {
      const output = this.#output;
      for (const name of ["stdout", "stderr"] as const) {
        const stream = process[name];
        const original = stream.write;
        // Only output made on behalf of a cell is taken; the kernel's own log stays on the terminal.
        const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
          if (output.capturing === undefined) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
          output.write(name, typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk as Uint8Array));
          const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
          if (callback) queueMicrotask(callback);
          return true;
        };
        stream.write = write as typeof stream.write;
        undo.push(() => {
          if (stream.write === write) stream.write = original;
        });
      }
    }
    if (this.#catchUncaught) {
      const report = (what: string) => (error: unknown) => {
        const { traceback } = errorReport(error);
        this.#output.write("stderr", `${what}: ${traceback.join("\n") || plainText(error)}\n`);
      };
      const onException = report("Uncaught exception");
      const onRejection = report("Unhandled promise rejection");
      process.on("uncaughtException", onException);
      process.on("unhandledRejection", onRejection);
      undo.push(() => {
        process.off("uncaughtException", onException);
        process.off("unhandledRejection", onRejection);
      });
    }
    this.#restore = () => {
      for (const fn of undo) fn();
    };
  }

  protected override async execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome> {
    // Let the busy status and execute_input reach zeromq before the cell can block the thread
    // (a frontend shows `while (true) {}` as busy only if they went out).
    await new Promise((resolve) => setImmediate(resolve));
    return this.#output.run(ctx, async (): Promise<ExecuteOutcome> => {
      try {
        const { value, hasResult } = await this.evaluator.evaluate(code, { filename: `In[${ctx.executionCount}]`, signal: ctx.signal });
        const userExpressions = this.#userExpressions(ctx.userExpressions);
        if (!hasResult || value === undefined || ctx.silent) {
          this.#output.flush();
          return { status: "ok", userExpressions };
        }
        const result = await formatValue(value);
        this.#output.flush();
        return { status: "ok", result, userExpressions };
      } catch (error) {
        // SIGINT taken by vm's breakOnSigint never reached the base's handler: let it run now,
        // so the interrupt counts as handled (and is not replayed onto the next cell).
        if (isSigintInterruption(error) && this.#handleSignals) process.emit("SIGINT", "SIGINT");
        this.#output.flush();
        return { status: "error", ...errorReport(error) };
      }
    });
  }

  /** `user_expressions`: each evaluated (synchronously) after the cell, as IPython does. */
  #userExpressions(expressions: Record<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(expressions)) {
      try {
        const value: unknown = vm.runInContext(String(expression), this.evaluator.context, { filename: `<user_expression ${name}>`, breakOnSigint: true });
        const formatted = formatValue(value);
        out[name] = formatted instanceof Promise ? { status: "ok", data: { "text/plain": plainText(value) }, metadata: {} } : { status: "ok", ...formatted };
      } catch (error) {
        out[name] = { status: "error", ...errorReport(error) };
      }
    }
    return out;
  }

  protected override complete(code: string, cursorPos: number, ctx: RequestContext): Promise<CompleteResult> {
    void ctx;
    return Promise.resolve(complete(code, cursorPos, this.evaluator.global));
  }

  protected override inspect(code: string, cursorPos: number, detailLevel: 0 | 1, ctx: RequestContext): Promise<InspectResult> {
    void ctx;
    return Promise.resolve(inspectAt(code, cursorPos, detailLevel, this.evaluator.global));
  }

  protected override isComplete(code: string, ctx: RequestContext): Promise<IsCompleteResult> {
    void ctx;
    return Promise.resolve(isComplete(code));
  }
}
