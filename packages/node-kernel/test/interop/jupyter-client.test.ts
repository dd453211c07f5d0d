// Python's jupyter_client starts the JavaScript kernel from its kernelspec
// (both interrupt modes) and runs execute_interactive, comms both ways,
// input, interrupt of `while (true) {}` and restart against it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestKernelspecs, processesMentioning, runPython } from "../helpers.js";
import { PYTHON_DIR, pythonWith } from "./peers.js";

const python = await pythonWith("jupyter_client", "python3-jupyter-client");

describe.skipIf(!python)("jupyter_client", () => {
  let specs: Awaited<ReturnType<typeof installTestKernelspecs>>;
  beforeAll(async () => {
    specs = await installTestKernelspecs();
  });
  afterAll(() => specs?.remove());

  it("drives the kernel through KernelManager, with signal and message interrupts", async () => {
    const result = await runPython(python as string, ["-m", "unittest", "-v", "node_client_test"], { cwd: PYTHON_DIR, env: specs.env });
    const report = `${result.stderr}\n${result.stdout}`;
    expect(result.stderr, report).toMatch(/\nOK\s*$/);
    expect(result.stderr).toMatch(/Ran 16 tests/);
    for (const name of ["execute_interactive", "comm_opened_by_the_frontend", "comm_opened_by_the_kernel", "input", "interrupt_endless_loop", "restart"]) {
      expect(result.stderr).toMatch(new RegExp(`test_${name} \\(node_client_test\\.NodeKernelClientTests.*\\) \\.\\.\\. ok`));
      expect(result.stderr).toMatch(new RegExp(`test_${name} \\(node_client_test\\.NodeKernelMessageInterruptTests.*\\) \\.\\.\\. ok`));
    }
    expect(processesMentioning(specs.env.JUPYTER_RUNTIME_DIR as string)).toEqual([]);
  }, 300_000);
});
