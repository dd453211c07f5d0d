import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { KernelInterruptedError } from "@jupyter-ts/kernel";

/** An error as the `error` message and `execute_reply` carry it. */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

// Frames from here on are the kernel's own machinery, not the user's code.
const ownDir = dirname(fileURLToPath(import.meta.url));
const isMachinery = (line: string): boolean =>
  line.includes("(node:vm:") || line.includes(" node:vm:") || line.includes(`${ownDir}/`) || line.includes(`${ownDir}\\`) || line.includes("Script.runInContext");

const isFrame = (line: string): boolean => /^\s+at /.test(line);

/** The stack of `error` without the kernel's own frames (and everything they called from). */
export function cleanStack(stack: string): string[] {
  const lines = stack.split("\n");
  const cut = lines.findIndex((line) => isFrame(line) && isMachinery(line));
  // Node's promise-job frames say nothing about the user's code.
  return (cut === -1 ? lines : lines.slice(0, cut)).filter((line) => !(isFrame(line) && line.includes("node:internal/process/")));
}

function read(value: unknown, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * What a cell threw, for the frontend: the error's class name, its message,
 * and its stack without kernel-internal frames. An interrupt is reported as
 * `KeyboardInterrupt`; a thrown non-error value as `Uncaught`.
 */
export function errorReport(error: unknown): ErrorReport {
  if (error instanceof KernelInterruptedError) {
    return { ename: "KeyboardInterrupt", evalue: error.message, traceback: [`KeyboardInterrupt: ${error.message}`] };
  }
  const stack = read(error, "stack");
  const message = read(error, "message");
  if (typeof error === "object" && error !== null && typeof stack === "string" && typeof message === "string") {
    const ctor = read(error, "constructor");
    const ctorName = typeof ctor === "function" ? ctor.name : "";
    const name = read(error, "name");
    const ename = ctorName && ctorName !== "Object" ? ctorName : typeof name === "string" && name ? name : "Error";
    return { ename, evalue: message, traceback: cleanStack(stack) };
  }
  const shown = inspect(error, { colors: false, depth: 2 });
  return { ename: "Uncaught", evalue: shown, traceback: [`Uncaught ${shown}`] };
}

interface AcornError {
  message: string;
  loc?: { line: number; column: number };
}

/**
 * The SyntaxError to report for a cell that does not parse: V8's own (which
 * names the line and points at the column) when it agrees with acorn on the
 * line, else one built from acorn's message in the same layout.
 */
export function syntaxErrorOf(parseError: unknown, v8Error: unknown, code: string, filename: string): unknown {
  const acorn = parseError as AcornError;
  if (!acorn.loc) return parseError;
  const v8Stack = read(v8Error, "stack");
  if (read(v8Error, "name") === "SyntaxError" && typeof v8Stack === "string") {
    // V8's stack starts "<filename>:<line>\n<source line>\n<spaces>^"
    const [where, , caret] = v8Stack.split("\n");
    if (where === `${filename}:${acorn.loc.line}` && caret?.indexOf("^") === acorn.loc.column) return v8Error;
  }
  const message = acorn.message.replace(/ \(\d+:\d+\)$/, "");
  const error = new SyntaxError(message);
  const line = code.split(/\r\n?|\n/)[acorn.loc.line - 1] ?? "";
  error.stack = `${filename}:${acorn.loc.line}\n${line}\n${" ".repeat(acorn.loc.column)}^\n\nSyntaxError: ${message}`;
  return error;
}
