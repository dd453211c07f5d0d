import type { ImportDeclaration, Node, Options, Pattern, Program, VariableDeclaration } from "acorn";
import type { RecursiveVisitors } from "acorn-walk";
import { acornParser, acornWalk } from "./acorn.js";

/** How cells are parsed: scripts (sloppy mode, like the REPL) that may hold `await` and `import` anywhere. */
export const PARSE_OPTIONS: Options = {
  ecmaVersion: "latest",
  sourceType: "script",
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowHashBang: true,
};

/** A cell rewritten so that its declarations outlive it. */
export interface TransformedCell {
  /** The script to run. */
  code: string;
  /** True when `code` evaluates to a promise of `[value]` (the cell had top-level `await` or `import`). */
  async: boolean;
  /** True when the cell ends with an expression statement, whose value is the cell's result. */
  hasResult: boolean;
  /** Top-level names the cell declares (they become properties of the global object). */
  declared: string[];
  /** Line offset to give `vm.Script` so that stack traces name the cell's own lines. */
  lineOffset: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The names a binding pattern declares. */
export function patternNames(pattern: Pattern, into: string[] = []): string[] {
  switch (pattern.type) {
    case "Identifier":
      into.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const prop of pattern.properties) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, into);
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) if (element) patternNames(element, into);
      break;
    case "RestElement":
      patternNames(pattern.argument, into);
      break;
    case "AssignmentPattern":
      patternNames(pattern.left, into);
      break;
    default:
      break;
  }
  return into;
}

// Walks statements and expressions but never into a function body: what is
// found is at the top level of the cell (for `await` and nested `var`).
const outsideFunctions = (base: RecursiveVisitors<unknown>): RecursiveVisitors<unknown> => ({ ...base, Function: () => undefined }) as RecursiveVisitors<unknown>;

function findTopLevel(program: Program): { hasAwait: boolean; nestedVars: VariableDeclaration[] } {
  let hasAwait = false;
  const nestedVars: VariableDeclaration[] = [];
  const topLevel = new Set<Node>(program.body);
  const { base, recursive } = acornWalk();
  recursive(program, undefined, {
    ...outsideFunctions(base),
    AwaitExpression(node, state, c) {
      hasAwait = true;
      base.AwaitExpression?.(node, state, c);
    },
    ForOfStatement(node, state, c) {
      if (node.await) hasAwait = true;
      base.ForOfStatement?.(node, state, c);
    },
    VariableDeclaration(node, state, c) {
      if (node.kind === "var" && !topLevel.has(node)) nestedVars.push(node);
      base.VariableDeclaration?.(node, state, c);
    },
  } as RecursiveVisitors<unknown>);
  return { hasAwait, nestedVars };
}

/**
 * Rewrites a cell so that what it declares at the top level stays defined for
 * later cells, and so that it may use `await` and static `import` at the top
 * level:
 *
 * - `let`, `const` and `class` become assignments to global `var`s (so a cell
 *   can be run again without "already declared" errors);
 * - `import x from "m"` becomes an assignment from `await import("m")`;
 * - a cell with top-level `await` runs in an async arrow function that
 *   returns `[lastExpressionValue]`; its `var`s and functions are hoisted to
 *   globals.
 *
 * Lines keep their numbers; only the columns of rewritten statements move.
 *
 * @throws SyntaxError (acorn's) when the cell does not parse.
 */
export function transformCell(source: string): TransformedCell {
  const program = acornParser().parse(source, PARSE_OPTIONS);
  const body = program.body;
  const hasImport = body.some((s) => s.type === "ImportDeclaration");
  const { hasAwait, nestedVars } = findTopLevel(program);
  const isAsync = hasAwait || hasImport;
  const last = body.at(-1);
  // A cell of only a string (`'done'`) is a directive to the parser, and still a value to show.
  const hasResult = last?.type === "ExpressionStatement";
  const declared: string[] = [];
  const functions: string[] = [];
  const edits: Edit[] = [];
  const text = (n: { start: number; end: number }): string => source.slice(n.start, n.end);

  // A declaration as comma-separated assignments; `reset` gives `let x;` its fresh `undefined`.
  const assignments = (decl: VariableDeclaration, reset: boolean): string[] => {
    const parts: string[] = [];
    for (const d of decl.declarations) {
      patternNames(d.id, declared);
      if (d.init) parts.push(`${text(d.id)} = ${text(d.init)}`);
      else if (reset && d.id.type === "Identifier") parts.push(`${d.id.name} = undefined`);
    }
    return parts;
  };
  const asStatement = (parts: string[]): string => (parts.length === 0 ? ";" : `void (${parts.join(", ")});`);

  for (const stmt of body) {
    switch (stmt.type) {
      case "VariableDeclaration":
        if (stmt.kind !== "var" || isAsync) edits.push({ start: stmt.start, end: stmt.end, text: asStatement(assignments(stmt, stmt.kind !== "var")) });
        else for (const d of stmt.declarations) patternNames(d.id, declared);
        break;
      case "ClassDeclaration": {
        const name = stmt.id.name;
        declared.push(name);
        edits.push({ start: stmt.start, end: stmt.end, text: `void (${name} = ${text(stmt)});` });
        break;
      }
      case "FunctionDeclaration":
        declared.push(stmt.id.name);
        if (isAsync) functions.push(stmt.id.name);
        break;
      case "ImportDeclaration":
        edits.push({ start: stmt.start, end: stmt.end, text: importAsAwait(stmt, source, declared) });
        break;
      default:
        break;
    }
  }

  if (isAsync) {
    for (const decl of nestedVars) {
      const parent = findParentSlot(program, decl);
      if (parent === "for-left") {
        // `for (var x of xs)` -> `for (x of xs)`
        const d = decl.declarations[0];
        if (d) {
          patternNames(d.id, declared);
          edits.push({ start: decl.start, end: decl.end, text: text(d.id) });
        }
      } else if (parent === "for-init") {
        edits.push({ start: decl.start, end: decl.end, text: assignments(decl, false).join(", ") });
      } else {
        edits.push({ start: decl.start, end: decl.end, text: asStatement(assignments(decl, false)) });
      }
    }
    if (hasResult && last.type === "ExpressionStatement") {
      const expr = last.expression;
      edits.push({ start: expr.start, end: expr.start, text: "return [(" });
      edits.push({ start: expr.end, end: expr.end, text: ")]" });
    }
  }

  let code = applyEdits(source, edits);
  const names = [...new Set(declared)];
  const hoisted = names.length > 0 ? `\n;var ${names.join(", ")};` : "";
  if (!isAsync) return { code: code + hoisted, async: false, hasResult, declared: names, lineOffset: 0 };
  const exportFunctions = functions.map((f) => `this[${JSON.stringify(f)}] = ${f};`).join(" ");
  // The wrapper's first line is line -1, so the cell's lines keep their numbers.
  code = `(async () => {${exportFunctions}\n${code}\n})()${hoisted}`;
  return { code, async: true, hasResult, declared: names, lineOffset: -1 };
}

function applyEdits(source: string, edits: Edit[]): string {
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of edits) {
    if (e.start < at) continue; // overlapping edits cannot happen for valid trees; keep the first
    out += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + source.slice(at);
}

/** Where a nested `var` declaration sits: a for-in/of head, a for(;;) init, or a statement. */
function findParentSlot(program: Program, target: VariableDeclaration): "for-left" | "for-init" | "statement" {
  let slot: "for-left" | "for-init" | "statement" = "statement";
  const { base, recursive } = acornWalk();
  recursive(program, undefined, {
    ...outsideFunctions(base),
    ForInStatement(node, state, c) {
      if (node.left === target) slot = "for-left";
      base.ForInStatement?.(node, state, c);
    },
    ForOfStatement(node, state, c) {
      if (node.left === target) slot = "for-left";
      base.ForOfStatement?.(node, state, c);
    },
    ForStatement(node, state, c) {
      if (node.init === target) slot = "for-init";
      base.ForStatement?.(node, state, c);
    },
  } as RecursiveVisitors<unknown>);
  return slot;
}

/** `import a, { b as c } from "m"` as `void ({ default: a, b: c } = await import("m"));`. */
function importAsAwait(node: ImportDeclaration, source: string, declared: string[]): string {
  const text = (n: Node): string => source.slice(n.start, n.end);
  const withPart =
    node.attributes.length > 0 ? `, { with: { ${node.attributes.map((a) => `${text(a.key)}: ${text(a.value)}`).join(", ")} } }` : "";
  const load = `await import(${text(node.source)}${withPart})`;
  if (node.specifiers.length === 0) return `${load};`;
  for (const s of node.specifiers) declared.push(s.local.name);
  const namespace = node.specifiers.find((s) => s.type === "ImportNamespaceSpecifier");
  if (namespace) {
    const ns = namespace.local.name;
    const others = node.specifiers.filter((s) => s !== namespace).map((s) => `${s.local.name} = ${ns}.default`);
    return `void (${[`${ns} = ${load}`, ...others].join(", ")});`;
  }
  const props = node.specifiers.map((s) => {
    if (s.type !== "ImportSpecifier") return `default: ${s.local.name}`;
    const key = s.imported.type === "Literal" ? JSON.stringify(s.imported.value) : s.imported.name;
    return `${key}: ${s.local.name}`;
  });
  return `void ({ ${props.join(", ")} } = ${load});`;
}
