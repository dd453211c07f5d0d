import { acornParser } from "./acorn.js";
import { codePointToUtf16, utf16ToCodePoint } from "@jupyter-ts/protocol";
import { KEYWORDS, chainAtEnd, isIdentifier, kindOf, propertyNames, resolvePath, safeGet } from "./introspect.js";
import { PARSE_OPTIONS } from "./transform.js";

/** A `complete_reply` without its status. */
export interface Completion {
  matches: string[];
  /** Code points, as the protocol counts. */
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}

const PREFIX = /[$_\p{ID_Start}][$\u200c\u200d\p{ID_Continue}]*$/u;
const MAX_MATCHES = 1000;

/** What the tokenizer sees before the cursor: inside a string or comment, and the names used. */
function scan(before: string): { inStringOrComment: boolean; names: Set<string> } {
  const names = new Set<string>();
  let inComment = false;
  try {
    const { tokenizer, tokTypes } = acornParser();
    const tokens = tokenizer(before, {
      ...PARSE_OPTIONS,
      onComment: (block, _text, _start, end) => {
        if (!block && end === before.length) inComment = true;
      },
    });
    for (const token of tokens) if (token.type === tokTypes.name) names.add(before.slice(token.start, token.end));
  } catch (error) {
    // Running out of input inside a string, template text or comment.
    if (/^Unterminated (string|template|comment)/.test((error as Error).message)) return { inStringOrComment: true, names };
  }
  return { inStringOrComment: inComment, names };
}

/** Names first by case-insensitive order, private-looking (`_x`) ones last. */
function byRelevance(a: string, b: string): number {
  const pa = a.startsWith("_") ? 1 : 0;
  const pb = b.startsWith("_") ? 1 : 0;
  return pa - pb || a.localeCompare(b, "en", { sensitivity: "base" }) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Completions at `cursorPos` (code points) in `code`, from the global object
 * of user code: after `obj.` (also `a.b?.c["d"].`) the properties of that
 * object and its prototypes, read without calling user code; otherwise
 * globals, keywords and the names already used in the cell. Nothing inside
 * strings and comments.
 */
export function complete(code: string, cursorPos: number, global: object): Completion {
  const cursor = codePointToUtf16(code, cursorPos);
  const before = code.slice(0, cursor);
  const empty: Completion = { matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} };
  const { inStringOrComment, names } = scan(before);
  if (inStringOrComment) return empty;
  const prefix = PREFIX.exec(before)?.[0] ?? "";
  const start = cursor - prefix.length;
  const head = before.slice(0, start);
  // A number like `1.` is not an object to complete on.
  if (/(^|[^$\p{ID_Continue}])\d+\.?$/u.test(head) && prefix === "") return empty;
  const member = /\??\.\s*$/.exec(head);
  const candidates = new Map<string, string>();
  if (member) {
    const chain = chainAtEnd(head.slice(0, member.index));
    if (!chain) return { ...empty, cursor_start: utf16ToCodePoint(code, start) };
    const target = resolvePath(global, chain.path);
    if (!target.found) return { ...empty, cursor_start: utf16ToCodePoint(code, start) };
    for (const name of propertyNames(target.value)) {
      if (name.startsWith(prefix) && isIdentifier(name)) candidates.set(name, "");
    }
    for (const name of candidates.keys()) candidates.set(name, kindOf(safeGet(target.value, name)));
  } else {
    if (/#$/.test(head)) return empty;
    for (const name of propertyNames(global)) {
      if (name.startsWith(prefix) && isIdentifier(name) && !Object.hasOwn(Object.prototype, name)) candidates.set(name, "");
    }
    for (const name of candidates.keys()) candidates.set(name, kindOf(safeGet(global, name, true)));
    for (const word of KEYWORDS) if (word.startsWith(prefix) && !candidates.has(word)) candidates.set(word, "keyword");
    names.delete(prefix);
    for (const word of names) if (word.startsWith(prefix) && !candidates.has(word)) candidates.set(word, "instance");
  }
  const matches = [...candidates.keys()].sort(byRelevance).slice(0, MAX_MATCHES);
  const cursorStart = utf16ToCodePoint(code, start);
  return {
    matches,
    cursor_start: cursorStart,
    cursor_end: cursorPos,
    metadata: {
      _jupyter_types_experimental: matches.map((text) => ({ start: cursorStart, end: cursorPos, text, type: candidates.get(text) ?? "" })),
    },
  };
}
