import { describe, expect, it } from "vitest";
import vm from "node:vm";
import { transformCell } from "../src/index.js";

describe("transformCell", () => {
  it("turns top-level let, const and class into global assignments that may be repeated", () => {
    const cell = transformCell("const a = 1; let b; class C {}\nconst { d, e: [f = 2] } = { d: 3, e: [] };");
    expect(cell.async).toBe(false);
    expect(cell.declared).toEqual(["a", "b", "C", "d", "f"]);
    const ctx = vm.createContext({});
    vm.runInContext(cell.code, ctx);
    vm.runInContext(cell.code, ctx); // a second run must not throw "already declared"
    expect(vm.runInContext("[a, b, typeof C, d, f]", ctx)).toEqual([1, undefined, "function", 3, 2]);
  });

  it("keeps var and function declarations as they are in synchronous cells", () => {
    const cell = transformCell("var x = 1;\nfunction f() { return x }");
    expect(cell.code.startsWith("var x = 1;\nfunction f() { return x }")).toBe(true);
    expect(cell.hasResult).toBe(false);
  });

  it("wraps a cell with top-level await in an async function returning [last value], lines kept", () => {
    const cell = transformCell("const x = await 20;\nfunction g() { return x }\ng() + 1");
    expect(cell.async).toBe(true);
    expect(cell.hasResult).toBe(true);
    expect(cell.lineOffset).toBe(-1);
    // the cell's second line is still the wrapped code's second line after the wrapper's own
    expect(cell.code.split("\n")[2]).toBe("function g() { return x }");
    expect(cell.code).toContain("return [(g() + 1)]");
    expect(cell.code).toMatch(/this\["g"\] = g;/);
  });

  it("hoists var declared in blocks and loop heads of async cells", () => {
    const cell = transformCell("for (var i = 0; i < 2; i++) { var last = i }\nfor (var k of [1]) {}\nawait null");
    expect(cell.declared.sort()).toEqual(["i", "k", "last"]);
    expect(cell.code).toContain("for (i = 0; i < 2; i++)");
    expect(cell.code).toContain("for (k of [1])");
  });

  it("turns static imports into awaited dynamic imports", () => {
    const cell = transformCell('import fs, { readFile as rf, "x-y" as xy } from "node:fs";\nimport * as path from "node:path";\nimport "node:os";');
    expect(cell.async).toBe(true);
    expect(cell.declared).toEqual(["fs", "rf", "xy", "path"]);
    expect(cell.code).toContain('void ({ default: fs, readFile: rf, "x-y": xy } = await import("node:fs"));');
    expect(cell.code).toContain('void (path = await import("node:path"));');
    expect(cell.code).toContain('await import("node:os");');
  });

  it("passes import attributes on", () => {
    const cell = transformCell('import data from "./x.json" with { type: "json" }');
    expect(cell.code).toContain('await import("./x.json", { with: { type: "json" } })');
  });

  it("has a result only when the last statement is an expression", () => {
    expect(transformCell("1 + 1").hasResult).toBe(true);
    expect(transformCell("const x = 1").hasResult).toBe(false);
    expect(transformCell("if (true) { 1 }").hasResult).toBe(false);
    expect(transformCell("'a string'").hasResult).toBe(true);
    expect(transformCell("").hasResult).toBe(false);
  });

  it("throws acorn's SyntaxError for code that does not parse", () => {
    expect(() => transformCell("let x = ;")).toThrow(SyntaxError);
  });
});
