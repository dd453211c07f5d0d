// The README's main job (`npm start`), run as a user runs it: a separate
// Node process on the built packages.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { findPythonKernelspec, requirePeer } from "@jupyter-ts/testing";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.mjs");
const built = existsSync(join(dirname(main), "..", "node_modules", "jupyter-ts", "dist", "index.js"));

function runMain(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out }));
  });
}

function expectWholeJob(out: string): void {
  for (const step of ["1. find kernels", "2. start", "3. run code", "4. talk over a comm", "5. shut down"]) expect(out).toContain(step);
  expect(out).toMatch(/\[Out \d+\] 285/);
  expect(out).toMatch(/\[display\] .*text\/html.*: <b>rich<\/b> output/);
  expect(out).toContain("[error]");
  expect(out).toMatch(/kernel -> us: \{"opened_with":\{"hello":"kernel"\}\}/);
  expect(out).toMatch(/kernel -> us: \{"echo":\{"ping":1\},"by":"(python|javascript)"\}/);
  expect(out).toContain("kernel process gone, connection file removed");
}

describe("npm start (tooling/demo/src/main.mjs)", () => {
  beforeAll(() => {
    // `npm test` builds the packages first; a bare `vitest run` may not have.
    if (!built) throw new Error("the main job runs the built packages: run `pnpm build` first");
  });

  it("runs the whole job on the JavaScript kernel", async () => {
    const { code, out } = await runMain(["--kernel", "node"]);
    expect(code, out).toBe(0);
    expectWholeJob(out);
    expect(out).toContain("hello from Node.js");
  });

  const python = requirePeer(findPythonKernelspec(), "the python3 kernelspec (ipykernel)", "apt-get install python3-ipykernel");
  it.runIf(python)("picks Python's kernel when it is installed", async () => {
    const { code, out } = await runMain([]);
    expect(code, out).toBe(0);
    expect(out).toContain("start 'python3' (Python (ipykernel) is installed)");
    expectWholeJob(out);
    expect(out).toContain("hello from cpython");
  });
});
