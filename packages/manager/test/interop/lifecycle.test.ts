// KernelManager driving Debian's ipykernel: start, ready, execute, restart,
// interrupt (both interrupt modes), shutdown; nothing left afterwards.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { KernelClient } from "@jupyter-ts/client";
import type { LocalProvisioner } from "@jupyter-ts/provisioning";
import { KernelManager, runKernel, startNewKernel, type StartedKernel } from "../../src/index.js";
import { groupRunning, ipykernelArgv, useKernelDirs, memoryLogger, pidRunning } from "../helpers.js";

const TIMEOUT = 90_000;

describe.skipIf(!ipykernelArgv)("KernelManager with ipykernel", () => {
  const dirs = useKernelDirs();

  async function start(kernelName: string): Promise<StartedKernel> {
    const kernel = await startNewKernel({
      kernelName,
      kernelSpecManager: dirs.ksm,
      connectionFile: join(dirs.runtimeDir, `kernel-${kernelName}-${Date.now()}.json`),
      logger: memoryLogger(),
      kernelStderr: "capture",
      startupTimeout: 60_000,
    });
    onTestFinished(() => kernel[Symbol.asyncDispose]());
    return kernel;
  }

  async function run(kc: KernelClient, code: string): Promise<{ status: string; text: string; ename?: string }> {
    let text = "";
    const reply = await kc.executeInteractive(code, {
      allowStdin: false,
      timeout: 30_000,
      outputHook: (msg) => {
        const content = msg.content as { name?: string; text?: string; data?: Record<string, string> };
        if (msg.msg_type === "stream") text += content.text ?? "";
        if (msg.msg_type === "execute_result") text += content.data?.["text/plain"] ?? "";
      },
    });
    const content = reply.content as { status: string; ename?: string };
    return { status: content.status, text, ...(content.ename ? { ename: content.ename } : {}) };
  }

  it("starts, gets ready, executes, and shuts down leaving nothing", async () => {
    const { km, kc } = await start("python3");
    expect(km.kernelId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await km.isAlive()).toBe(true);
    expect(await run(kc, "print(6 * 7)")).toEqual({ status: "ok", text: "42\n" });
    const pid = (km.provisioner as LocalProvisioner).pid as number;
    const file = km.connectionFile;
    expect(existsSync(file)).toBe(true);
    await kc.stopChannels();
    await km.shutdownKernel();
    expect(km.shutdownStatus).toBe("request");
    expect(pidRunning(pid)).toBe(false);
    expect(groupRunning(pid)).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(await km.isAlive()).toBe(false);
  }, TIMEOUT);

  it("restart: the kernel's state is gone, its id, connection file and ports stay, the client goes on", async () => {
    const { km, kc } = await start("python3");
    await run(kc, "x = 41");
    const id = km.kernelId;
    const file = km.connectionFile;
    const ports = km.ports;
    const oldPid = (km.provisioner as LocalProvisioner).pid as number;
    await km.restartKernel();
    expect(km.kernelId).toBe(id);
    expect(km.connectionFile).toBe(file);
    expect(km.ports).toEqual(ports);
    expect(pidRunning(oldPid)).toBe(false);
    expect((km.provisioner as LocalProvisioner).pid).not.toBe(oldPid);
    await km.waitForReady(kc, { timeout: 60_000 });
    const after = await run(kc, "x + 1");
    expect(after.status).toBe("error");
    expect(after.ename).toBe("NameError");
    expect(await run(kc, "print('alive')")).toEqual({ status: "ok", text: "alive\n" });
  }, TIMEOUT);

  for (const kernelName of ["python3", "python3-message"]) {
    const mode = kernelName === "python3" ? "signal" : "message";
    it(`interrupts time.sleep(60) (interrupt_mode ${mode})`, async () => {
      const { km, kc } = await start(kernelName);
      expect(km.kernelSpec?.interruptMode).toBe(mode);
      const handle = kc.execute("import time; time.sleep(60)", { handle: true });
      // interrupt once the kernel runs it
      await new Promise<void>((resolve) => {
        const off = kc.on("status", (state) => {
          if (state === "busy") {
            off();
            resolve();
          }
        });
        if (kc.executionState === "busy") resolve();
      });
      await new Promise((r) => setTimeout(r, 200));
      await km.interruptKernel();
      const reply = await handle.reply;
      expect(reply.content.status).toBe("error");
      expect((reply.content as { ename?: string }).ename).toBe("KeyboardInterrupt");
      // ipykernel aborts what arrives right after an error (stop_on_error): ask until it runs.
      let after = await run(kc, "print('still here')");
      for (let i = 0; i < 20 && after.status === "aborted"; i++) after = await run(kc, "print('still here')");
      expect(after).toEqual({ status: "ok", text: "still here\n" });
    }, TIMEOUT);
  }

  it("runKernel hands a ready client to the function and kills the kernel afterwards", async () => {
    let pid = 0;
    const text = await runKernel(
      async (kc, km) => {
        pid = (km.provisioner as LocalProvisioner).pid as number;
        return (await run(kc, "print('in runKernel')")).text;
      },
      { kernelName: "python3", kernelSpecManager: dirs.ksm, connectionFile: join(dirs.runtimeDir, "run-kernel.json"), kernelStderr: "capture" },
    );
    expect(text).toBe("in runKernel\n");
    expect(pidRunning(pid)).toBe(false);
    expect(existsSync(join(dirs.runtimeDir, "run-kernel.json"))).toBe(false);
  }, TIMEOUT);

  it("the default kernelspec search finds Debian's python3", async () => {
    const km = new KernelManager();
    expect(km.kernelName).toBe("python3");
    const spec = await km.loadKernelSpec();
    expect(spec.argv).toContain("ipykernel_launcher");
  });
});
