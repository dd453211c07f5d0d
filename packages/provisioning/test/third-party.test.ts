// The proof of plugin discovery: a provisioner published as an ordinary npm
// package (plain JS, extending the @jupyter-ts/provisioning it depends on),
// installed into an application outside this workspace, found through its
// package.json alone, and starting a kernel.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConnectionFileMixin, LocalPortCache } from "@jupyter-ts/connection";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KernelProvisionerFactory, LocalProvisioner, availableKernelSpecManager, type KernelProvisionerBase } from "../src/index.js";
import { FAKE_KERNEL, PACKAGE_DIR, isRunning, makeThirdPartyApp, readReport, removeTempDirs, leftovers } from "./helpers.js";

let running: KernelProvisionerBase | undefined;

afterEach(async () => {
  await running?.cleanup();
  running = undefined;
  await removeTempDirs();
});


afterAll(() => {
  expect(leftovers()).toEqual([]);
});

describe("a third-party provisioner package", () => {
  it("is discovered from the app's node_modules and starts a kernel through its own hooks", async () => {
    const app = await makeThirdPartyApp();
    expect(app.startsWith(join(PACKAGE_DIR, "..", ".."))).toBe(false);
    const marker = join(app, "marker.log");
    const report = join(app, "report.json");
    // a kernelspec installed in the app that asks for the provisioner, with config
    const kernelDir = join(app, "kernels", "marked");
    await mkdir(kernelDir, { recursive: true });
    await writeFile(
      join(kernelDir, "kernel.json"),
      JSON.stringify({
        argv: ["node", FAKE_KERNEL, "-f", "{connection_file}"],
        display_name: "Marked",
        language: "javascript",
        metadata: { kernel_provisioner: { provisioner_name: "marker-provisioner", config: { markerFile: marker, greeting: "hello from config" } } },
      }),
    );

    const factory = new KernelProvisionerFactory({ searchFrom: app });
    expect(await factory.getProvisionerEntries()).toEqual({
      "local-provisioner": "builtin",
      "marker-provisioner": "@acme/marker-provisioner@1.2.3:./dist/provisioner.js",
    });
    const ksm = availableKernelSpecManager({ kernelDirs: [join(app, "kernels")], factory });
    expect(await ksm.findKernelSpecs()).toEqual({ marked: kernelDir });
    const spec = await ksm.getKernelSpec("marked");

    const dir = join(app, "runtime");
    await mkdir(dir);
    const parent = new ConnectionFileMixin({ connectionFile: join(dir, "kernel-tp.json") });
    const provisioner = await factory.createProvisionerInstance("tp-1", spec, parent);
    running = provisioner;
    // the package's own copy of @jupyter-ts/provisioning, not this one: accepted by shape
    expect(provisioner.constructor.name).toBe("MarkerProvisioner");
    expect(provisioner).not.toBeInstanceOf(LocalProvisioner);
    expect(provisioner.config).toEqual({ markerFile: marker, greeting: "hello from config" });

    const { cmd, ...launch } = await provisioner.preLaunch({ env: { ...process.env, FAKE_KERNEL_REPORT: report } });
    const info = await provisioner.launchKernel(cmd, { ...launch, stdout: "ignore" });
    await provisioner.postLaunch();
    expect(info.shell_port).toBe(parent.shellPort);
    const kernel = await readReport<{ pid: number; env: Record<string, string>; info: { key: string } }>(report);
    expect(kernel.env["MARKER_GREETING"]).toBe("hello from config");
    expect(kernel.info.key).toBe(parent.getConnectionInfo().key);
    expect(await provisioner.poll()).toBeNull();

    await provisioner.terminate();
    expect(await provisioner.wait()).toBe(-15);
    await provisioner.cleanup();
    running = undefined;
    expect(readFileSync(marker, "utf8").trim().split("\n")).toEqual(["preLaunch", "launchKernel", "postLaunch", "cleanup"]);
    expect(isRunning(kernel.pid)).toBe(false);
    expect(existsSync(parent.connectionFile)).toBe(false);
    for (const port of Object.values(info).filter((v): v is number => typeof v === "number")) {
      expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
    }
  });

  it("is not found from a directory whose node_modules lack it", async () => {
    await makeThirdPartyApp();
    const factory = new KernelProvisionerFactory({ searchFrom: PACKAGE_DIR });
    expect(Object.keys(await factory.getProvisionerEntries())).not.toContain("marker-provisioner");
  });
});
