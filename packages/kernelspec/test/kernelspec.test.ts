import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { jupyterPath } from "@jupyter-ts/paths";
import {
  InvalidKernelNameError,
  InvalidKernelSpecError,
  KernelSpec,
  KernelSpecExistsError,
  KernelSpecManager,
  KernelSpecOptionsError,
  NoSuchKernelError,
  findKernelSpecs,
  getKernelSpec,
  installKernelSpec,
  isValidKernelName,
} from "../src/index.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const jupyterDir = join(fixtures, "jupyter-path");
const kernels = join(jupyterDir, "kernels");
const shadow = join(fixtures, "shadow", "kernels");
const invalid = join(fixtures, "invalid", "kernels");

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "jts-kernelspec-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const dir = join(scratch, `t${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function quietManager(options: ConstructorParameters<typeof KernelSpecManager>[0] = {}) {
  const warnings: string[] = [];
  const ksm = new KernelSpecManager({ logger: { warn: (m) => warnings.push(m) }, ...options });
  return { ksm, warnings };
}

describe("KernelSpec", () => {
  it("reads a kernel.json with Python's defaults", async () => {
    const spec = await KernelSpec.fromResourceDir(join(kernels, "echo"));
    expect(spec).toMatchObject({
      name: "echo",
      resourceDir: join(kernels, "echo"),
      argv: ["node", "{resource_dir}/echo-kernel.js", "{connection_file}"],
      displayName: "Echo",
      language: "text",
      interruptMode: "signal",
      env: {},
      metadata: {},
      kernelProtocolVersion: undefined,
    });
  });

  it("gives to_dict()'s fields in Python's order, also through JSON.stringify", async () => {
    const spec = await KernelSpec.fromResourceDir(join(kernels, "msg-kernel"));
    const dict = spec.toDict();
    expect(Object.keys(dict)).toEqual(["argv", "env", "display_name", "language", "interrupt_mode", "metadata"]);
    expect(dict).toEqual({
      argv: ["/opt/msg/bin/kernel", "--connection", "{connection_file}"],
      env: { MSG_HOME: "/opt/msg", EMPTY: "" },
      display_name: "Message Interrupts ✓",
      language: "julia",
      interrupt_mode: "message",
      metadata: { debugger: true, nested: { list: [1, 2, { x: null }] } },
    });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(dict);
    expect(spec.extra).toEqual({ codemirror_mode: "julia", unknown_field: { kept: true } });
  });

  it("keeps kernel_protocol_version when the kernel.json has one", async () => {
    const spec = await KernelSpec.fromResourceDir(join(kernels, "with-version"));
    expect(spec.kernelProtocolVersion).toBe("5.3");
    expect(spec.toDict().kernel_protocol_version).toBe("5.3");
  });

  it("names the directory's name, lowercased, unless told otherwise", async () => {
    expect((await KernelSpec.fromResourceDir(join(kernels, "MixedCase"))).name).toBe("mixedcase");
    expect((await KernelSpec.fromResourceDir(join(kernels, "MixedCase"), { name: "other" })).name).toBe("other");
  });

  it("hands out copies: changing a toDict() result leaves the spec alone", async () => {
    const spec = await KernelSpec.fromResourceDir(join(kernels, "msg-kernel"));
    const dict = spec.toDict();
    dict.argv.push("more");
    (dict.metadata["nested"] as { list: unknown[] }).list.pop();
    expect(spec.toDict().argv).toHaveLength(3);
    expect((spec.metadata["nested"] as { list: unknown[] }).list).toHaveLength(3);
  });

  it.each([
    ["empty-argv", "argv", /"argv" must be a non-empty array of strings/],
    ["argv-number", "argv", /"argv" must be a non-empty array of strings.*got \["x",3\]/],
    ["env-number", "env.N", /"env\.N" must be a string, got 1/],
    ["bad-interrupt", "interrupt_mode", /"interrupt_mode" must be "signal" or "message", got "sigint"/],
    ["null-metadata", "metadata", /"metadata" must be an object, got null/],
    ["display-number", "display_name", /"display_name" must be a string, got 5/],
    ["not-object", undefined, /must hold a JSON object/],
  ])("rejects %s, naming the file and the field", async (dir, field, message) => {
    const error = await KernelSpec.fromResourceDir(join(invalid, dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidKernelSpecError);
    const file = join(invalid, dir, "kernel.json");
    expect(error).toMatchObject({ code: "ERR_INVALID_KERNELSPEC", file, field });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it("rejects a kernel.json that is not JSON, and a directory without one", async () => {
    const broken = await KernelSpec.fromResourceDir(join(kernels, "broken")).catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: "ERR_INVALID_KERNELSPEC", field: undefined });
    expect((broken as Error).message).toMatch(/broken\/kernel\.json: not valid JSON/);
    expect((broken as Error).cause).toBeInstanceOf(SyntaxError);
    const missing = await KernelSpec.fromResourceDir(join(scratch, "nope")).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/nope has no kernel\.json/);
  });
});

describe("kernel names", () => {
  it("accepts what Python accepts, except . and ..", () => {
    for (const ok of ["python3", "Python3", "ir", "my-kernel_2.1", ".hidden"]) expect(isValidKernelName(ok)).toBe(true);
    for (const bad of ["", ".", "..", "a b", "a/b", "a\\b", "ünï", "x\0"]) expect(isValidKernelName(bad)).toBe(false);
  });
});

describe("KernelSpecManager: discovery", () => {
  it("searches jupyterPath('kernels') by default, with a given dataDir in the user's place", () => {
    const env = { HOME: "/home/ann", JUPYTER_PATH: "/opt/jp" };
    const options = { env, platform: "linux", prefix: "/usr" } as const;
    expect(new KernelSpecManager(options).kernelDirs).toEqual(jupyterPath("kernels", options));
    expect(new KernelSpecManager(options).kernelDirs.slice(0, 2)).toEqual(["/opt/jp/kernels", "/home/ann/.local/share/jupyter/kernels"]);
    const withData = new KernelSpecManager({ ...options, dataDir: "/data" });
    expect(withData.kernelDirs.slice(0, 2)).toEqual(["/opt/jp/kernels", "/data/kernels"]);
    expect(withData.userKernelDir).toBe("/data/kernels");
    expect(withData.envPrefix).toBe("/usr");
  });

  it("lists names lowercased, first directory wins, broken kernel.json included", async () => {
    const { ksm } = quietManager({ kernelDirs: [shadow, join(scratch, "missing"), kernels] });
    expect(await ksm.findKernelSpecs()).toEqual({
      echo: join(shadow, "echo"),
      mixedcase: join(kernels, "MixedCase"),
      "msg-kernel": join(kernels, "msg-kernel"),
      broken: join(kernels, "broken"),
      "with-version": join(kernels, "with-version"),
    });
  });

  it("skips a broken kernel.json in getAllSpecs with a warning naming it", async () => {
    const { ksm, warnings } = quietManager({ kernelDirs: [shadow, kernels] });
    const all = await ksm.getAllSpecs();
    expect(Object.keys(all).sort()).toEqual(["echo", "mixedcase", "msg-kernel", "with-version"]);
    expect(all["echo"]).toEqual({
      resource_dir: join(shadow, "echo"),
      spec: { argv: ["shadowed"], env: {}, display_name: "Shadowed Echo", language: "text", interrupt_mode: "signal", metadata: {} },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Error loading kernelspec 'broken': .*broken\/kernel\.json: not valid JSON/);
  });

  it("finds one spec by name in any case", async () => {
    const { ksm } = quietManager({ kernelDirs: [kernels] });
    const spec = await ksm.getKernelSpec("MIXEDCASE");
    expect(spec.name).toBe("mixedcase");
    expect(spec.resourceDir).toBe(join(kernels, "MixedCase"));
  });

  it("says which specs exist when a name is not found", async () => {
    const { ksm } = quietManager({ kernelDirs: [kernels] });
    const error = await ksm.getKernelSpec("pyhton3").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchKernelError);
    expect(error).toMatchObject({
      name: "NoSuchKernelError",
      code: "ERR_NO_SUCH_KERNEL",
      kernelName: "pyhton3",
      available: ["broken", "echo", "mixedcase", "msg-kernel", "with-version"],
    });
    expect((error as Error).message).toBe(
      "kernelspec 'pyhton3' not found; installed: broken, echo, mixedcase, msg-kernel, with-version (run `jupyter-ts kernelspec list`)",
    );
    const none = await quietManager({ kernelDirs: [] }).ksm.getKernelSpec("x").catch((e: Error) => e.message);
    expect(none).toBe("kernelspec 'x' not found; installed: none (run `jupyter-ts kernelspec list`)");
  });

  it("gives a clear error for a broken spec asked for by name, and refuses path-like names", async () => {
    const { ksm } = quietManager({ kernelDirs: [kernels] });
    await expect(ksm.getKernelSpec("broken")).rejects.toBeInstanceOf(InvalidKernelSpecError);
    for (const name of ["../kernels/echo", "a/b", "..", ""]) {
      await expect(ksm.getKernelSpec(name)).rejects.toBeInstanceOf(InvalidKernelNameError);
    }
  });

  it("warns about directory names that break the naming rule but still lists them, as Python", async () => {
    const root = freshDir();
    mkdirSync(join(root, "my kernel"));
    writeFileSync(join(root, "my kernel", "kernel.json"), JSON.stringify({ argv: ["x"] }));
    const { ksm, warnings } = quietManager({ kernelDirs: [root] });
    expect(Object.keys(await ksm.findKernelSpecs())).toEqual(["my kernel"]);
    await ksm.findKernelSpecs();
    expect(warnings).toEqual([`Invalid kernelspec directory name (Kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore).): ${join(root, "my kernel")}`]);
    expect((await ksm.getKernelSpec("my kernel")).argv).toEqual(["x"]);
  });

  it("lists and finds only allowed kernelspecs", async () => {
    const { ksm } = quietManager({ kernelDirs: [kernels], allowedKernelspecs: ["Echo", "msg-kernel"] });
    expect(Object.keys(await ksm.findKernelSpecs()).sort()).toEqual(["echo", "msg-kernel"]);
    expect(Object.keys(await ksm.getAllSpecs()).sort()).toEqual(["echo", "msg-kernel"]);
    await expect(ksm.getKernelSpec("mixedcase")).rejects.toMatchObject({ available: ["echo", "msg-kernel"] });
  });

  it("adds the native kernel only when asked and when none of its name is installed", async () => {
    const nativeKernel = { name: "echo", resourceDir: join(shadow, "echo") };
    expect((await quietManager({ kernelDirs: [], nativeKernel }).ksm.findKernelSpecs())).toEqual({});
    expect(await quietManager({ kernelDirs: [], nativeKernel, ensureNativeKernel: true }).ksm.findKernelSpecs()).toEqual({
      echo: join(shadow, "echo"),
    });
    const installed = quietManager({ kernelDirs: [kernels], nativeKernel, ensureNativeKernel: true }).ksm;
    expect((await installed.findKernelSpecs())["echo"]).toBe(join(kernels, "echo"));
    expect((await quietManager({ kernelDirs: [], nativeKernel, ensureNativeKernel: true }).ksm.getKernelSpec("echo")).argv).toEqual(["shadowed"]);
    const { ksm, warnings } = quietManager({ kernelDirs: [], ensureNativeKernel: true });
    expect(await ksm.findKernelSpecs()).toEqual({});
    expect(warnings[0]).toMatch(/Native kernel is not available/);
  });

  it("module-level findKernelSpecs and getKernelSpec use a fresh manager", async () => {
    const logger = { warn: () => {} };
    expect((await findKernelSpecs({ kernelDirs: [kernels], logger }))["echo"]).toBe(join(kernels, "echo"));
    expect((await getKernelSpec("echo", { kernelDirs: [kernels], logger })).displayName).toBe("Echo");
  });
});

describe("KernelSpecManager: install and remove", () => {
  function setup() {
    const root = freshDir();
    const dataDir = join(root, "data");
    const prefix = join(root, "prefix");
    const env = { HOME: join(root, "home"), JUPYTER_PATH: join(prefix, "share", "jupyter") };
    return { root, dataDir, prefix, ...quietManager({ env, dataDir, platform: "linux", prefix: "/usr" }) };
  }

  it("copies the directory with its resources into the user's kernels, lowercasing the name", async () => {
    const { ksm, dataDir, warnings } = setup();
    const dest = await ksm.installKernelSpec(join(kernels, "MixedCase") + "/", { user: true });
    expect(dest).toBe(join(dataDir, "kernels", "mixedcase"));
    expect(warnings).toEqual([]);
    const echo = await ksm.installKernelSpec(join(kernels, "echo"), { user: true, kernelName: "Echo2" });
    expect(readFileSync(join(echo, "logo-32x32.png"), "utf8")).toBe("fake png bytes\n");
    expect(await ksm.findKernelSpecs()).toMatchObject({ mixedcase: dest, echo2: echo });
    expect((await ksm.getKernelSpec("echo2")).displayName).toBe("Echo");
  });

  it("installs into a prefix, warning when that is not searched", async () => {
    const { ksm, prefix, warnings } = setup();
    expect(await ksm.installKernelSpec(join(kernels, "echo"), { prefix })).toBe(join(prefix, "share", "jupyter", "kernels", "echo"));
    expect(warnings).toEqual([]);
    const elsewhere = join(prefix, "..", "other");
    await ksm.installKernelSpec(join(kernels, "echo"), { prefix: elsewhere });
    expect(warnings[0]).toMatch(/^Installing to .*other\/share\/jupyter\/kernels, which is not in .* The kernelspec may not be found\.$/);
  });

  it("installs system-wide into the first system directory by default", () => {
    expect(setup().ksm.destinationDir("x")).toBe("/usr/local/share/jupyter/kernels/x");
  });

  it("replaces an existing kernelspec unless replace: false", async () => {
    const { ksm } = setup();
    const dest = await ksm.installKernelSpec(join(kernels, "echo"), { user: true });
    writeFileSync(join(dest, "stale.txt"), "old");
    await ksm.installKernelSpec(join(shadow, "echo"), { user: true });
    expect(existsSync(join(dest, "stale.txt"))).toBe(false);
    expect((await ksm.getKernelSpec("echo")).displayName).toBe("Shadowed Echo");
    const error = await ksm.installKernelSpec(join(kernels, "echo"), { user: true, replace: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelSpecExistsError);
    expect(error).toMatchObject({ code: "ERR_KERNELSPEC_EXISTS", kernelName: "echo", path: dest });
    expect((await ksm.getKernelSpec("echo")).displayName).toBe("Shadowed Echo");
  });

  it("refuses bad names, contradictory options and sources without a valid kernel.json", async () => {
    const { ksm, prefix, dataDir } = setup();
    const badName = await ksm.installKernelSpec(join(kernels, "echo"), { user: true, kernelName: ".." }).catch((e: unknown) => e);
    expect(badName).toBeInstanceOf(InvalidKernelNameError);
    expect((badName as Error).message).toMatch(/invalid kernel name '\.\.'/);
    await expect(ksm.installKernelSpec(join(kernels, "echo"), { user: true, kernelName: "my kernel" })).rejects.toThrow(/try 'my-kernel'/);
    await expect(ksm.installKernelSpec(join(kernels, "echo"), { user: true, prefix })).rejects.toBeInstanceOf(KernelSpecOptionsError);
    await expect(ksm.installKernelSpec(join(kernels, "broken"), { user: true })).rejects.toBeInstanceOf(InvalidKernelSpecError);
    await expect(ksm.installKernelSpec(join(fixtures, "shadow"), { user: true })).rejects.toThrow(/has no kernel\.json/);
    expect(existsSync(join(dataDir, "kernels"))).toBe(false);
  });

  it("removes a kernelspec directory, or only the symlink to one", async () => {
    const { ksm, dataDir } = setup();
    const dest = await ksm.installKernelSpec(join(kernels, "echo"), { user: true });
    expect(await ksm.removeKernelSpec("ECHO")).toBe(dest);
    expect(existsSync(dest)).toBe(false);
    const target = join(dataDir, "..", "outside");
    await ksm.installKernelSpec(join(kernels, "echo"), { prefix: target });
    symlinkSync(join(target, "share", "jupyter", "kernels", "echo"), join(dataDir, "kernels", "linked"));
    expect(lstatSync(join(dataDir, "kernels", "linked")).isSymbolicLink()).toBe(true);
    await ksm.removeKernelSpec("linked");
    expect(existsSync(join(dataDir, "kernels", "linked"))).toBe(false);
    expect(existsSync(join(target, "share", "jupyter", "kernels", "echo", "kernel.json"))).toBe(true);
    await expect(ksm.removeKernelSpec("linked")).rejects.toBeInstanceOf(NoSuchKernelError);
  });

  it("module-level installKernelSpec takes the manager's options apart", async () => {
    const { dataDir } = setup();
    const dest = await installKernelSpec(join(kernels, "echo"), { user: true, manager: { dataDir, logger: { warn: () => {} } } });
    expect(dest).toBe(join(dataDir, "kernels", "echo"));
  });
});
