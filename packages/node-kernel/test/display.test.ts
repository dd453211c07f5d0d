import { describe, expect, it } from "vitest";
import { DISPLAY_SYMBOL, Evaluator, formatValue } from "../src/index.js";

describe("formatValue", () => {
  it("shows values as the Node REPL does, without colour codes", () => {
    expect(formatValue("hi")).toEqual({ data: { "text/plain": "'hi'" }, metadata: {} });
    expect(formatValue([1, 2])).toEqual({ data: { "text/plain": "[ 1, 2 ]" }, metadata: {} });
    expect(formatValue(new Map([["a", 1]]))).toEqual({ data: { "text/plain": "Map(1) { 'a' => 1 }" }, metadata: {} });
    expect(JSON.stringify(formatValue({ deep: { deeper: [1] } }))).not.toMatch(/\\u001b/);
  });

  it("adds application/json for nested data that JSON keeps whole", () => {
    expect(formatValue({ a: [1, { b: "c" }] })).toEqual({
      data: { "text/plain": "{ a: [ 1, { b: 'c' } ] }", "application/json": { a: [1, { b: "c" }] } },
      metadata: { "application/json": { expanded: false } },
    });
    // a function, NaN or a class instance inside: no JSON (it would not be faithful)
    expect(formatValue({ a: { f: () => 1 } })).not.toHaveProperty("data.application/json");
    expect(formatValue({ a: [NaN] })).not.toHaveProperty("data.application/json");
    expect(formatValue({ a: new Date(0) })).not.toHaveProperty("data.application/json");
  });

  it("recognises plain data made inside the kernel's context", async () => {
    const ev = new Evaluator();
    const { value } = await ev.evaluate("({ rows: [{ id: 1 }] })");
    expect(formatValue(value)).toHaveProperty(["data", "application/json"], { rows: [{ id: 1 }] });
  });

  it("uses the display protocol: a bundle, or data and metadata, sync or async", async () => {
    const money = { amount: 3, [DISPLAY_SYMBOL]: () => ({ "text/html": "<b>3.00 €</b>" }) };
    expect(formatValue(money)).toMatchObject({ data: { "text/html": "<b>3.00 €</b>", "text/plain": expect.stringContaining("amount: 3") } });
    const image = { [Symbol.for("jupyter.display")]: () => ({ data: { "image/png": "iVBOR" }, metadata: { "image/png": { width: 10 } } }) };
    expect(formatValue(image)).toMatchObject({ data: { "image/png": "iVBOR" }, metadata: { "image/png": { width: 10 } } });
    const later = { [DISPLAY_SYMBOL]: () => Promise.resolve({ "text/markdown": "**x**" }) };
    expect(await formatValue(later)).toMatchObject({ data: { "text/markdown": "**x**" } });
  });

  it("uses _toHtml() as IJavascript does", () => {
    expect(formatValue({ _toHtml: () => "<i>y</i>" })).toMatchObject({ data: { "text/html": "<i>y</i>" } });
  });
});
