// nbclient (what `jupyter execute` and nbconvert use) runs a notebook of
// JavaScript cells on the kernel, started from its kernelspec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { installTestKernelspecs, processesMentioning, runPython } from "../helpers.js";
import { PYTHON_DIR, pythonWith } from "./peers.js";

const python = await pythonWith("nbclient", "python3-nbclient");

interface Output {
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

describe.skipIf(!python)("nbclient", () => {
  let specs: Awaited<ReturnType<typeof installTestKernelspecs>>;
  beforeAll(async () => {
    specs = await installTestKernelspecs();
  });
  afterAll(() => specs?.remove());

  it("executes a notebook of several cells with their outputs", async () => {
    const result = await runPython(python as string, [join(PYTHON_DIR, "run_notebook.py")], { cwd: specs.dir, env: specs.env });
    expect(result.code, result.stderr).toBe(0);
    const nb = JSON.parse(result.stdout) as { metadata: Record<string, unknown>; cells: Array<{ execution_count: number; outputs: Output[] }> };
    expect(nb.metadata["language_info"]).toMatchObject({ name: "javascript", file_extension: ".js" });
    expect(nb.cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const [hello, upper, html, squares, error, fib, nested] = nb.cells.map((c) => c.outputs);
    expect(hello).toEqual([{ output_type: "stream", name: "stdout", text: "hello\n" }]);
    expect(upper).toEqual([{ output_type: "execute_result", execution_count: 2, data: { "text/plain": "'HELLO'" }, metadata: {} }]);
    expect(html).toEqual([{ output_type: "display_data", data: { "text/html": "<b>bold</b>", "text/plain": "bold" }, metadata: {} }]);
    expect(squares?.[0]?.data).toEqual({ "text/plain": "[ 1, 4, 9 ]" });
    expect(error).toHaveLength(1);
    expect(error?.[0]).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "expected in this cell" });
    expect(error?.[0]?.traceback).toContain("    at In[5]:1:7");
    expect(fib?.[0]?.data).toEqual({ "text/plain": "6765" });
    expect(nested?.[0]?.data).toEqual({ "text/plain": "{ nested: { list: [ 1, 2 ] } }", "application/json": { nested: { list: [1, 2] } } });
    expect(processesMentioning(specs.env.JUPYTER_RUNTIME_DIR as string)).toEqual([]);
  }, 180_000);
});
