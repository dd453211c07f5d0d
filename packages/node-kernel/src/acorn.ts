// acorn is loaded on first use, not at kernel start: a kernel is "ready"
// (answers kernel_info) before any cell needs the parser.
import { createRequire } from "node:module";
import type * as Acorn from "acorn";
import type * as AcornWalk from "acorn-walk";

const require = createRequire(import.meta.url);
let acorn: typeof Acorn | undefined;
let walk: typeof AcornWalk | undefined;

/** The acorn parser module. */
export function acornParser(): typeof Acorn {
  return (acorn ??= require("acorn") as typeof Acorn);
}

/** The acorn-walk module. */
export function acornWalk(): typeof AcornWalk {
  return (walk ??= require("acorn-walk") as typeof AcornWalk);
}
