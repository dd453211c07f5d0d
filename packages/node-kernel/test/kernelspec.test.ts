import { afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { KernelSpec, KernelSpecManager } from "@jupyter-ts/kernelspec";
import { installNodeKernelSpec, kernelEntry, nodeKernelResourceDir, nodeKernelSpec } from "../src/index.js";

describe("kernelspec", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), "jts-node-spec-"));
    dirs.push(dir);
    return dir;
  };

  it("starts the built kernel with the Node that runs now", () => {
    const spec = nodeKernelSpec();
    expect(spec.argv).toEqual([process.execPath, kernelEntry(), "-f", "{connection_file}"]);
    expect(kernelEntry()).toMatch(/node-kernel[\\/]dist[\\/]main\.js$/);
    expect(existsSync(kernelEntry())).toBe(true);
    expect(spec).toMatchObject({ display_name: "JavaScript (Node.js)", language: "javascript", interrupt_mode: "signal" });
    expect(nodeKernelSpec({ interruptMode: "message", displayName: "JS" })).toMatchObject({ interrupt_mode: "message", display_name: "JS" });
  });

  it("installs for the user as 'node', found by KernelSpecManager", async () => {
    const dataDir = await tempDir();
    const dir = await installNodeKernelSpec({ user: true, dataDir });
    expect(dir).toBe(join(dataDir, "kernels", "node"));
    expect(existsSync(join(dir, "logo-svg.svg"))).toBe(true);
    const spec = await new KernelSpecManager({ dataDir, kernelDirs: [join(dataDir, "kernels")] }).getKernelSpec("node");
    expect(spec.argv[1]).toBe(kernelEntry());
    expect(spec.displayName).toBe("JavaScript (Node.js)");
  });

  it("installs under a prefix and another name, replacing an earlier one", async () => {
    const prefix = await tempDir();
    const dir = await installNodeKernelSpec({ prefix, name: "js" });
    expect(dir).toBe(join(prefix, "share", "jupyter", "kernels", "js"));
    await installNodeKernelSpec({ prefix, name: "js", displayName: "Second" });
    expect(JSON.parse(await readFile(join(dir, "kernel.json"), "utf8"))).toMatchObject({ display_name: "Second" });
  });
});

describe("nodeKernelResourceDir", () => {
  it("ships a kernelspec that starts dist/main.js of this package", async () => {
    const spec = await KernelSpec.fromResourceDir(nodeKernelResourceDir());
    expect(spec.argv[0]).toBe("node");
    expect(resolve(spec.argv[1]!.replace("{resource_dir}", spec.resourceDir))).toBe(kernelEntry());
    expect(spec.argv.slice(2)).toEqual(["-f", "{connection_file}"]);
    const installed = nodeKernelSpec();
    expect(spec.displayName).toBe(installed.display_name);
    expect(spec.language).toBe(installed.language);
    expect(spec.interruptMode).toBe(installed.interrupt_mode);
    expect(existsSync(`${spec.resourceDir}/logo-svg.svg`)).toBe(true);
  });
});
