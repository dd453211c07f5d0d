import { Console } from "node:console";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import vm from "node:vm";
import { KernelInterruptedError } from "@jupyter-ts/kernel";
import { JupyterTsError } from "@jupyter-ts/protocol";
import { markNodeGetter } from "./introspect.js";
import { transformCell, type TransformedCell } from "./transform.js";
import { syntaxErrorOf } from "./traceback.js";

/** Where `console.*` of user code writes. */
export interface OutputSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Options of {@link Evaluator}. */
export interface EvaluatorOptions {
  /** Where `require` and relative `import()` resolve from; default `process.cwd()`. */
  cwd?: string;
  /** Extra globals of user code (the kernel adds `display`, `input`, ...). */
  globals?: Record<string, unknown>;
  /** Where `console.*` writes; default the process's own stdout/stderr. Change it with {@link Evaluator.output}. */
  output?: OutputSink;
}

/** Options of {@link Evaluator.evaluate}. */
export interface EvaluateOptions {
  /** The name in stack traces, e.g. `In[3]`; default `In[n]` counting evaluations. */
  filename?: string;
  /** Aborting it rejects a pending top-level `await` with {@link KernelInterruptedError}. */
  signal?: AbortSignal;
  /** Stop synchronous code on SIGINT (default true). */
  breakOnSigint?: boolean;
}

/** What a cell evaluated to. */
export interface Evaluation {
  /** The value of the cell's last expression statement (`undefined` when it has none). */
  value: unknown;
  /** True when the cell ends with an expression statement. */
  hasResult: boolean;
}

const processSink: OutputSink = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

const dynamicImport = { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } as vm.ScriptOptions;

// Node warns once per process, at the first `import()`, that
// USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental: noise in the kernel's log
// that tells the user nothing. Take that first import here, quietly.
let loaderWarningMuted = false;
function muteLoaderWarning(context: vm.Context): void {
  if (loaderWarningMuted) return;
  loaderWarningMuted = true;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.includes("USE_MAIN_CONTEXT_DEFAULT_LOADER")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    (new vm.Script(`import("node:path").catch(() => {})`, dynamicImport).runInContext(context) as Promise<unknown>).catch(() => {});
  } finally {
    process.emitWarning = emitWarning;
  }
}

function compile(code: string, options: vm.ScriptOptions): vm.Script {
  return new vm.Script(code, { ...options, ...dynamicImport });
}

/**
 * Runs JavaScript cells in one persistent `vm` context, as a notebook needs:
 * what a cell declares stays for the next cells (also `const`, `let` and
 * `class`, which may be declared again), top-level `await` and static
 * `import` work, the last expression is the cell's value, `console.*` goes to
 * {@link output}, and SIGINT stops a runaway synchronous loop.
 *
 * @example
 * const ev = new Evaluator();
 * await ev.evaluate("const x = await Promise.resolve(20)");
 * (await ev.evaluate("x + 1")).value; // 21
 */
export class Evaluator {
  /** The context object (holds what cells define). */
  readonly context: vm.Context;
  /** The `globalThis` that user code sees (also has the language built-ins). */
  readonly global: Record<string, unknown>;
  /**
   * Where `require` and `import()` resolve from. When it is not the
   * process's working directory, cells are named by absolute paths in it
   * (`/dir/In[3]`), since `import()` resolves relative to the cell's name.
   */
  readonly cwd: string;
  /** Where `console.*` of user code writes; swap it per request. */
  output: OutputSink;
  #count = 0;

  constructor(options: EvaluatorOptions = {}) {
    this.cwd = resolve(options.cwd ?? process.cwd());
    this.output = options.output ?? processSink;
    const sandbox: Record<string, unknown> = {};
    this.context = vm.createContext(sandbox, { name: "jupyter-ts node-kernel" });
    this.global = vm.runInContext("globalThis", this.context) as Record<string, unknown>;
    // Node's own globals (process, Buffer, timers, fetch, ...) are not in a new context.
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (name in this.global || name === "console") continue;
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
      if (!descriptor) continue;
      if (descriptor.get === undefined && descriptor.set === undefined) {
        Object.defineProperty(this.global, name, descriptor);
        continue;
      }
      // Node's lazy globals (crypto, ...) insist on being read from the main global object.
      const { get, enumerable = true } = descriptor;
      const global = this.global;
      const wrapped: PropertyDescriptor = {
        configurable: true,
        enumerable,
        // assigning replaces it in this context only
        set: (value: unknown) => Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable }),
      };
      if (get) wrapped.get = () => Reflect.apply(get, globalThis, []) as unknown;
      Object.defineProperty(global, name, wrapped);
      if (wrapped.get) markNodeGetter(wrapped.get);
    }
    const write = (stream: "stdout" | "stderr") => ({ write: (chunk: string | Uint8Array) => this.output[stream](typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)) });
    const userConsole = new Console({
      stdout: write("stdout") as unknown as NodeJS.WritableStream,
      stderr: write("stderr") as unknown as NodeJS.WritableStream,
      colorMode: false,
      ignoreErrors: false,
    });
    const define = (name: string, value: unknown): void => {
      Object.defineProperty(this.global, name, { value, writable: true, configurable: true, enumerable: false });
    };
    define("console", userConsole);
    define("global", this.global);
    define("require", createRequire(join(this.cwd, "[jupyter-ts node-kernel]")));
    for (const [name, value] of Object.entries(options.globals ?? {})) define(name, value);
    muteLoaderWarning(this.context);
  }

  /** How many cells {@link evaluate} has run. */
  get count(): number {
    return this.#count;
  }

  /**
   * Runs one cell. Resolves with its last expression's value; rejects with
   * what the cell threw (a `SyntaxError` for code that does not parse), or
   * with {@link KernelInterruptedError} when SIGINT stopped synchronous
   * code or `signal` was aborted while the cell awaited.
   */
  async evaluate(code: string, options: EvaluateOptions = {}): Promise<Evaluation> {
    this.#count++;
    const name = options.filename ?? `In[${this.#count}]`;
    // import() resolves relative to the script's file name, taken from the process's cwd when relative.
    const filename = this.cwd === process.cwd() || isAbsolute(name) ? name : join(this.cwd, name);
    if (options.signal?.aborted) throw new KernelInterruptedError("interrupted before the cell ran");
    const script = this.#prepare(code, filename);
    let completion: unknown;
    try {
      completion = script.script.runInContext(this.context, { breakOnSigint: options.breakOnSigint ?? true, displayErrors: true });
    } catch (error) {
      throw interruptedOr(error);
    }
    if (!script.cell) return { value: completion, hasResult: true };
    if (!script.cell.async) return { value: script.cell.hasResult ? completion : undefined, hasResult: script.cell.hasResult };
    const boxed = (await untilAborted(completion as Promise<unknown>, options.signal)) as [unknown] | undefined;
    return { value: script.cell.hasResult ? boxed?.[0] : undefined, hasResult: script.cell.hasResult };
  }

  /** Parses and rewrites a cell; code acorn rejects but V8 takes (rare) runs as it is. */
  #prepare(code: string, filename: string): { script: vm.Script; cell?: TransformedCell } {
    let cell: TransformedCell;
    try {
      cell = transformCell(code);
    } catch (parseError) {
      // V8 decorates its SyntaxError with the line and a caret; prefer it when it agrees.
      try {
        return { script: compile(code, { filename }) };
      } catch (v8Error) {
        throw syntaxErrorOf(parseError, v8Error, code, filename);
      }
    }
    return { script: compile(cell.code, { filename, lineOffset: cell.lineOffset }), cell };
  }
}

/** True for the error {@link Evaluator.evaluate} rejects with when SIGINT stopped synchronous code. */
export function isSigintInterruption(error: unknown): boolean {
  return error instanceof KernelInterruptedError && (error.cause as { code?: unknown } | undefined)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

function interruptedOr(error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
    return new KernelInterruptedError("execution was interrupted (SIGINT)", { cause: error });
  }
  return error;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolvePromise, reject) => {
    // The kernel aborts with KernelInterruptedError or KernelStoppedError; any other reason is an interrupt too.
    const onAbort = (): void => reject(signal.reason instanceof JupyterTsError ? signal.reason : new KernelInterruptedError("interrupted while the cell awaited"));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(interruptedOr(error));
      },
    );
  });
}
