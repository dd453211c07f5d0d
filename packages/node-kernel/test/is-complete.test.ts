import { describe, expect, it } from "vitest";
import { isComplete } from "../src/index.js";

describe("isComplete", () => {
  it.each(["", "1 + 1", "const x = 1", "function f() {\n  return 1\n}", "await fetch(url)", 'import fs from "node:fs"', "x.y"])("complete: %j", (code) => {
    expect(isComplete(code)).toEqual({ status: "complete" });
  });

  it.each([
    ["for (const x of xs) {", "  "],
    ["foo(", "  "],
    ["  if (x) {\n    y(", "      "],
    ["const f = () =>", "  "],
    ["1 +", ""],
    ["let x =", ""],
    ["`multi\nline", ""],
    ["/* comment", ""],
    ["'abc\\", ""],
  ])("incomplete: %j (indent %j)", (code, indent) => {
    expect(isComplete(code)).toEqual({ status: "incomplete", indent });
  });

  it.each(["1 +* 2", "}", "'abc", "let let = 1", "a b", "x = /unclosed"])("invalid: %j", (code) => {
    expect(isComplete(code)).toEqual({ status: "invalid" });
  });
});
