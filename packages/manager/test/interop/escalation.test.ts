// Misbehaving kernels (ipykernel with one fault, test/fixtures/fixture_kernel.py):
// shutdown escalates to SIGTERM and SIGKILL, a kernel dying at start is a
// KernelStartError, and a kernel that keeps dying is restarted, then given up.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { KernelProvisionerFactory, LocalProvisioner, type PreLaunchOptions, type PreLaunchResult, type RestartOptions } from "@jupyter-ts/provisioning";
import { KernelManager, KernelStartError, startNewKernel } from "../../src/index.js";
import { groupRunning, useKernelDirs, memoryLogger, pidRunning, python } from "../helpers.js";

const TIMEOUT = 90_000;

/** Another program takes the kernel's shell port between the port choice and the launch, once. */
class PortThief extends LocalProvisioner {
  static thefts = 0;
  #server: Server | undefined;
  override async preLaunch(options?: PreLaunchOptions): Promise<PreLaunchResult> {
    const result = await super.preLaunch(options);
    if (PortThief.thefts++ === 0) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen({ host: this.parent.ip, port: this.parent.shellPort }, resolve));
      this.#server = server;
    }
    return result;
  }
  override async cleanup(options?: RestartOptions): Promise<void> {
    await super.cleanup(options);
    this.#server?.close();
  }
}

describe.skipIf(!python)("shutdown escalation and restarts with fixture kernels", () => {
  const dirs = useKernelDirs();

  let n = 0;
  function manager(kernelName: string, options: ConstructorParameters<typeof KernelManager>[0] = {}): KernelManager {
    const km = new KernelManager({
      kernelName,
      kernelSpecManager: dirs.ksm,
      connectionFile: join(dirs.runtimeDir, `kernel-${++n}.json`),
      logger: memoryLogger(),
      kernelStderr: "capture",
      ...options,
    });
    onTestFinished(() => km.shutdownKernel({ now: true }));
    return km;
  }

  async function ready(km: KernelManager): Promise<void> {
    const kc = km.client();
    await kc.startChannels();
    try {
      await km.waitForReady(kc, { timeout: 60_000 });
    } finally {
      await kc.stopChannels();
    }
  }

  for (const [kernelName, status, exit] of [
    ["fixture-ignore-shutdown", "terminate", -15],
    ["fixture-ignore-sigterm", "kill", -9],
    ["tiny-deaf", "terminate", -15],
    ["tiny-stubborn", "kill", -9],
  ] as const) {
    it(`${kernelName}: the shutdown ends with ${status === "kill" ? "SIGKILL" : "SIGTERM"}`, async () => {
      const km = manager(kernelName, { shutdownWaitTime: 2000 });
      await km.startKernel();
      await ready(km);
      const provisioner = km.provisioner as LocalProvisioner;
      const pid = provisioner.pid as number;
      const exited = provisioner.wait();
      const file = km.connectionFile;
      await km.shutdownKernel();
      expect(km.shutdownStatus).toBe(status);
      expect(await exited).toBe(exit);
      expect(pidRunning(pid)).toBe(false);
      expect(groupRunning(pid)).toBe(false);
      expect(existsSync(file)).toBe(false);
    }, TIMEOUT);
  }

  it("a kernel that dies at start: KernelStartError with its command, status and stderr, and nothing left", async () => {
    const file = join(dirs.runtimeDir, "dies-at-start.json");
    const error = await startNewKernel({
      kernelName: "fixture-die-at-start",
      kernelSpecManager: dirs.ksm,
      connectionFile: file,
      kernelStderr: "capture",
      logger: memoryLogger(),
      startupTimeout: 60_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelStartError);
    const e = error as KernelStartError;
    expect(e.kernelName).toBe("fixture-die-at-start");
    expect(e.exitCode).toBe(3);
    expect(e.command.join(" ")).toContain("fixture_kernel.py die-at-start -f");
    expect(e.stderr).toContain("fixture kernel: cannot start (die-at-start mode)");
    expect(e.message).toContain("exited with status 3 before it was ready");
    expect(e.message).toContain("fixture kernel: exiting with status 3");
    expect(existsSync(file)).toBe(false);
  }, TIMEOUT);

  it("a port taken before the kernel binds it: waitForReady restarts the kernel on new ports and goes on", async () => {
    const factory = new KernelProvisionerFactory({ defaultProvisionerName: "port-thief" });
    factory.registerProvisioner("port-thief", PortThief);
    const log = memoryLogger();
    const km = manager("tiny", { provisionerFactory: factory, logger: log });
    await km.startKernel();
    const stolen = km.shellPort;
    const kc = km.client();
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels();
    const reply = await km.waitForReady(kc, { timeout: 60_000 });
    expect(reply.content.status).toBe("ok");
    expect(km.shellPort).not.toBe(stolen);
    expect(kc.connection.shellPort).toBe(km.shellPort);
    expect(log.lines.some((l) => l.includes("lost a port to another program"))).toBe(true);
    expect((await kc.execute("x", { reply: true, timeout: 10_000 })).content.status).toBe("ok");
  }, TIMEOUT);

  it("a kernel that keeps dying is restarted up to restartLimit, then dead; each one is gone", async () => {
    const km = manager("fixture-die-after", { restarter: { restartLimit: 2, timeToDead: 100, stableStartTime: 30_000 } });
    const attempts: number[] = [];
    const pids: number[] = [];
    km.on("restart", (attempt) => attempts.push(attempt));
    const dead = new Promise<void>((resolve) => km.on("dead", () => resolve()));
    await km.startKernel();
    pids.push((km.provisioner as LocalProvisioner).pid as number);
    const offRestart = km.on("restart", () => {
      void km.ready.then(() => pids.push((km.provisioner as LocalProvisioner).pid as number));
    });
    await dead;
    offRestart();
    expect(attempts).toEqual([1, 2]);
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) {
      expect(pidRunning(pid)).toBe(false);
      expect(groupRunning(pid)).toBe(false);
    }
    expect(await km.isAlive()).toBe(false);
    const file = km.connectionFile;
    await km.shutdownKernel();
    expect(existsSync(file)).toBe(false);
  }, TIMEOUT);

  it("a kernel restarted by the restarter is usable, even by a client whose heartbeat gave up meanwhile", async () => {
    const km = manager("tiny", { restarter: { timeToDead: 600 } });
    await km.startKernel();
    const kc = km.client({ heartbeat: { timeToDead: 100, maxMissed: 2 } });
    onTestFinished(() => kc.stopChannels());
    await km.waitForReady(kc, { timeout: 30_000 });
    const restarted = new Promise<void>((resolve) => km.on("restart", () => resolve()));
    const hbDead = new Promise<void>((resolve) => kc.on("dead", () => resolve()));
    await km.signalKernel("SIGKILL");
    await hbDead;
    await restarted;
    await km.ready;
    expect(await km.isAlive()).toBe(true);
    const reply = await km.waitForReady(kc, { timeout: 30_000 });
    expect(reply.content.status).toBe("ok");
    expect((await kc.execute("x", { reply: true, timeout: 10_000 })).content.status).toBe("ok");
  }, TIMEOUT);
});
