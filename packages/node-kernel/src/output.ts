import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestContext } from "@jupyter-ts/kernel";
import type { OutputSink } from "./evaluator.js";

type StreamName = "stdout" | "stderr";

/** Above this many buffered characters, stream text is sent at once. */
const FLUSH_AT = 64 * 1024;

/**
 * Routes what user code prints to the request it belongs to: the execute
 * request whose code (or whose timers and promises) is running, else the
 * most recent one, as ipykernel does. Stream text is gathered and sent as one
 * `stream` message per burst, and always before any other output, so the
 * order the user sees is the order of the calls.
 */
export class OutputRouter implements OutputSink {
  readonly #als = new AsyncLocalStorage<RequestContext>();
  #last: RequestContext | undefined;
  #pending: { ctx: RequestContext; name: StreamName; text: string }[] = [];
  #size = 0;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  readonly #fallback: OutputSink;

  /** `fallback` takes output while no request has run yet. */
  constructor(fallback: OutputSink) {
    this.#fallback = fallback;
  }

  /** The request output goes to now. */
  get current(): RequestContext | undefined {
    return this.#als.getStore() ?? this.#last;
  }

  /** The request whose code (or timers and promises) is running now, if any. */
  get capturing(): RequestContext | undefined {
    return this.#als.getStore();
  }

  /** Runs `fn` with `ctx` as the request of everything it prints, now and later. */
  run<T>(ctx: RequestContext, fn: () => T): T {
    this.#last = ctx;
    return this.#als.run(ctx, fn);
  }

  stdout(text: string): void {
    this.write("stdout", text);
  }

  stderr(text: string): void {
    this.write("stderr", text);
  }

  /** Buffers stream text for the current request. */
  write(name: StreamName, text: string): void {
    if (text === "") return;
    const ctx = this.current;
    if (ctx === undefined) {
      this.#fallback[name](text);
      return;
    }
    const last = this.#pending.at(-1);
    if (last && last.ctx === ctx && last.name === name) last.text += text;
    else this.#pending.push({ ctx, name, text });
    this.#size += text.length;
    if (this.#size >= FLUSH_AT) this.flush();
    else this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends the buffered stream text now. */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const pending = this.#pending;
    this.#pending = [];
    this.#size = 0;
    for (const { ctx, name, text } of pending) ctx.stream(name, text);
  }

  /** Drops buffered text and the timer (the kernel is stopping). */
  dispose(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#pending = [];
    this.#size = 0;
  }
}
