// Both directions with Python's jupyter_client: a kernel our KernelManager
// started serves Python's BlockingKernelClient through its connection file,
// and a kernel Python's KernelManager started serves our KernelClient.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { KernelClient } from "@jupyter-ts/client";
import type { LocalProvisioner } from "@jupyter-ts/provisioning";
import { startNewKernel } from "../../src/index.js";
import { FIXTURES, ipykernelArgv, useKernelDirs, memoryLogger, pidRunning, python } from "../helpers.js";

const TIMEOUT = 90_000;

describe.skipIf(!ipykernelArgv)("interop with Python's jupyter_client", () => {
  const dirs = useKernelDirs();

  function peer(args: string[]): { lines: AsyncIterator<string>; send(line: string): void; stderr(): string; exited: Promise<number | null> } {
    const child = spawn(python as string, [join(FIXTURES, "py_peer.py"), ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, JUPYTER_RUNTIME_DIR: dirs.runtimeDir, IPYTHONDIR: join(dirs.root, "ipython") },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    onTestFinished(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    return {
      lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
      send: (line) => child.stdin.write(`${line}\n`),
      stderr: () => stderr,
      exited,
    };
  }

  async function next(p: ReturnType<typeof peer>): Promise<Record<string, unknown>> {
    const { value, done } = await p.lines.next();
    if (done) throw new Error(`py_peer.py ended early: ${p.stderr().slice(-2000)}`);
    return JSON.parse(value as string) as Record<string, unknown>;
  }

  it("Python's BlockingKernelClient uses a kernel our KernelManager started, through its connection file", async () => {
    const kernel = await startNewKernel({ kernelName: "python3", kernelSpecManager: dirs.ksm, connectionFile: join(dirs.runtimeDir, "ours.json"), kernelStderr: "capture", logger: memoryLogger() });
    onTestFinished(() => kernel[Symbol.asyncDispose]());
    const pid = (kernel.km.provisioner as LocalProvisioner).pid;
    const p = peer(["client", kernel.km.connectionFile]);
    const result = await next(p);
    expect(result).toEqual({ status: "ok", stdout: `pid ${pid}\n42\n` });
    expect(await p.exited).toBe(0);
    // and our own client still works alongside
    const reply = await kernel.kc.execute("6 * 7", { reply: true, timeout: 10_000 });
    expect(reply.content.status).toBe("ok");
  }, TIMEOUT);

  it("our KernelClient uses a kernel Python's KernelManager started, through its connection file", async () => {
    const p = peer(["manager", dirs.kernelsDir]);
    const started = await next(p);
    const file = started["connection_file"] as string;
    const pid = started["pid"] as number;
    expect(existsSync(file)).toBe(true);
    const kc = new KernelClient({ connectionFile: file });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels();
    await kc.waitForReady({ timeout: 60_000 });
    let text = "";
    const reply = await kc.executeInteractive("import os; print(os.getpid())", {
      allowStdin: false,
      timeout: 30_000,
      outputHook: (msg) => {
        if (msg.msg_type === "stream") text += (msg.content as { text: string }).text;
      },
    });
    expect(reply.content.status).toBe("ok");
    expect(text).toBe(`${pid}\n`);
    await kc.stopChannels();
    p.send("shutdown");
    expect(await next(p)).toEqual({ shutdown: true, alive: false });
    expect(await p.exited).toBe(0);
    expect(pidRunning(pid)).toBe(false);
    expect(existsSync(file)).toBe(false);
  }, TIMEOUT);
});
