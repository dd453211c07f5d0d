// Debian's jupyter_kernel_test (the protocol checks kernel authors run)
// against the JavaScript kernel, installed with installNodeKernelSpec() into
// a temp JUPYTER_PATH and started by jupyter_client from its kernelspec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTestKernelspecs, processesMentioning, runPython } from "../helpers.js";
import { PYTHON_DIR, pythonWith } from "./peers.js";

const python = await pythonWith("jupyter_kernel_test", "python3-jupyter-kernel-test");

describe.skipIf(!python)("jupyter_kernel_test", () => {
  let specs: Awaited<ReturnType<typeof installTestKernelspecs>>;
  beforeAll(async () => {
    specs = await installTestKernelspecs();
  });
  afterAll(() => specs?.remove());

  it("passes every check that applies to JavaScript, and iopub_welcome", async () => {
    const result = await runPython(python as string, ["-m", "unittest", "-v", "node_kernel_test"], { cwd: PYTHON_DIR, env: specs.env });
    const report = `${result.stderr}\n${result.stdout}`;
    // unittest reports on stderr: 13 tests, all ok but the pager (an IPython feature) skipped.
    expect(result.stderr, report).toMatch(/\nOK \(skipped=1\)\s*$/);
    expect(result.stderr).toMatch(/test_pager .* skipped/);
    expect(result.stderr).toMatch(/Ran 13 tests/);
    for (const name of ["kernel_info", "execute_stdout", "execute_stderr", "completion", "is_complete", "error", "execute_result", "display_data", "history", "inspect", "clear_output", "iopub_welcome"]) {
      expect(result.stderr).toMatch(new RegExp(`test_${name} \\(.*\\)(\\n.*)? \\.\\.\\. ok`));
    }
    expect(processesMentioning(specs.env.JUPYTER_RUNTIME_DIR as string)).toEqual([]);
  }, 300_000);
});
