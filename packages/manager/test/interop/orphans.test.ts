// Nothing is left behind: no child of a kernel, no process, no connection
// file, no file descriptor, no reserved port; and kernels started together
// never share a port.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { KernelClient } from "@jupyter-ts/client";
import { LocalPortCache } from "@jupyter-ts/connection";
import type { LocalProvisioner } from "@jupyter-ts/provisioning";
import { KernelManager, MultiKernelManager, startNewKernel } from "../../src/index.js";
import {
  FIXTURES,
  eventually,
  groupRunning,
  ipykernelArgv,
  useKernelDirs,
  memoryLogger,
  openFds,
  pidRunning,
  processesMatching,
  python,
} from "../helpers.js";

const TIMEOUT = 180_000;

describe.skipIf(!python)("no orphans", () => {
  const dirs = useKernelDirs();

  let n = 0;
  const file = (): string => join(dirs.runtimeDir, `kernel-${++n}.json`);

  for (const now of [false, true]) {
    it(`a child process of the kernel is gone after ${now ? "shutdownKernel({ now: true })" : "a graceful shutdown"} (tiny kernel)`, async () => {
      const km = new KernelManager({ kernelName: "tiny-child", kernelSpecManager: dirs.ksm, connectionFile: file(), logger: memoryLogger() });
      onTestFinished(() => km.shutdownKernel({ now: true }));
      await km.startKernel();
      const kc = km.client();
      await kc.startChannels();
      await km.waitForReady(kc, { timeout: 30_000 });
      await kc.stopChannels();
      const child = Number(readFileSync(join(dirs.root, "child.pid"), "utf8"));
      expect(pidRunning(child)).toBe(true);
      const pgid = (km.provisioner as LocalProvisioner).pgid as number;
      await km.shutdownKernel({ now });
      // The tiny kernel exits without caring for its child: the group cleanup ends it.
      expect(await eventually(() => !pidRunning(child), 5000)).toBe(true);
      expect(groupRunning(pgid)).toBe(false);
    }, TIMEOUT);
  }

  for (const now of [false, true]) {
    it.skipIf(!ipykernelArgv)(`ipykernel: subprocess.Popen(['sleep', '600']) is gone after ${now ? "a kill" : "a graceful shutdown"}`, async () => {
      const kernel = await startNewKernel({ kernelName: "python3", kernelSpecManager: dirs.ksm, connectionFile: file(), kernelStderr: "capture", logger: memoryLogger() });
      onTestFinished(() => kernel[Symbol.asyncDispose]());
      const { km, kc } = kernel;
      const reply = await kc.execute("import subprocess; p = subprocess.Popen(['sleep', '600']); p.pid", { handle: true, timeout: 30_000 });
      let child = 0;
      for await (const msg of reply) {
        if (msg.msg_type === "execute_result") child = Number((msg.content as { data: Record<string, string> }).data["text/plain"]);
      }
      expect(pidRunning(child)).toBe(true);
      const pgid = (km.provisioner as LocalProvisioner).pgid as number;
      await kc.stopChannels();
      await km.shutdownKernel({ now });
      expect(await eventually(() => !pidRunning(child), 5000)).toBe(true);
      expect(groupRunning(pgid)).toBe(false);
    }, TIMEOUT);
  }

  // The tiny pyzmq kernel (test/fixtures/tiny_kernel.py) starts in about a
  // fifth of ipykernel's time; what is checked here is the manager and the
  // client, which do the same for both. ipykernel is cycled in the lifecycle tests.
  it("100 start / ready / graceful shutdown cycles leave no process, file, descriptor or port", async () => {
    const cache = LocalPortCache.instance();
    const cycle = async (): Promise<void> => {
      const km = new KernelManager({ kernelName: "tiny", kernelSpecManager: dirs.ksm, connectionFile: join(dirs.runtimeDir, "cycle.json"), logger: memoryLogger() });
      await km.startKernel();
      const kc: KernelClient = km.client();
      // channels started by waitForReady once the kernel listens
      await km.waitForReady(kc, { timeout: 30_000 });
      const reply = await kc.execute("x", { reply: true, timeout: 10_000 });
      expect(reply.content.status).toBe("ok");
      await kc.stopChannels();
      await km.shutdownKernel();
      expect(km.shutdownStatus).toBe("request");
    };
    // One cycle first: zeromq's context and I/O threads are made once per process.
    await cycle();
    const fds = openFds();
    const ports = cache.currentlyUsedPorts.size;
    for (let i = 0; i < 100; i++) await cycle();
    expect(processesMatching(join(FIXTURES, "tiny_kernel.py"))).toEqual([]);
    expect(dirs.leftovers()).toEqual([]);
    expect(cache.currentlyUsedPorts.size).toBe(ports);
    // Closed sockets and pipes are released asynchronously: give them a moment.
    expect(await eventually(() => openFds() <= fds, 5000)).toBe(true);
  }, TIMEOUT);

  it.skipIf(!ipykernelArgv)("20 ipykernels started at once: all ready, no port shared, all gone after shutdownAll", async () => {
    const mkm = new MultiKernelManager({ kernelSpecManager: dirs.ksm, connectionDir: dirs.runtimeDir, logger: memoryLogger(), kernelManagerOptions: { kernelStderr: "capture" } });
    onTestFinished(() => mkm.shutdownAll({ now: true }));
    const ids = await Promise.all(Array.from({ length: 20 }, () => mkm.startKernel()));
    expect(new Set(ids).size).toBe(20);
    const ports = ids.flatMap((id) => mkm.getKernel(id).ports);
    expect(ports).toHaveLength(100);
    expect(new Set(ports).size).toBe(100);
    const pids = ids.map((id) => (mkm.getKernel(id).provisioner as LocalProvisioner).pid as number);
    await Promise.all(
      ids.map(async (id) => {
        const km = mkm.getKernel(id);
        const kc = km.client();
        await kc.startChannels();
        try {
          await km.waitForReady(kc, { timeout: 150_000 });
          const reply = await kc.execute("1 + 1", { reply: true, timeout: 60_000 });
          expect(reply.content.status).toBe("ok");
        } finally {
          await kc.stopChannels();
        }
      }),
    );
    const files = ids.map((id) => mkm.getKernel(id).connectionFile);
    await mkm.shutdownAll();
    expect(mkm.size).toBe(0);
    for (const pid of pids) expect(pidRunning(pid)).toBe(false);
    for (const f of files) expect(existsSync(f)).toBe(false);
  }, TIMEOUT);
});
