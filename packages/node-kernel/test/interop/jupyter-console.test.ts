// Debian's jupyter-console starts the kernel from its kernelspec and runs
// what is typed (stdin, --simple-prompt: one line per cell, as in
// jupyter_console's own tests), then shuts it down at end of input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestKernelspecs, processesMentioning, runPython } from "../helpers.js";
import { pythonWith } from "./peers.js";

const python = await pythonWith("jupyter_console", "jupyter-console");

describe.skipIf(!python)("jupyter console", () => {
  let specs: Awaited<ReturnType<typeof installTestKernelspecs>>;
  beforeAll(async () => {
    specs = await installTestKernelspecs();
  });
  afterAll(() => specs?.remove());

  it("runs typed cells on the kernel and prints their outputs", async () => {
    const input = [
      "const a = 6",
      "a * 7",
      "console.log('printed by the kernel')",
      "await new Promise((r) => setTimeout(r, 20)); ['a', 'b'].join('+')",
      "null.oops",
      "",
    ].join("\n");
    const result = await runPython(
      python as string,
      ["-m", "jupyter_console", "--kernel", "node", "--simple-prompt"],
      { cwd: specs.dir, env: specs.env, input, timeout: 120_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Node.js ${process.version} (jupyter-ts node-kernel`);
    expect(result.stdout).toContain("Out[2]: 42");
    expect(result.stdout).toContain("printed by the kernel");
    expect(result.stdout).toContain("Out[4]: 'a+b'");
    // tracebacks go to stderr
    expect(result.stderr).toContain("TypeError: Cannot read properties of null (reading 'oops')");
    expect(result.stdout).toContain("Shutting down kernel");
    expect(processesMentioning(specs.env.JUPYTER_RUNTIME_DIR as string)).toEqual([]);
  }, 180_000);
});
