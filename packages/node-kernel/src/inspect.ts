import type { Node } from "acorn";
import { inspect as utilInspect } from "node:util";
import { acornParser } from "./acorn.js";
import { codePointToUtf16, type MimeBundle } from "@jupyter-ts/protocol";
import { chainAtEnd, isNative, resolvePath, safeGet, safeSource, typeName, type Chain } from "./introspect.js";

/** An `inspect_reply` without its status. */
export interface Inspection {
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

const IDENTIFIER_TAIL = /^[$\u200c\u200d\p{ID_Continue}]*/u;
const PREVIEW_LIMIT = 2000;

/** The chain under the cursor, or the callee of the call the cursor is in (`f(a, |`). */
function chainAt(code: string, cursor: number): Chain | undefined {
  const end = cursor + (IDENTIFIER_TAIL.exec(code.slice(cursor))?.[0].length ?? 0);
  const direct = chainAtEnd(code.slice(0, end));
  if (direct && direct.start + direct.text.length >= cursor) return direct;
  // Walk back to the unclosed "(" the cursor sits in.
  let depth = 0;
  for (let i = cursor - 1; i >= 0 && i >= cursor - 2000; i--) {
    const c = code[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "[" || c === "{") depth--;
    else if (c === "(") {
      if (depth === 0) return chainAtEnd(code.slice(0, i));
      depth--;
    }
    if (depth < 0) return undefined;
  }
  return undefined;
}

/** `name(a, b = 1)` from a function's source, or a placeholder for native code. */
export function signatureOf(fn: (...args: never[]) => unknown, name: string): string {
  const source = safeSource(fn);
  if (isNative(fn) || source === "") {
    const params = Array.from({ length: fn.length }, (_, i) => `arg${i}`).join(", ");
    return `${name}(${params})`;
  }
  // A function, arrow or class parses as an expression; a method needs an object around it.
  for (const [prefix, suffix] of [["(", ")"], ["({", "})"]] as const) {
    let node: Node;
    try {
      node = acornParser().parseExpressionAt(`${prefix}${source}${suffix}`, 0, { ecmaVersion: "latest" });
    } catch {
      continue;
    }
    const text = (n: Node): string => `${prefix}${source}${suffix}`.slice(n.start, n.end);
    const params = paramsOf(node);
    if (params === undefined) continue;
    const keyword = /^class\b/.test(source) ? "new " : /^async\b/.test(source) ? "async " : "";
    return `${keyword}${name}(${params.map(text).join(", ")})`;
  }
  return `${name}(…)`;
}

type AnyNode = Node & Record<string, unknown>;

function paramsOf(node: Node): Node[] | undefined {
  const n = node as AnyNode;
  switch (node.type) {
    case "ParenthesizedExpression":
      return paramsOf(n["expression"] as Node);
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return n["params"] as Node[];
    case "ClassExpression": {
      const body = (n["body"] as AnyNode)["body"] as AnyNode[];
      const ctor = body.find((m) => m.type === "MethodDefinition" && m["kind"] === "constructor");
      return ctor ? ((ctor["value"] as AnyNode)["params"] as Node[]) : [];
    }
    case "ObjectExpression": {
      const prop = (n["properties"] as AnyNode[])[0];
      return prop ? paramsOf(prop["value"] as Node) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Help on what is under the cursor (or the function whose call it is in):
 * its type, a function's signature, a value's preview, and at
 * `detailLevel` 1 a function's source. Values are read without running
 * user code.
 */
export function inspectAt(code: string, cursorPos: number, detailLevel: 0 | 1, global: object): Inspection {
  const notFound: Inspection = { found: false, data: {}, metadata: {} };
  const chain = chainAt(code, codePointToUtf16(code, cursorPos));
  if (!chain) return notFound;
  const lookup = resolvePath(global, chain.path);
  if (!lookup.found) {
    if (!lookup.getter) return notFound;
    const text = `${chain.text}: a getter (not called: reading it may run code)`;
    return { found: true, data: { "text/plain": text }, metadata: {} };
  }
  const value = lookup.value;
  const lines: string[] = [];
  const type = typeName(value);
  if (typeof value === "function") {
    const name = value.name || chain.path.at(-1) || "anonymous";
    lines.push(`Signature: ${signatureOf(value as (...args: never[]) => unknown, name)}`);
    lines.push(`Type:      ${type}`);
    const length = safeGet(value, "length");
    if (length.found) lines.push(`Arity:     ${String(length.value)}`);
    if (detailLevel === 1) {
      lines.push("Source:");
      lines.push(safeSource(value));
    }
  } else {
    lines.push(`Type:      ${type}`);
    let preview = utilInspect(value, { colors: false, depth: detailLevel === 1 ? 3 : 1, maxArrayLength: 20, breakLength: 100 });
    if (preview.length > PREVIEW_LIMIT) preview = `${preview.slice(0, PREVIEW_LIMIT)}…`;
    lines.push(`Value:     ${preview.includes("\n") ? `\n${preview}` : preview}`);
    if (typeof value === "string" || Array.isArray(value)) lines.push(`Length:    ${value.length}`);
  }
  return { found: true, data: { "text/plain": lines.join("\n") }, metadata: {} };
}
