// Our listing must equal `jupyter kernelspec list --json` of the real
// jupyter_client for the same environment, and a kernelspec installed by
// either side must be found by the other.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import { KernelSpecManager, type KernelSpecEntry } from "../../src/index.js";

const python = requirePeer(
  findJupyterPython(),
  "Python with jupyter_client (Debian's /usr/bin/python3)",
  "apt-get install python3-jupyter-client python3-zmq",
);

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
const jupyterPathFixture = join(fixtures, "jupyter-path");

function kernelspecApp(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(python!.python, ["-m", "jupyter_client.kernelspecapp", ...args], { env, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`jupyter kernelspec ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  // stderr carries debugger warnings and logs; only stdout is the answer
  return r.stdout;
}

describe.skipIf(!python)("kernelspecs against Python's jupyter_client", () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let sysPrefix: string;
  let warnings: string[];

  const theirList = (): Record<string, KernelSpecEntry> => {
    // Python would add ipykernel's own python3 spec if none were installed; we add none
    const out = kernelspecApp(["list", "--json", "--KernelSpecManager.ensure_native_kernel=False"], env);
    return (JSON.parse(out) as { kernelspecs: Record<string, KernelSpecEntry> }).kernelspecs;
  };
  const ours = (): KernelSpecManager =>
    new KernelSpecManager({ env, platform: "linux", prefix: sysPrefix, logger: { warn: (m) => warnings.push(m) } });

  // jupyter_client 7 drops kernel_protocol_version from to_dict(); 8 always
  // writes it ("" when unset); we write it when the kernel.json has one
  const asPython = (specs: Record<string, KernelSpecEntry>): Record<string, KernelSpecEntry> => {
    const major = Number(python!.jupyterClientVersion.split(".")[0]);
    return Object.fromEntries(
      Object.entries(specs).map(([name, { resource_dir, spec }]) => {
        const { kernel_protocol_version, ...rest } = spec;
        const adjusted = major >= 8 ? { ...rest, kernel_protocol_version: kernel_protocol_version ?? "" } : rest;
        return [name, { resource_dir, spec: adjusted }];
      }),
    );
  };

  beforeAll(() => {
    tmp = realpathSync(mkdtempSync(join(tmpdir(), "jts-kernelspec-interop-")));
    mkdirSync(join(tmp, "home"));
    // the user's own kernelspecs must not leak in: a fresh HOME and data dir
    env = {
      PATH: "/usr/bin:/bin",
      HOME: join(tmp, "home"),
      JUPYTER_DATA_DIR: join(tmp, "data"),
      JUPYTER_PATH: jupyterPathFixture,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    const r = spawnSync(python!.python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" });
    sysPrefix = r.stdout.trim();
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("getAllSpecs() equals `jupyter kernelspec list --json` (broken, upper-case, message-interrupt fixtures)", async () => {
    warnings = [];
    const theirs = theirList();
    const mine = await ours().getAllSpecs();
    expect(asPython(mine)).toEqual(theirs);
    // the fixtures are really in there, and the broken one is really left out
    expect(Object.keys(theirs)).toEqual(expect.arrayContaining(["echo", "mixedcase", "msg-kernel", "with-version"]));
    expect(theirs["mixedcase"]?.resource_dir).toBe(join(jupyterPathFixture, "kernels", "MixedCase"));
    expect(theirs["msg-kernel"]?.spec.interrupt_mode).toBe("message");
    expect(theirs).not.toHaveProperty("broken");
    expect(warnings.some((w) => w.startsWith("Error loading kernelspec 'broken'"))).toBe(true);
  });

  it("findKernelSpecs() lists the same names and directories, broken one included", async () => {
    const theirs = theirList();
    const found = await ours().findKernelSpecs();
    expect(found).toEqual({
      ...Object.fromEntries(Object.entries(theirs).map(([name, e]) => [name, e.resource_dir])),
      broken: join(jupyterPathFixture, "kernels", "broken"),
    });
  });

  it("Python lists what we install", async () => {
    const ksm = ours();
    const dest = await ksm.installKernelSpec(join(jupyterPathFixture, "kernels", "msg-kernel"), { user: true, kernelName: "Ours-Installed" });
    expect(dest).toBe(join(tmp, "data", "kernels", "ours-installed"));
    const theirs = theirList();
    expect(theirs["ours-installed"]).toEqual({ resource_dir: dest, spec: theirs["msg-kernel"]?.spec });
    expect(asPython(await ksm.getAllSpecs())).toEqual(theirs);
  });

  it("we find what `jupyter kernelspec install` installs, and Python stops listing what we remove", async () => {
    kernelspecApp(["install", join(jupyterPathFixture, "kernels", "echo"), "--user", "--name", "py-installed"], env);
    const dest = join(tmp, "data", "kernels", "py-installed");
    expect(existsSync(join(dest, "logo-32x32.png"))).toBe(true);
    const ksm = ours();
    expect((await ksm.findKernelSpecs())["py-installed"]).toBe(dest);
    const spec = await ksm.getKernelSpec("py-installed");
    expect(asPython({ x: { resource_dir: spec.resourceDir, spec: spec.toDict() } })["x"]).toEqual(theirList()["py-installed"]);

    expect(await ksm.removeKernelSpec("py-installed")).toBe(dest);
    expect(theirList()).not.toHaveProperty("py-installed");
  });

  it("a prefix install lands where Python's --prefix puts it", async () => {
    const prefix = join(tmp, "env");
    kernelspecApp(["install", join(jupyterPathFixture, "kernels", "echo"), "--prefix", prefix, "--name", "via-python"], env);
    const ksm = ours();
    const dest = await ksm.installKernelSpec(join(jupyterPathFixture, "kernels", "echo"), { prefix, kernelName: "via-ts" });
    expect(dirname(dest)).toBe(join(prefix, "share", "jupyter", "kernels"));
    expect(existsSync(join(prefix, "share", "jupyter", "kernels", "via-python", "kernel.json"))).toBe(true);
  });
});
