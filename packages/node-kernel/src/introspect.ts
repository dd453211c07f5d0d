// Reading values for completion and inspection without running user code:
// only property chains (`a.b["c"][0]`) are followed, only data properties and
// native getters are read, and proxies are not touched.
import { types } from "node:util";

const ID = "[$_\\p{ID_Start}][$\\u200c\\u200d\\p{ID_Continue}]*";
const STRING = `"(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*'`;
const SEGMENT = `\\s*(?:\\??\\.\\s*${ID}|(?:\\?\\.)?\\[\\s*(?:${STRING}|\\d+)\\s*\\])`;
const CHAIN_AT_END = new RegExp(`(${ID})((?:${SEGMENT})*)\\s*$`, "u");
const SEGMENTS = new RegExp(`\\??\\.\\s*(${ID})|\\[\\s*(${STRING}|\\d+)\\s*\\]`, "gu");
const IDENTIFIER = new RegExp(`^${ID}$`, "u");
/** How far back a chain is looked for (keeps the anchored regex cheap on long cells). */
const LOOKBACK = 2000;

/** The JavaScript keywords offered by completion. */
export const KEYWORDS: readonly string[] = [
  "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "let",
  "new", "null", "of", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "undefined",
  "var", "void", "while", "with", "yield",
];

/** True for a name usable as `obj.name`. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A property chain found in source text. */
export interface Chain {
  /** The chain as written, e.g. `process.env` or `a["b"][0]`. */
  text: string;
  /** Its first name and then the property keys. */
  path: string[];
  /** UTF-16 index of its start. */
  start: number;
}

function unquote(literal: string): string {
  if (!/^["']/.test(literal)) return literal;
  return literal.slice(1, -1).replace(/\\(.)/g, "$1");
}

/**
 * The property chain that ends at the end of `text` (spaces allowed), or
 * undefined when there is none or when it hangs off something that would
 * have to run (`f().x`, `(a + b).x`).
 */
export function chainAtEnd(text: string): Chain | undefined {
  const offset = Math.max(0, text.length - LOOKBACK);
  const tail = text.slice(offset);
  const m = CHAIN_AT_END.exec(tail);
  if (!m || m[1] === undefined) return undefined;
  const before = tail.slice(0, m.index).trimEnd();
  if (before.endsWith(".") || before.endsWith("]") || before.endsWith(")")) return undefined;
  const path = [m[1]];
  for (const s of (m[2] ?? "").matchAll(SEGMENTS)) path.push(s[1] ?? unquote(s[2] ?? ""));
  return { text: m[0].trimEnd(), path, start: offset + m.index };
}

const nativeSource = /\{\s*\[native code\]\s*\}\s*$/;

/** True for functions implemented by the engine (safe getters to call). */
export function isNative(fn: unknown): boolean {
  if (typeof fn !== "function") return false;
  try {
    return nativeSource.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

// The getters of Node's own globals that an Evaluator copied into its context.
const nodeGetters = new WeakSet<object>();

/** Marks a getter copied from Node's global object as safe to call for completion. */
export function markNodeGetter(getter: () => unknown): void {
  nodeGetters.add(getter);
}

/** The result of reading one property without side effects. */
export type Lookup = { found: true; value: unknown } | { found: false; getter?: boolean };

/** The object whose prototype chain holds the properties of `value`. */
function holder(value: unknown): object | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "object" || typeof value === "function" ? value : Object(value);
}

/**
 * Reads `value[key]` when that runs no user code: a data property anywhere
 * on the prototype chain, or a getter that is native. With `nodeGlobals`
 * (lookups on the global object) also Node's own lazy globals (`fetch`,
 * `crypto`, ...), whose getters are the main context's.
 */
export function safeGet(value: unknown, key: string, nodeGlobals = false): Lookup {
  for (let o = holder(value); o !== undefined && o !== null; o = Object.getPrototypeOf(o) as object | null ?? undefined) {
    if (types.isProxy(o)) return { found: false };
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d === undefined) continue;
    if ("value" in d) return { found: true, value: d.value };
    const ours = nodeGlobals && d.get !== undefined && nodeGetters.has(d.get);
    if (d.get && (ours || isNative(d.get))) {
      try {
        return { found: true, value: Reflect.apply(d.get, value, []) as unknown };
      } catch {
        return { found: false, getter: true };
      }
    }
    return { found: false, getter: d.get !== undefined };
  }
  return { found: false };
}

/** Follows a chain from the global object; never calls user functions. */
export function resolvePath(global: object, path: readonly string[]): Lookup {
  const [first, ...rest] = path;
  if (first === undefined) return { found: false };
  let current: Lookup = first === "this" ? { found: true, value: global } : safeGet(global, first, true);
  for (const key of rest) {
    if (!current.found) return current;
    current = safeGet(current.value, key);
  }
  return current;
}

/** Every property name of a value and its prototypes (own first), at most `limit`. */
export function propertyNames(value: unknown, limit = 5000): string[] {
  const names = new Set<string>();
  for (let o = holder(value); o !== undefined && o !== null && names.size < limit; o = Object.getPrototypeOf(o) as object | null ?? undefined) {
    if (types.isProxy(o)) break;
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  }
  return [...names];
}

/** A short kind for a value, as JupyterLab's completer shows it. */
export function kindOf(lookup: Lookup): string {
  if (!lookup.found) return lookup.getter ? "property" : "instance";
  const v = lookup.value;
  if (typeof v === "function") {
    try {
      return /^class\b/.test(Function.prototype.toString.call(v)) || /^[A-Z]/.test(v.name) ? "class" : "function";
    } catch {
      return "function";
    }
  }
  if (types.isModuleNamespaceObject(v)) return "module";
  return "instance";
}

/** The type name to show for a value: `function`, `class`, `Array`, `Map`, `string`, `null`, ... */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return /^class\b/.test(safeSource(value)) ? "class" : "function";
  if (typeof value !== "object") return typeof value;
  if (types.isModuleNamespaceObject(value)) return "module";
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const proto = types.isProxy(value) ? undefined : (Object.getPrototypeOf(value) as object | null);
  const ctor = proto ? safeGet(proto, "constructor") : { found: false as const };
  const name = ctor.found && typeof ctor.value === "function" ? ctor.value.name : "";
  return name || tag;
}

/** `fn.toString()`, or "" when it throws. */
export function safeSource(fn: unknown): string {
  try {
    return Function.prototype.toString.call(fn);
  } catch {
    return "";
  }
}
