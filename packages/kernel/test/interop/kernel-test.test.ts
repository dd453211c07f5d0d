// Debian's jupyter_kernel_test (the protocol checks kernel authors run)
// against the echo test kernel, installed as a kernelspec in a temp
// JUPYTER_PATH and started by jupyter_client's KernelManager.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import { fixtureKernel, removeFixtureKernel } from "../helpers.js";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const found = findJupyterPython();
const hasKernelTest = found
  ? await run(found.python, ["-c", "import jupyter_kernel_test"]).then(() => true, () => false)
  : false;
const python = requirePeer(hasKernelTest ? found?.python : undefined, "Python with jupyter_kernel_test", "apt-get install python3-jupyter-kernel-test");

afterAll(removeFixtureKernel);

describe.skipIf(!python)("jupyter_kernel_test", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("passes every check that applies to the echo kernel", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jts-kernel-spec-"));
    dirs.push(dir);
    const specDir = join(dir, "kernels", "jts-echo");
    await mkdir(specDir, { recursive: true });
    const spec = { argv: [process.execPath, await fixtureKernel(), "-f", "{connection_file}"], display_name: "Echo (jupyter-ts tests)", language: "echo" };
    await writeFile(join(specDir, "kernel.json"), JSON.stringify(spec));
    const result = await run(python as string, ["-m", "unittest", "-v", "echo_kernel_test"], {
      cwd: here,
      timeout: 240_000,
      env: { ...process.env, JUPYTER_PATH: dir, JUPYTER_RUNTIME_DIR: join(dir, "runtime"), JUPYTER_PLATFORM_DIRS: "0" },
    }).catch((error: Error & { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? "", stderr: `${error.message}\n${error.stderr ?? ""}` }));
    // unittest reports on stderr: every test ok, none failed, only the pager test (no pager payloads) skipped.
    expect(result.stderr).toMatch(/\nOK \(skipped=1\)\s*$/);
    expect(result.stderr).toMatch(/test_pager .* skipped/);
    expect(result.stderr).toMatch(/Ran 1[0-9] tests/);
  }, 300_000);
});
