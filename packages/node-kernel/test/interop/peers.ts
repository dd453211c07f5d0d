// The Python peers of the interop tests: Debian's /usr/bin/python3 with
// jupyter_client and, per test, jupyter_kernel_test, nbclient or jupyter_console.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";

const run = promisify(execFile);

/** Where the Python test programs are. */
export const PYTHON_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "python");

/** The Python that has jupyter_client and `module`, or undefined (a skip locally, a failure in CI). */
export async function pythonWith(module: string, aptPackage: string): Promise<string | undefined> {
  const found = findJupyterPython();
  const ok = found ? await run(found.python, ["-c", `import ${module}`]).then(() => true, () => false) : false;
  return requirePeer(ok ? found?.python : undefined, `Python with jupyter_client and ${module}`, `apt-get install ${aptPackage}`);
}
