import { beforeAll, describe, expect, it } from "vitest";
import { Evaluator, inspectAt } from "../src/index.js";

describe("inspectAt", () => {
  const ev = new Evaluator();
  beforeAll(async () => {
    await ev.evaluate("class Point { constructor(x, y = 0) { this.x = x } }\nconst add = async (a, { b }, ...rest) => a;\nconst data = { list: [1, 2, 3], get secret() { throw new Error('ran') } };\nfunction plain(a, b) { return a + b }");
  });
  const text = (code: string, cursor: number, level: 0 | 1 = 0): string => String(inspectAt(code, cursor, level, ev.global).data["text/plain"]);

  it("shows a function's signature and type, and its source at detail level 1", () => {
    expect(text("plain", 2)).toBe("Signature: plain(a, b)\nType:      function\nArity:     2");
    expect(text("plain", 2, 1)).toContain("Source:\nfunction plain(a, b) { return a + b }");
    expect(text("Point", 5)).toMatch(/^Signature: new Point\(x, y = 0\)\nType: {6}class/);
    expect(text("add", 0)).toMatch(/^Signature: async add\(a, \{ b \}, \.\.\.rest\)/);
    expect(text("Math.max", 7)).toMatch(/^Signature: max\(arg0, arg1\)/);
  });

  it("inspects the function whose call the cursor is in", () => {
    expect(text("plain(1, ", 9)).toMatch(/^Signature: plain\(a, b\)/);
  });

  it("previews values with their type", () => {
    expect(text("data.list", 7)).toBe("Type:      Array\nValue:     [ 1, 2, 3 ]\nLength:    3");
    expect(text("data", 1)).toMatch(/^Type: {6}Object\nValue: {5}\{ list: \[ 1, 2, 3 \], secret: \[Getter\] \}/);
  });

  it("does not run getters, and finds nothing for unknown names", () => {
    expect(text("data.secret", 8)).toContain("a getter (not called");
    expect(inspectAt("nothingHere", 3, 0, ev.global)).toEqual({ found: false, data: {}, metadata: {} });
  });
});
