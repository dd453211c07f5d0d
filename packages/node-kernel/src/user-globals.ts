import type { CommManager } from "@jupyter-ts/comm";
import type { InputOptions } from "@jupyter-ts/kernel";
import { newId, type MimeBundle } from "@jupyter-ts/protocol";
import { formatValue, isMimeBundle, plainText, type Formatted } from "./display.js";
import { NodeKernelUsageError } from "./errors.js";
import type { OutputRouter } from "./output.js";

/** Options of the `display` global. */
export interface DisplayOptions {
  /** `value` is a MIME bundle to show as it is (`{ "text/html": "<b>hi</b>" }`). */
  raw?: boolean;
  /** The output's metadata (e.g. `{ "image/png": { width: 64 } }`). */
  metadata?: Record<string, unknown>;
  /** Name this output (or `true` for a new id) so that it can be updated later. */
  displayId?: string | true;
  /** Replace the earlier output of `displayId` instead of adding one. */
  update?: boolean;
}

/** What `display(value, { displayId })` returns: a way to change that output later. */
export interface DisplayHandle {
  readonly displayId: string;
  /** Replaces the output everywhere it is shown. */
  update(value: unknown, options?: Omit<DisplayOptions, "displayId" | "update">): void;
  /** Shows `value` once more, as a new output with the same id. */
  display(value: unknown, options?: Omit<DisplayOptions, "displayId" | "update">): void;
}

export type { InputOptions };

/** The globals the kernel gives user code, as Jupyter users know them from IPython. */
export interface UserGlobals {
  display(value: unknown, options?: DisplayOptions): DisplayHandle | undefined;
  clearOutput(options?: { wait?: boolean }): void;
  input(prompt?: string, options?: InputOptions): Promise<string>;
  comms: CommManager;
}

function describe(value: unknown): string {
  const text = plainText(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Makes `display`, `clearOutput`, `input` and `comms` for user code, publishing through `router`. */
export function createUserGlobals(router: OutputRouter, comms: CommManager): UserGlobals {
  const requireContext = (what: string) => {
    const ctx = router.current;
    if (ctx === undefined) throw new NodeKernelUsageError(`${what} needs a running request: call it from a cell`);
    return ctx;
  };
  const show = (formatted: Formatted, options: DisplayOptions, displayId: string | undefined): void => {
    const ctx = requireContext("display()");
    router.flush();
    const metadata = { ...formatted.metadata, ...options.metadata };
    ctx.displayData(formatted.data, {
      metadata,
      ...(displayId !== undefined && { displayId }),
      ...(options.update === true && { update: true }),
    });
  };
  const publish = (value: unknown, options: DisplayOptions, displayId: string | undefined): void => {
    if (options.update === true && displayId === undefined) {
      throw new NodeKernelUsageError("display(value, { update: true }) needs the displayId of the output to replace");
    }
    if (options.raw === true) {
      if (!isMimeBundle(value)) {
        throw new NodeKernelUsageError(`display(value, { raw: true }) needs a MIME bundle such as { "text/html": "<b>hi</b>" }; got ${describe(value)}`);
      }
      show({ data: value as MimeBundle, metadata: {} }, options, displayId);
      return;
    }
    const formatted = formatValue(value);
    if (formatted instanceof Promise) {
      formatted.then(
        (f) => show(f, options, displayId),
        (error: unknown) => router.stderr(`display(): the value's display hook failed: ${plainText(error)}\n`),
      );
    } else show(formatted, options, displayId);
  };
  const display = (value: unknown, options: DisplayOptions = {}): DisplayHandle | undefined => {
    const displayId = options.displayId === true ? newId() : options.displayId;
    publish(value, options, displayId);
    if (displayId === undefined) return undefined;
    return {
      displayId,
      update: (next, more = {}) => publish(next, { ...more, update: true }, displayId),
      display: (next, more = {}) => publish(next, more, displayId),
    };
  };
  return {
    display,
    clearOutput: (options = {}) => {
      const ctx = requireContext("clearOutput()");
      router.flush();
      ctx.clearOutput({ wait: options.wait === true });
    },
    input: (prompt = "", options = {}) => {
      let ctx;
      try {
        ctx = requireContext("input()");
      } catch (error) {
        return Promise.reject(error);
      }
      router.flush();
      return ctx.input(String(prompt), { password: options.password === true });
    },
    comms,
  };
}
