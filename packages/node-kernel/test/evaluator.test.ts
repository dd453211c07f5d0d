import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { types } from "node:util";
import { KernelInterruptedError } from "@jupyter-ts/kernel";
import { Evaluator, errorReport } from "../src/index.js";

function capture(): { ev: Evaluator; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ev = new Evaluator({ output: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) } });
  return { ev, out, err };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the cell to throw");
}

describe("Evaluator", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("keeps what cells declare, and lets a cell be run again", async () => {
    const { ev } = capture();
    await ev.evaluate("const a = 1; let b = 2; class P { static z = 3 }; function f() { return a + b + P.z }");
    expect((await ev.evaluate("f()")).value).toBe(6);
    await ev.evaluate("const a = 10; class P { static z = 30 }");
    expect((await ev.evaluate("f()")).value).toBe(42);
    expect((await ev.evaluate("new P() instanceof P")).value).toBe(true);
  });

  it("gives the last expression's value, and no value after a declaration", async () => {
    const { ev } = capture();
    expect(await ev.evaluate("1 + 1")).toEqual({ value: 2, hasResult: true });
    expect(await ev.evaluate("const x = 5")).toEqual({ value: undefined, hasResult: false });
    expect((await ev.evaluate("({ a: 1 })")).value).toEqual({ a: 1 });
  });

  it("runs top-level await, keeping declarations and the last value", async () => {
    const { ev } = capture();
    const r = await ev.evaluate("const v = await new Promise((r) => setTimeout(() => r(21), 10));\nv * 2");
    expect(r).toEqual({ value: 42, hasResult: true });
    expect((await ev.evaluate("v")).value).toBe(21);
    // a promise as the last value is the value, not awaited
    expect(types.isPromise((await ev.evaluate("await null; Promise.resolve(1)")).value)).toBe(true);
    const loop = await ev.evaluate("let sum = 0; for await (const n of (async function* () { yield 1; yield 2 })()) sum += n; sum");
    expect(loop.value).toBe(3);
  });

  it("imports: static and dynamic, built-ins and files relative to cwd; require from cwd", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jts-eval-"));
    dirs.push(dir);
    await writeFile(join(dir, "answer.mjs"), "export default 42; export const name = 'answer';");
    await writeFile(join(dir, "legacy.cjs"), "module.exports = { legacy: true };");
    const ev = new Evaluator({ cwd: dir, output: { stdout: () => {}, stderr: () => {} } });
    expect((await ev.evaluate('import { sep } from "node:path"; sep')).value).toBe("/");
    expect((await ev.evaluate('import answer, { name } from "./answer.mjs"; [answer, name]')).value).toEqual([42, "answer"]);
    expect((await ev.evaluate('(await import("./answer.mjs")).default')).value).toBe(42);
    expect((await ev.evaluate('require("./legacy.cjs").legacy')).value).toBe(true);
  });

  it("sends console output to its sink", async () => {
    const { ev, out, err } = capture();
    await ev.evaluate("console.log('hello', { a: 1 }); console.error('oops'); console.warn('careful'); console.table([{ x: 1 }])");
    expect(out.join("")).toContain("hello { a: 1 }\n");
    expect(out.join("")).toContain("│ (index) │ x │");
    expect(err.join("")).toBe("oops\ncareful\n");
    // no colour codes
    expect(out.join("")).not.toContain("\u001b[");
  });

  it("has Node's globals: process, Buffer, timers, fetch, global", async () => {
    const { ev } = capture();
    const r = await ev.evaluate("[typeof process.version, typeof Buffer.from, typeof setTimeout, typeof fetch, global === globalThis, typeof structuredClone, typeof crypto.randomUUID()]");
    expect(r.value).toEqual(["string", "function", "function", "function", true, "function", "string"]);
    // Node's lazy globals can be replaced in the context
    expect((await ev.evaluate("crypto = 5; crypto")).value).toBe(5);
  });

  it("rejects with what the cell threw, its stack naming the cell and line", async () => {
    const { ev } = capture();
    const error = await thrown(ev.evaluate("function f() {\n  throw new RangeError('boom');\n}\nf()", { filename: "In[7]" }));
    const report = errorReport(error);
    expect(report.ename).toBe("RangeError");
    expect(report.evalue).toBe("boom");
    expect(report.traceback).toContain("    at f (In[7]:2:9)");
    expect(report.traceback.join("\n")).not.toMatch(/node:vm|evaluator/);
    const asyncError = await thrown(ev.evaluate("await null;\nnull.x", { filename: "In[8]" }));
    expect(errorReport(asyncError).traceback.join("\n")).toMatch(/at In\[8\]:2:\d+/);
  });

  it("reports syntax errors with the line and a caret", async () => {
    const { ev } = capture();
    const error = await thrown(ev.evaluate("const ok = 1;\nlet x = ;", { filename: "In[3]" }));
    const report = errorReport(error);
    expect(report.ename).toBe("SyntaxError");
    expect(report.traceback.slice(0, 3)).toEqual(["In[3]:2", "let x = ;", "        ^"]);
    const withAwait = errorReport(await thrown(ev.evaluate("await 1; let = ;", { filename: "In[4]" })));
    expect(withAwait.ename).toBe("SyntaxError");
    expect(withAwait.traceback[2]).toBe(`${" ".repeat(15)}^`);
  });

  it("stops waiting when its signal is aborted", async () => {
    const { ev } = capture();
    const controller = new AbortController();
    const pending = ev.evaluate("await new Promise(() => {})", { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await thrown(pending)).toBeInstanceOf(KernelInterruptedError);
  });

  it("stops a synchronous endless loop on SIGINT", async () => {
    const { ev } = capture();
    // A stray SIGINT outside the loop must not end the test process.
    const ignore = (): void => {};
    process.on("SIGINT", ignore);
    try {
      const killer = spawn("sh", ["-c", `sleep 0.5; kill -INT ${process.pid}`], { stdio: "ignore" });
      // Bounded, so that a missed signal fails the test instead of hanging it.
      const error = await thrown(ev.evaluate("const end = Date.now() + 20000; while (Date.now() < end) {}"));
      await new Promise((r) => killer.once("exit", r));
      expect(error).toBeInstanceOf(KernelInterruptedError);
      expect(errorReport(error).ename).toBe("KeyboardInterrupt");
      // the context still works
      expect((await ev.evaluate("1 + 1")).value).toBe(2);
    } finally {
      process.off("SIGINT", ignore);
    }
  });
});
