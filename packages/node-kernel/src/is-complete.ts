import { acornParser } from "./acorn.js";
import { PARSE_OPTIONS } from "./transform.js";

/** An `is_complete_reply`. */
export interface CompleteStatus {
  status: "complete" | "incomplete" | "invalid";
  /** For `incomplete`: the indentation of the next line. */
  indent?: string;
}

const INDENT_UNIT = "  ";

/** How many brackets are open at the end of `code` (as far as it tokenizes). */
function openBrackets(code: string): number {
  let depth = 0;
  const { tokenizer, tokTypes } = acornParser();
  try {
    for (const token of tokenizer(code, PARSE_OPTIONS)) {
      const t = token.type;
      if (t === tokTypes.braceL || t === tokTypes.parenL || t === tokTypes.bracketL || t === tokTypes.dollarBraceL) depth++;
      else if (t === tokTypes.braceR || t === tokTypes.parenR || t === tokTypes.bracketR) depth--;
    }
  } catch {
    // stops at the unfinished part; the count so far is what we need
  }
  return Math.max(0, depth);
}

/** The next line's indentation: the last line's, one level deeper after an opening bracket. */
function nextIndent(code: string): string {
  const lines = code.split(/\r\n?|\n/);
  const last = [...lines].reverse().find((l) => l.trim() !== "") ?? "";
  const own = /^[ \t]*/.exec(last)?.[0] ?? "";
  const opens = /[{([]\s*$|=>\s*$/.test(last);
  if (opens) return own + INDENT_UNIT;
  // A continued expression (`a +`) or statement head (`if (x)`) on a line of its own.
  return openBrackets(code) > 0 && own === "" ? INDENT_UNIT : own;
}

/**
 * Whether a cell is ready to run, from the parser: `incomplete` when the
 * input stops inside something (an open bracket, template literal or block
 * comment, a statement or expression cut short), `invalid` for any other
 * syntax error, else `complete`.
 *
 * @example
 * isComplete("for (const x of xs) {"); // { status: "incomplete", indent: "  " }
 * isComplete("1 +* 2");                 // { status: "invalid" }
 */
export function isComplete(code: string): CompleteStatus {
  try {
    acornParser().parse(code, PARSE_OPTIONS);
    return { status: "complete" };
  } catch (error) {
    const e = error as { message?: unknown; pos?: unknown };
    const message = typeof e.message === "string" ? e.message : "";
    const atEnd = typeof e.pos === "number" && e.pos >= code.trimEnd().length;
    if (/^Unterminated (template|comment)/.test(message)) return { status: "incomplete", indent: "" };
    // A string may only go on to the next line after a backslash.
    if (/^Unterminated string constant/.test(message)) return /\\\r?\n?$/.test(code) ? { status: "incomplete", indent: "" } : { status: "invalid" };
    if (atEnd && /^Unexpected token/.test(message)) return { status: "incomplete", indent: nextIndent(code) };
    return { status: "invalid" };
  }
}
