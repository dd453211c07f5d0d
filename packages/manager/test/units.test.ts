// KernelManager, KernelRestarter and MultiKernelManager against a provisioner
// without a process (test/fake-provisioner.ts): every lifecycle path, quickly.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalPortCache } from "@jupyter-ts/connection";
import {
  DuplicateKernelError,
  KernelManager,
  KernelNotStartedError,
  KernelPendingError,
  KernelRunningError,
  KernelStartError,
  MultiKernelManager,
  NoSuchKernelIdError,
  type KernelManagerOptions,
} from "../src/index.js";
import { fakeWorld, made, type FakeProvisioner, type FakeWorld } from "./fake-provisioner.js";
import { memoryLogger } from "./helpers.js";

let world: FakeWorld;
const managers: KernelManager[] = [];

beforeAll(async () => {
  world = await fakeWorld({
    "fake-deaf": { exitOn: "sigterm" },
    "fake-stubborn": { exitOn: "sigkill" },
    "fake-dies": { diesAfter: 30 },
    "fake-broken": { launchFails: "no such kernel binary" },
    "fake-slow": { launchDelay: 150 },
    "fake-message": { interruptMode: "message" },
  });
});
afterEach(async () => {
  for (const km of managers.splice(0)) await km.shutdownKernel({ now: true });
  made.length = 0;
});
afterAll(async () => {
  await world.remove();
});

function manager(kernelName: string, options: KernelManagerOptions = {}): KernelManager {
  const km = new KernelManager({
    kernelName,
    kernelSpecManager: world.ksm,
    provisionerFactory: world.factory,
    logger: memoryLogger(),
    shutdownWaitTime: 400,
    ...options,
  });
  managers.push(km);
  return km;
}

const provisionerOf = (km: KernelManager): FakeProvisioner => km.provisioner as FakeProvisioner;

describe("KernelManager lifecycle", () => {
  it("starts through the provisioner the kernelspec names, writes the connection file, and is alive", async () => {
    const km = manager("fake", { kernelId: "k-1" });
    await km.startKernel({ extraArguments: ["--x"], env: { A: "1" } });
    const p = provisionerOf(km);
    expect(p.kernelId).toBe("k-1");
    expect(p.parent).toBe(km);
    expect(p.calls).toEqual(["preLaunch", "launch"]);
    expect(p.launches[0]?.cmd).toEqual(["fake-kernel", "-f", "{connection_file}", "--x"]);
    expect(p.launches[0]?.options.env["A"]).toBe("1");
    expect(km.hasKernel).toBe(true);
    expect(await km.isAlive()).toBe(true);
    expect(existsSync(km.connectionFile)).toBe(true);
    expect(km.kernelSpec?.name).toBe("fake");
    await expect(km.ready).resolves.toBeUndefined();
  });

  it("makes a kernel id when none is given, and keeps it across restarts", async () => {
    const km = manager("fake");
    await km.startKernel();
    const id = km.kernelId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await km.restartKernel();
    expect(km.kernelId).toBe(id);
  });

  it("ready obtained before the start settles with that start", async () => {
    const km = manager("fake");
    const ready = km.ready;
    let settled = false;
    void ready.then(() => (settled = true));
    const start = km.startKernel();
    await Promise.resolve();
    expect(settled).toBe(false);
    await start;
    await expect(ready).resolves.toBeUndefined();
  });

  it("a failed start rejects startKernel and ready, and frees the connection file and ports", async () => {
    const km = manager("fake-broken");
    const before = LocalPortCache.instance().currentlyUsedPorts.size;
    await expect(km.startKernel()).rejects.toThrow(/no such kernel binary/);
    await expect(km.ready).rejects.toThrow(/no such kernel binary/);
    expect(km.provisioner).toBeUndefined();
    expect(made[0]?.calls).toEqual(["preLaunch", "launch", "cleanup"]);
    expect(existsSync(km.connectionFile)).toBe(false);
    expect(LocalPortCache.instance().currentlyUsedPorts.size).toBe(before);
  });

  it("refuses a second start while the kernel runs", async () => {
    const km = manager("fake");
    await km.startKernel();
    await expect(km.startKernel()).rejects.toBeInstanceOf(KernelRunningError);
    expect(await km.isAlive()).toBe(true);
  });

  it("graceful shutdown: interrupt, shutdown request, exit; connection file and ports freed", async () => {
    const km = manager("fake");
    await km.startKernel();
    const p = provisionerOf(km);
    const file = km.connectionFile;
    const ports = km.ports;
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBe("request");
    expect(p.calls).toEqual(["preLaunch", "launch", "signal:SIGINT", "shutdownRequested", "exit:0", "cleanup"]);
    expect(existsSync(file)).toBe(false);
    for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
    expect(km.hasKernel).toBe(false);
    expect(await km.isAlive()).toBe(false);
    expect(km.provisioner).toBeUndefined();
  });

  it("escalates to SIGTERM when the kernel does not exit after the request", async () => {
    const km = manager("fake-deaf");
    await km.startKernel();
    const p = provisionerOf(km);
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBe("terminate");
    expect(p.calls).toEqual(["preLaunch", "launch", "signal:SIGINT", "shutdownRequested", "signal:SIGTERM", "exit:-15", "cleanup"]);
  });

  it("escalates to SIGKILL when SIGTERM does not end it either", async () => {
    const km = manager("fake-stubborn");
    await km.startKernel();
    const p = provisionerOf(km);
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBe("kill");
    expect(p.calls).toEqual(["preLaunch", "launch", "signal:SIGINT", "shutdownRequested", "signal:SIGTERM", "signal:SIGKILL", "exit:-9", "cleanup"]);
  });

  it("now: true kills at once, without a request", async () => {
    const km = manager("fake");
    await km.startKernel();
    const p = provisionerOf(km);
    await km.shutdownKernel({ now: true });
    expect(km.shutdownStatus).toBe("kill");
    expect(p.calls).toEqual(["preLaunch", "launch", "signal:SIGINT", "signal:SIGKILL", "exit:-9", "cleanup"]);
  });

  it("the provisioner's shutdown wait time decides the escalation steps", async () => {
    const km = manager("fake-stubborn", { shutdownWaitTime: 60_000 });
    await km.startKernel();
    const p = provisionerOf(km);
    p.getShutdownWaitTime = () => 100;
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBe("kill");
  });

  it("shutdown without a kernel resolves and leaves nothing", async () => {
    const km = manager("fake");
    await km.shutdownKernel();
    expect(km.hasKernel).toBe(false);
  });

  it("restart keeps the connection file and ports; newports picks new ones", async () => {
    const km = manager("fake");
    await km.startKernel({ env: { A: "1" } });
    const file = km.connectionFile;
    const ports = km.ports;
    const first = provisionerOf(km);
    await km.restartKernel();
    expect(km.connectionFile).toBe(file);
    expect(km.ports).toEqual(ports);
    expect(provisionerOf(km)).toBe(first);
    expect(first.calls).toEqual(["preLaunch", "launch", "signal:SIGINT", "shutdownRequested:restart", "exit:0", "cleanup:restart", "preLaunch", "launch"]);
    expect(first.launches[1]?.options.env["A"]).toBe("1");
    await km.restartKernel({ newports: true });
    expect(km.connectionFile).toBe(file);
    expect(existsSync(file)).toBe(true);
    expect(km.ports).not.toEqual(ports);
    expect(provisionerOf(km)).not.toBe(first);
    for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
  });

  it("restart options replace the kept ones; updateEnv changes the next start's env", async () => {
    const km = manager("fake");
    await km.startKernel({ env: { A: "1" }, cwd: "/" });
    km.updateEnv({ B: "2" });
    await km.restartKernel({ extraArguments: ["--y"] });
    const launch = provisionerOf(km).launches[1];
    expect(launch?.cmd.at(-1)).toBe("--y");
    expect(launch?.options.env["A"]).toBe("1");
    expect(launch?.options.env["B"]).toBe("2");
    expect(launch?.options.cwd).toBe("/");
  });

  it("restart before any start is an error", async () => {
    const km = manager("fake");
    await expect(km.restartKernel()).rejects.toBeInstanceOf(KernelNotStartedError);
  });

  it("interrupt: SIGINT for signal mode; needs a kernel", async () => {
    const km = manager("fake");
    await expect(km.interruptKernel()).rejects.toBeInstanceOf(KernelNotStartedError);
    await expect(km.signalKernel("SIGUSR1")).rejects.toBeInstanceOf(KernelNotStartedError);
    await km.startKernel();
    await km.interruptKernel();
    await km.signalKernel("SIGUSR1");
    expect(provisionerOf(km).calls.slice(2)).toEqual(["signal:SIGINT", "signal:SIGUSR1"]);
  });

  it("interrupt in message mode times out with a clear error when nothing replies", async () => {
    const km = manager("fake-message", { interruptTimeout: 100 });
    await km.startKernel();
    await expect(km.interruptKernel()).rejects.toThrow(/no interrupt_reply .* within 100 ms/);
  });

  it("lifecycle calls run in call order", async () => {
    const km = manager("fake");
    const order: string[] = [];
    await Promise.all([
      km.startKernel().then(() => order.push("start")),
      km.restartKernel().then(() => order.push("restart")),
      km.shutdownKernel().then(() => order.push("shutdown")),
    ]);
    expect(order).toEqual(["start", "restart", "shutdown"]);
    expect(km.hasKernel).toBe(false);
  });

  it("ownsKernel: false never shuts down and is always alive", async () => {
    const km = manager("fake", { ownsKernel: false });
    expect(await km.isAlive()).toBe(true);
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBeUndefined();
  });

  it("client() gets the connection info, the key, and its own session id", async () => {
    const km = manager("fake");
    await km.startKernel();
    const a = km.client();
    const b = km.client();
    expect(a.connection.getConnectionInfo()).toEqual(km.getConnectionInfo());
    expect(a.session.key).toEqual(km.session.key);
    expect(a.session.session).not.toBe(b.session.session);
    expect(a.session.session).not.toBe(km.session.session);
  });

  it("await using shuts the kernel down", async () => {
    let p: FakeProvisioner;
    let file: string;
    {
      await using km = manager("fake");
      await km.startKernel();
      p = provisionerOf(km);
      file = km.connectionFile;
    }
    expect(p.running).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe("KernelRestarter", () => {
  it("restarts a kernel that dies, then gives up with dead after restartLimit", async () => {
    const km = manager("fake-dies", { restarter: { timeToDead: 10, restartLimit: 3, stableStartTime: 60_000 } });
    const events: string[] = [];
    km.on("restart", (attempt, limit) => events.push(`restart ${attempt}/${limit}`));
    const dead = new Promise<void>((resolve) => km.on("dead", () => resolve()));
    await km.startKernel();
    await dead;
    expect(events).toEqual(["restart 1/3", "restart 2/3", "restart 3/3"]);
    expect(made).toHaveLength(4);
    expect(await km.isAlive()).toBe(false);
    expect(km.kernelId).toBe(made[3]?.kernelId);
  });

  it("picks new ports on restart until the kernel has lived stableStartTime", async () => {
    const km = manager("fake-dies", { restarter: { timeToDead: 10, restartLimit: 2, stableStartTime: 60_000 } });
    const dead = new Promise<void>((resolve) => km.on("dead", () => resolve()));
    await km.startKernel();
    await dead;
    const ports = made.map((p) => p.launches[0]?.ports.join(","));
    expect(new Set(ports).size).toBe(3);
  });

  it("keeps the ports with randomPortsUntilAlive: false", async () => {
    const km = manager("fake-dies", { restarter: { timeToDead: 10, restartLimit: 2, randomPortsUntilAlive: false } });
    const dead = new Promise<void>((resolve) => km.on("dead", () => resolve()));
    await km.startKernel();
    await dead;
    const p = made[0] as FakeProvisioner;
    expect(made).toHaveLength(1);
    expect(new Set(p.launches.map((l) => l.ports.join(","))).size).toBe(1);
  });

  it("a kernel that has lived stableStartTime starts a new count", async () => {
    const km = manager("fake", { restarter: { timeToDead: 10, restartLimit: 1, stableStartTime: 50 } });
    const events: number[] = [];
    km.on("restart", (attempt) => events.push(attempt));
    let dead = false;
    km.on("dead", () => (dead = true));
    await km.startKernel();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 120));
      const restarted = new Promise<void>((resolve) => {
        const off = km.on("restart", () => {
          off();
          resolve();
        });
      });
      (km.provisioner as FakeProvisioner).die(1);
      await restarted;
      await km.ready; // the restart's
      expect(await km.isAlive()).toBe(true);
    }
    expect(events).toEqual([1, 1, 1]);
    expect(dead).toBe(false);
  });

  it("never restarts a kernel shut down on purpose, even one dying meanwhile", async () => {
    const km = manager("fake", { restarter: { timeToDead: 50 } });
    let restarts = 0;
    km.on("restart", () => restarts++);
    await km.startKernel();
    (km.provisioner as FakeProvisioner).die(1);
    await km.shutdownKernel();
    await new Promise((r) => setTimeout(r, 150));
    expect(restarts).toBe(0);
    expect(made).toHaveLength(1);
    expect(km.hasKernel).toBe(false);
  });

  it("a deliberate restart is not counted as a death", async () => {
    const km = manager("fake", { restarter: { timeToDead: 10 } });
    let restarts = 0;
    km.on("restart", () => restarts++);
    await km.startKernel();
    await km.restartKernel({ now: true });
    await km.restartKernel();
    await new Promise((r) => setTimeout(r, 50));
    expect(restarts).toBe(0);
    expect(km.restarter?.restartCount).toBe(0);
  });

  it("autorestart: false leaves a dead kernel dead", async () => {
    const km = manager("fake-dies", { autorestart: false });
    await km.startKernel();
    await (km.provisioner as FakeProvisioner).wait();
    await new Promise((r) => setTimeout(r, 50));
    expect(km.restarter).toBeUndefined();
    expect(made).toHaveLength(1);
    expect(await km.isAlive()).toBe(false);
  });
});

describe("MultiKernelManager", () => {
  function mkm(options: ConstructorParameters<typeof MultiKernelManager>[0] = {}): MultiKernelManager {
    return new MultiKernelManager({
      defaultKernelName: "fake",
      kernelSpecManager: world.ksm,
      provisionerFactory: world.factory,
      connectionDir: world.runtimeDir,
      logger: memoryLogger(),
      kernelManagerOptions: { shutdownWaitTime: 400 },
      ...options,
    });
  }

  it("starts kernels by id, lists them, and shuts them down", async () => {
    await using m = mkm();
    const a = await m.startKernel();
    const b = await m.startKernel({ kernelName: "fake-deaf", kernelId: "b" });
    expect(b).toBe("b");
    expect(m.listKernelIds().sort()).toEqual([a, "b"].sort());
    expect(m.size).toBe(2);
    expect(m.has(a)).toBe(true);
    expect(m.getKernel(a).connectionFile).toBe(join(world.runtimeDir, `kernel-${a}.json`));
    expect(m.getKernel("b").kernelName).toBe("fake-deaf");
    expect(await m.isAlive("b")).toBe(true);
    expect(m.getConnectionInfo("b").shell_port).toBe(m.getKernel("b").shellPort);
    await m.shutdownKernel(a);
    expect(m.listKernelIds()).toEqual(["b"]);
    await m.shutdownAll();
    expect(m.size).toBe(0);
    expect(made.every((p) => !p.running)).toBe(true);
  });

  it("DuplicateKernelError for an id in use; NoSuchKernelIdError names the id and the known ones", async () => {
    await using m = mkm();
    await m.startKernel({ kernelId: "one" });
    await expect(m.startKernel({ kernelId: "one" })).rejects.toBeInstanceOf(DuplicateKernelError);
    const error = (() => {
      try {
        m.getKernel("two");
      } catch (e) {
        return e as NoSuchKernelIdError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NoSuchKernelIdError);
    expect(error?.message).toContain('"two"');
    expect(error?.message).toContain("one");
    await expect(m.shutdownKernel("two")).rejects.toBeInstanceOf(NoSuchKernelIdError);
    await expect(m.interruptKernel("two")).rejects.toBeInstanceOf(NoSuchKernelIdError);
  });

  it("a kernel that fails to start is not listed", async () => {
    await using m = mkm();
    await expect(m.startKernel({ kernelName: "fake-broken", kernelId: "x" })).rejects.toThrow(/no such kernel binary/);
    expect(m.has("x")).toBe(false);
    expect(m.pendingKernelIds).toEqual([]);
  });

  it("restart and interrupt by id", async () => {
    await using m = mkm();
    const id = await m.startKernel();
    await m.interruptKernel(id);
    await m.restartKernel(id);
    await m.signalKernel(id, "SIGUSR2");
    const calls = (m.getKernel(id).provisioner as FakeProvisioner).calls;
    expect(calls).toContain("signal:SIGUSR2");
    expect(calls.filter((c) => c === "launch")).toHaveLength(2);
  });

  it("shutdownAll also stops kernels still starting (pending kernels)", async () => {
    const m = mkm({ usePendingKernels: true });
    const ids = await Promise.all([m.startKernel({ kernelName: "fake-slow" }), m.startKernel({ kernelName: "fake-slow" }), m.startKernel()]);
    expect(m.size).toBe(3);
    expect(m.pendingKernelIds.length).toBeGreaterThan(0);
    await expect(m.interruptKernel(ids[0] as string)).rejects.toBeInstanceOf(KernelPendingError);
    await m.shutdownAll();
    expect(m.size).toBe(0);
    expect(made).toHaveLength(3);
    expect(made.every((p) => !p.running && p.calls.at(-1) === "cleanup")).toBe(true);
  });

  it("shutdownAll without pending kernels waits for starts in progress", async () => {
    const m = mkm();
    const starting = m.startKernel({ kernelName: "fake-slow", kernelId: "s" });
    await new Promise((r) => setTimeout(r, 20));
    await m.shutdownAll();
    await expect(starting).resolves.toBe("s");
    expect(m.size).toBe(0);
    expect(made[0]?.running).toBe(false);
  });

  it("removeKernel forgets without stopping", async () => {
    await using m = mkm();
    const id = await m.startKernel();
    const km = m.removeKernel(id);
    expect(km?.hasKernel).toBe(true);
    expect(m.has(id)).toBe(false);
    expect(m.removeKernel(id)).toBeUndefined();
    await km?.shutdownKernel();
  });
});

describe("errors", () => {
  it("KernelStartError names the kernel, the command, the status and the stderr tail", () => {
    const error = new KernelStartError("py", ["python", "-m", "k"], 3, "Traceback\nImportError: no module k\n");
    expect(error.code).toBe("ERR_KERNEL_START");
    expect(error.message).toContain("kernel 'py' (python -m k) exited with status 3");
    expect(error.message).toContain("ImportError: no module k");
    expect(new KernelStartError("py", [], -9, "").message).toContain("was killed by signal 9");
  });
});
