import { inspect } from "node:util";
import type { MimeBundle } from "@jupyter-ts/protocol";

/**
 * The display protocol: an object with a method under this symbol shows
 * itself. The method returns a MIME bundle (`{ "text/html": "<b>hi</b>" }`),
 * or `{ data, metadata }`, or a promise of either; `text/plain` is added when
 * missing. `Symbol.for` makes it reachable without importing this package.
 * A promise is awaited for a cell's result; `display()` shows it when it
 * settles (so it may come after output printed meanwhile).
 *
 * @example
 * class Money {
 *   constructor(amount) { this.amount = amount; }
 *   [Symbol.for("jupyter.display")]() {
 *     return { "text/html": `<b>${this.amount.toFixed(2)} €</b>`, "text/plain": `${this.amount} EUR` };
 *   }
 * }
 * new Money(3) // shown as bold "3.00 €" in a notebook, "3 EUR" in a console
 */
export const DISPLAY_SYMBOL: unique symbol = Symbol.for("jupyter.display") as never;

/** A value as output: its MIME bundle and metadata. */
export interface Formatted {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

const INSPECT_OPTIONS = { colors: false, depth: 4, maxArrayLength: 100, maxStringLength: 100_000, breakLength: 80 } as const;
/** Above this, a value is not also sent as application/json (the text/plain stays). */
const JSON_LIMIT = 1_000_000;
const MIME_KEY = /^[\w.+-]+\/[\w.+-]+$/;

/** `text/plain` of a value: `util.inspect` without colours, as the Node REPL shows it. */
export function plainText(value: unknown): string {
  try {
    return inspect(value, INSPECT_OPTIONS);
  } catch (error) {
    // A hostile value (a Proxy whose traps throw): say so instead of failing the cell.
    return `[value that cannot be inspected: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || (typeof proto === "object" && Object.getPrototypeOf(proto) === null && Object.hasOwn(proto, "hasOwnProperty"));
}

/** True when `JSON.stringify` keeps everything in `value` (no functions, undefined, NaN, cycles, class instances). */
function isFaithfulJson(value: unknown, budget = { nodes: 100_000 }, seen = new Set<object>()): boolean {
  if (--budget.nodes < 0) return false;
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (!isPlainData(value) || seen.has(value)) return false;
  seen.add(value);
  const ok = Array.isArray(value)
    ? value.length === Object.keys(value).length && value.every((v) => isFaithfulJson(v, budget, seen))
    : Object.getOwnPropertySymbols(value).length === 0 && Object.values(value).every((v) => isFaithfulJson(v, budget, seen));
  seen.delete(value);
  return ok;
}

/** A MIME bundle given by user code: an object whose keys are MIME types. */
export function isMimeBundle(value: unknown): value is MimeBundle {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => MIME_KEY.test(k));
}

function fromHook(returned: unknown, value: unknown): Formatted | undefined {
  if (isMimeBundle(returned)) return { data: { "text/plain": plainText(value), ...returned }, metadata: {} };
  const r = returned as { data?: unknown; metadata?: unknown } | null;
  if (typeof r === "object" && r !== null && isMimeBundle(r.data)) {
    const metadata = typeof r.metadata === "object" && r.metadata !== null ? (r.metadata as Record<string, unknown>) : {};
    return { data: { "text/plain": plainText(value), ...r.data }, metadata };
  }
  return undefined;
}

/**
 * How a value is shown (the cell's result, or `display(value)`):
 *
 * - an object with a {@link DISPLAY_SYMBOL} method: the bundle it returns;
 * - an object with `_toHtml()` (IJavascript's convention): `text/html`;
 * - nested data (plain objects and arrays holding objects or arrays) that
 *   JSON keeps whole: also `application/json`, for the frontend's tree view;
 * - always `text/plain`, from `util.inspect` without colour codes.
 *
 * Synchronous unless a hook returned a promise.
 */
export function formatValue(value: unknown): Formatted | Promise<Formatted> {
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    const hook = (value as Record<symbol, unknown>)[DISPLAY_SYMBOL];
    if (typeof hook === "function") {
      const returned: unknown = (hook as () => unknown).call(value);
      if (isThenable(returned)) return Promise.resolve(returned).then((r) => fromHook(r, value) ?? formatData(value));
      const formatted = fromHook(returned, value);
      if (formatted) return formatted;
    }
    const toHtml = (value as { _toHtml?: unknown })._toHtml;
    if (typeof toHtml === "function") {
      const html: unknown = (toHtml as () => unknown).call(value);
      const withHtml = (h: unknown): Formatted =>
        typeof h === "string" ? { data: { "text/plain": plainText(value), "text/html": h }, metadata: {} } : formatData(value);
      return isThenable(html) ? Promise.resolve(html).then(withHtml) : withHtml(html);
    }
  }
  return formatData(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function formatData(value: unknown): Formatted {
  const data: MimeBundle = { "text/plain": plainText(value) };
  const metadata: Record<string, unknown> = {};
  const nested = isPlainData(value) && Object.values(value).some((v) => typeof v === "object" && v !== null);
  if (nested && isFaithfulJson(value)) {
    const json = JSON.stringify(value);
    if (json.length <= JSON_LIMIT) {
      // A fresh copy: the frontend gets the data as it was when shown.
      data["application/json"] = JSON.parse(json) as unknown;
      metadata["application/json"] = { expanded: false };
    }
  }
  return { data, metadata };
}
