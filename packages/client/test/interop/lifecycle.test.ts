// A kernel that dies, and a client that must let Node exit.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { KernelClient, KernelDiedError } from "../../src/index.js";
import { ipykernelPython, startKernel, type TestKernel } from "../helpers.js";

const run = promisify(execFile);

describe.skipIf(!ipykernelPython)("KernelClient lifecycle against ipykernel", () => {
  const kernels: TestKernel[] = [];
  afterAll(async () => {
    for (const k of kernels) await k.stop();
  });

  it("SIGKILL of the kernel rejects pending requests with KernelDiedError within seconds", async () => {
    const kernel = await startKernel();
    kernels.push(kernel);
    const kc = kernel.client({ heartbeat: { timeToDead: 500, maxMissed: 3 } });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels();
    await kc.waitForReady({ timeout: 60_000 });
    // The heartbeat must have beaten once before a silence means death.
    await new Promise<void>((res) => {
      if (kc.hbChannel?.isBeating()) res();
      else kc.hbChannel?.on("beating", () => res());
    });
    const dead = new Promise<void>((res) => kc.on("dead", () => res()));
    const pending = kc.execute("import time; time.sleep(60)", { reply: true });
    const handle = kc.complete("imp", { handle: true });
    const waiting = kc.getShellMsg();
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    kernel.child.kill("SIGKILL");
    await expect(pending).rejects.toBeInstanceOf(KernelDiedError);
    await expect(handle.done).rejects.toMatchObject({ code: "ERR_KERNEL_DIED" });
    await expect(waiting).rejects.toBeInstanceOf(KernelDiedError);
    await dead;
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(kc.executionState).toBe("dead");
    expect(kc.isAlive()).toBe(false);
    await expect(kc.kernelInfo({ reply: true })).rejects.toBeInstanceOf(KernelDiedError);
  }, 90_000);

  it("a client on the connection file; shutdown() on control: the kernel replies and exits", async () => {
    const kernel = await startKernel();
    kernels.push(kernel);
    await using kc = new KernelClient({ connectionFile: kernel.file });
    await kc.startChannels();
    await kc.waitForReady({ timeout: 60_000 });
    expect(kc.connection.shellPort).toBe(kernel.info.shell_port);
    const exited = new Promise<number | null>((res) => kernel.child.once("exit", (code) => res(code)));
    const reply = await kc.shutdown({ reply: true, timeout: 10_000 });
    expect(reply.msg_type).toBe("shutdown_reply");
    expect(reply.content).toMatchObject({ status: "ok", restart: false });
    expect(await exited).toBe(0);
  }, 90_000);

  it("after stopChannels() a Node process that used a client exits on its own", async () => {
    const kernel = await startKernel();
    kernels.push(kernel);
    const packageDir = resolve(import.meta.dirname, "../..");
    // Inside the package, so that the bundle finds zeromq (left external: it is native).
    await mkdir(join(packageDir, "node_modules", ".cache"), { recursive: true });
    const dir = await mkdtemp(join(packageDir, "node_modules", ".cache", "exit-test-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, "client.mjs");
    await run(join(packageDir, "node_modules/.bin/esbuild"), [
      join(packageDir, "src/index.ts"), "--bundle", "--platform=node", "--format=esm", "--conditions=@jupyter-ts/source",
      "--external:zeromq", `--outfile=${bundle}`, "--log-level=warning",
    ], { cwd: packageDir });
    const script = join(dir, "use-client.mjs");
    await writeFile(script, [
      `import { KernelClient } from ${JSON.stringify(bundle)};`,
      `const kc = new KernelClient({ connectionInfo: ${JSON.stringify(kernel.info)} });`,
      `await kc.startChannels();`,
      `const info = await kc.waitForReady({ timeout: 60000 });`,
      `const reply = await kc.execute("print('x')", { handle: true, timeout: 10000 }).done;`,
      `kc.kernelInfo(); // a reply nobody reads`,
      `await kc.stopChannels();`,
      `console.log(info.content.implementation, reply.content.status, kc.channelsRunning);`,
      `globalThis.stoppedAt = Date.now();`,
      `process.on("exit", () => console.log("exit after", Date.now() - globalThis.stoppedAt));`,
    ].join("\n"));
    const { stdout } = await run(process.execPath, [script], { timeout: 60_000 });
    const [first, second] = stdout.trim().split("\n");
    expect(first).toBe("ipython ok false");
    // Sockets linger at most 1 s; nothing else may hold the loop.
    expect(Number(second?.split(" ").pop())).toBeLessThan(2_000);
  }, 90_000);
});
