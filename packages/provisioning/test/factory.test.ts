import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConnectionFileMixin } from "@jupyter-ts/connection";
import { NoSuchKernelError, type KernelSpec } from "@jupyter-ts/kernelspec";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  InvalidProvisionerError,
  KernelProvisionerFactory,
  LocalProvisioner,
  NoSuchProvisionerError,
  availableKernelSpecManager,
  type ProvisionerClass,
  type ProvisionerOptions,
} from "../src/index.js";
import { fakeKernelSpec, removeTempDirs, tempDir } from "./helpers.js";

afterEach(async () => {
  vi.unstubAllEnvs();
  await removeTempDirs();
});

function logger() {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => void warnings.push(m) };
}

function specWith(provisioner: unknown, name = "custom"): KernelSpec {
  return fakeKernelSpec({ name, displayName: `Custom ${name}`, metadata: { kernel_provisioner: provisioner } });
}

/** An empty directory to search from, so the workspace's node_modules play no part. */
async function isolated(): Promise<string> {
  return tempDir("jts-empty-");
}

class ConfiguredProvisioner extends LocalProvisioner {
  readonly seen: ProvisionerOptions;
  constructor(options: ProvisionerOptions) {
    super(options);
    this.seen = options;
  }
}

/** Writes node_modules/<name>/package.json (+ files) in `root`. */
async function writePackage(root: string, name: string, pkg: Record<string, unknown> | string, files: Record<string, string> = {}): Promise<void> {
  const dir = join(root, "node_modules", ...name.split("/"));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), typeof pkg === "string" ? pkg : JSON.stringify({ name, version: "1.0.0", type: "module", ...pkg }));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, ".."), { recursive: true });
    await writeFile(join(dir, file), text);
  }
}

describe("KernelProvisionerFactory", () => {
  it("gives kernelspecs without kernel_provisioner a LocalProvisioner", async () => {
    const factory = new KernelProvisionerFactory({ searchFrom: await isolated() });
    expect(factory.defaultProvisionerName).toBe("local-provisioner");
    const parent = new ConnectionFileMixin();
    const provisioner = await factory.createProvisionerInstance("k-1", fakeKernelSpec(), parent);
    expect(provisioner).toBeInstanceOf(LocalProvisioner);
    expect(provisioner.kernelId).toBe("k-1");
    expect(provisioner.parent).toBe(parent);
    expect(provisioner.config).toEqual({});
    expect(await factory.getProvisionerEntries()).toEqual({ "local-provisioner": "builtin" });
  });

  it("registerProvisioner: the kernelspec picks it by name and its config becomes the constructor's config", async () => {
    const factory = new KernelProvisionerFactory({ searchFrom: await isolated() });
    factory.registerProvisioner("configured", ConfiguredProvisioner);
    const spec = specWith({ provisioner_name: "configured", config: { image: "python:3.12", retries: 2 } });
    expect(await factory.isProvisionerAvailable(spec)).toBe(true);
    const provisioner = await factory.createProvisionerInstance("k-2", spec, new ConnectionFileMixin());
    expect(provisioner).toBeInstanceOf(ConfiguredProvisioner);
    expect(provisioner.config).toEqual({ image: "python:3.12", retries: 2 });
    expect((provisioner as ConfiguredProvisioner).seen.kernelSpec).toBe(spec);
    expect(factory.getProvisionerConfig(specWith({ provisioner_name: "configured" }))).toEqual({ provisionerName: "configured", config: {} });
    // no provisioner_name: the default, as Python
    expect(factory.getProvisionerConfig(specWith({ config: { a: 1 } }))).toEqual({ provisionerName: "local-provisioner", config: {} });
    expect(await factory.getProvisionerEntries()).toEqual({ configured: "registered", "local-provisioner": "builtin" });
  });

  it("registerProvisioner refuses what is not a provisioner class", () => {
    const factory = new KernelProvisionerFactory({ searchFrom: "/nonexistent" });
    expect(() => factory.registerProvisioner("bad", {} as unknown as ProvisionerClass)).toThrow(InvalidProvisionerError);
    class Half {
      poll(): void {}
    }
    expect(() => factory.registerProvisioner("half", Half as unknown as ProvisionerClass)).toThrow(
      "kernel provisioner 'half' (registered) lacks wait, sendSignal, kill, terminate, launchKernel, cleanup, preLaunch, postLaunch, hasProcess",
    );
  });

  it("an unknown provisioner: not available (with a warning), and starting fails naming it, the kernelspec and the installed ones", async () => {
    const log = logger();
    const factory = new KernelProvisionerFactory({ searchFrom: await isolated(), logger: log });
    factory.registerProvisioner("configured", ConfiguredProvisioner);
    const spec = specWith({ provisioner_name: "docker-provisioner" }, "dockerized");
    expect(await factory.isProvisionerAvailable(spec)).toBe(false);
    expect(log.warnings).toEqual([expect.stringContaining("kernel 'Custom dockerized' asks for kernel provisioner 'docker-provisioner', which is not available")]);
    const error = await factory.createProvisionerInstance("k", spec, new ConnectionFileMixin()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchProvisionerError);
    const e = error as NoSuchProvisionerError;
    expect(e.code).toBe("ERR_NO_SUCH_PROVISIONER");
    expect(e.provisionerName).toBe("docker-provisioner");
    expect(e.kernelName).toBe("dockerized");
    expect(e.available).toEqual(["configured", "local-provisioner"]);
    expect(e.message).toBe(
      "kernel provisioner 'docker-provisioner' (asked for by kernelspec 'dockerized') is not installed; installed provisioners: " +
        "configured, local-provisioner. Install the npm package that provides it where the application can resolve it, or fix " +
        "metadata.kernel_provisioner in the kernelspec (run `jupyter-ts kernelspec provisioners`)",
    );
  });

  it("JUPYTER_DEFAULT_PROVISIONER_NAME picks the provisioner of kernelspecs that name none", async () => {
    vi.stubEnv("JUPYTER_DEFAULT_PROVISIONER_NAME", "configured");
    const factory = new KernelProvisionerFactory({ searchFrom: await isolated() });
    expect(factory.defaultProvisionerName).toBe("configured");
    await expect(factory.createProvisionerInstance("k", fakeKernelSpec(), new ConnectionFileMixin())).rejects.toThrow(
      "kernel provisioner 'configured' (asked for by kernelspec 'fake') is not installed",
    );
    factory.registerProvisioner("configured", ConfiguredProvisioner);
    expect(await factory.createProvisionerInstance("k", fakeKernelSpec(), new ConnectionFileMixin())).toBeInstanceOf(ConfiguredProvisioner);
    // the option wins over the variable
    expect(new KernelProvisionerFactory({ defaultProvisionerName: "x" }).defaultProvisionerName).toBe("x");
  });

  it("finds provisioners declared by packages (scoped too) in node_modules walking up, nearest first, and warns about broken ones", async () => {
    const root = await tempDir();
    const app = join(root, "apps", "web");
    await mkdir(app, { recursive: true });
    const declares = (name: string, module = "./p.js") => ({ "jupyter-ts": { provisioners: { [name]: module } } });
    await writePackage(app, "near-pkg", declares("shared"));
    await writePackage(root, "far-pkg", declares("shared"));
    await writePackage(root, "@scope/remote", declares("remote-provisioner", "./dist/remote.js"));
    await writePackage(root, "plain", {});
    await writePackage(root, "broken-json", '{ "name": "broken-json", "jupyter-ts": ');
    await writePackage(root, "bad-module", declares("escape", "../../outside.js"));
    await writePackage(root, "bad-section", { "jupyter-ts": { provisioners: ["x"] } });
    const log = logger();
    const factory = new KernelProvisionerFactory({ searchFrom: app, logger: log });
    expect(await factory.getProvisionerEntries()).toEqual({
      "local-provisioner": "builtin",
      "remote-provisioner": "@scope/remote@1.0.0:./dist/remote.js",
      shared: "near-pkg@1.0.0:./p.js",
    });
    expect(log.warnings).toHaveLength(4);
    expect(log.warnings.join("\n")).toContain(`ignoring ${join(root, "node_modules", "broken-json", "package.json")} while looking for kernel provisioners: not valid JSON`);
    expect(log.warnings.join("\n")).toContain("its module ../../outside.js is outside the package");
    expect(log.warnings.join("\n")).toContain(`"jupyter-ts".provisioners of ${join(root, "node_modules", "bad-section", "package.json")}: it must be an object`);
    expect(log.warnings.join("\n")).toContain("kernel provisioner 'shared' is declared by near-pkg");
    // the scan is cached until rescan()
    await writePackage(root, "late", declares("late-provisioner"));
    expect(Object.keys(await factory.getProvisionerEntries())).not.toContain("late-provisioner");
    factory.rescan();
    expect(Object.keys(await factory.getProvisionerEntries())).toContain("late-provisioner");
  });

  it("a declared module that fails to load or exports no class is an InvalidProvisionerError; a fixed one loads after rescan", async () => {
    const root = await tempDir();
    await writePackage(root, "no-class", { "jupyter-ts": { provisioners: { "no-class": "./index.js" } } }, { "index.js": "export default 42;\n" });
    await writePackage(root, "throws", { "jupyter-ts": { provisioners: { throws: "./index.js" } } }, { "index.js": "throw new Error('boom at import');\n" });
    const factory = new KernelProvisionerFactory({ searchFrom: root });
    const start = (name: string) => factory.createProvisionerInstance("k", specWith({ provisioner_name: name }), new ConnectionFileMixin());
    await expect(start("no-class")).rejects.toThrow(
      "kernel provisioner 'no-class' (no-class@1.0.0:./index.js) is not a class: its module's default export must be a class extending KernelProvisionerBase",
    );
    const error = await start("throws").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidProvisionerError);
    expect((error as Error).message).toContain("failed to load from");
    expect((error as Error).message).toContain("boom at import");
  });

  it("availableKernelSpecManager leaves out kernelspecs whose provisioner is missing and refuses them by name", async () => {
    const kernels = await tempDir();
    const write = async (name: string, metadata: Record<string, unknown>) => {
      await mkdir(join(kernels, name));
      await writeFile(join(kernels, name, "kernel.json"), JSON.stringify({ argv: ["node", "k.js"], display_name: name, language: "js", metadata }));
    };
    await write("plain", {});
    await write("remote", { kernel_provisioner: { provisioner_name: "missing-provisioner" } });
    const log = logger();
    const factory = new KernelProvisionerFactory({ searchFrom: await isolated(), logger: log });
    const ksm = availableKernelSpecManager({ kernelDirs: [kernels], factory, logger: log });
    expect(await ksm.findKernelSpecs()).toEqual({ plain: join(kernels, "plain") });
    expect(Object.keys(await ksm.getAllSpecs())).toEqual(["plain"]);
    const error = await ksm.getKernelSpec("remote").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchKernelError);
    expect((error as Error).message).toContain("kernelspec 'remote' is installed but not available: its kernel provisioner 'missing-provisioner' is not installed");
    expect((error as Error).message).toContain("available: plain");
    expect((await ksm.getKernelSpec("plain")).name).toBe("plain");
    factory.registerProvisioner("missing-provisioner", ConfiguredProvisioner);
    expect(Object.keys(await ksm.findKernelSpecs()).sort()).toEqual(["plain", "remote"]);
  });
});
