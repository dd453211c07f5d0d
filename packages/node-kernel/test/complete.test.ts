import { beforeAll, describe, expect, it } from "vitest";
import { Evaluator, complete } from "../src/index.js";

describe("complete", () => {
  const ev = new Evaluator();
  let calls = 0;
  beforeAll(async () => {
    await ev.evaluate("const obj = { alpha: 1, alps: 2, beta: { gamma: [1] }, get danger() { globalThis.touched = true; return 1 } }");
    Object.defineProperty(ev.global, "countCalls", { value: () => ++calls });
    Object.defineProperty(ev.global, "globalGetter", { get: () => ({ n: ++calls }), configurable: true });
  });
  const at = (code: string, cursor = [...code].length) => complete(code, cursor, ev.global);

  it("completes properties of a property chain, own and inherited", () => {
    expect(at("obj.al")).toMatchObject({ matches: ["alpha", "alps"], cursor_start: 4, cursor_end: 6 });
    expect(at("obj.beta.gamma.fil").matches).toEqual(["fill", "filter"]);
    expect(at('obj["beta"].ga').matches).toEqual(["gamma"]);
    expect(at("obj?.be").matches).toEqual(["beta"]);
    expect(at("Math.fl").matches).toEqual(["floor"]);
    expect(at("process.env.PAT").matches).toContain("PATH");
  });

  it("completes globals, keywords and the names used in the cell", () => {
    expect(at("ob").matches).toEqual(["obj"]);
    expect(at("Obj").matches).toEqual(["Object"]);
    expect(at("con").matches).toEqual(expect.arrayContaining(["console", "const", "continue"]));
    expect(at("const myValue = 1;\nmyV").matches).toEqual(["myValue"]);
    const types = at("con").metadata["_jupyter_types_experimental"] as Array<{ text: string; type: string }>;
    expect(types.find((t) => t.text === "const")?.type).toBe("keyword");
  });

  it("never runs code: getters are not read, calls not made", () => {
    expect(at("obj.danger.").matches).toEqual([]);
    expect(at("countCalls().").matches).toEqual([]);
    expect(at("globalGetter.").matches).toEqual([]);
    // Node's own lazy globals are read
    expect(at("crypto.randomU").matches).toEqual(["randomUUID"]);
    expect(calls).toBe(0);
    expect(ev.global["touched"]).toBeUndefined();
  });

  it("offers nothing inside strings and comments, or after a number", () => {
    expect(at("'obj.al").matches).toEqual([]);
    expect(at("// obj.al").matches).toEqual([]);
    expect(at("`text obj.al").matches).toEqual([]);
    expect(at("1.").matches).toEqual([]);
    // inside a template's ${} it is code again
    expect(at("`${obj.al").matches).toEqual(["alpha", "alps"]);
  });

  it("counts cursor positions in code points", () => {
    const code = "'😀😀'; obj.al";
    const r = at(code);
    expect([code.length, [...code].length]).toEqual([14, 12]);
    expect(r).toMatchObject({ matches: ["alpha", "alps"], cursor_start: 10, cursor_end: 12 });
    // a cursor in the middle completes what is before it
    expect(complete("obj.al + 1", 6, ev.global)).toMatchObject({ matches: ["alpha", "alps"], cursor_start: 4, cursor_end: 6 });
  });
});
