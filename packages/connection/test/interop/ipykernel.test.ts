// A real ipykernel started on a connection file that we wrote: Python's
// BlockingKernelClient talks to it through that file, and so do our own
// sockets (shell, iopub, heartbeat) with @jupyter-ts/session.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dealer, Request, Subscriber } from "zeromq";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import type { Message } from "@jupyter-ts/session";
import { ConnectionFileMixin, LocalPortCache, readConnectionFile, type Transport } from "../../src/index.js";

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const python = requirePeer(
  findJupyterPython(),
  "Python with jupyter_client and ipykernel (Debian's /usr/bin/python3)",
  "apt-get install python3-ipykernel python3-jupyter-client",
);
const hasIpykernel = python
  ? (await run(python.python, ["-c", "import ipykernel"]).then(() => true, () => false))
  : false;
const ready = requirePeer(hasIpykernel ? python : undefined, "ipykernel for /usr/bin/python3", "apt-get install python3-ipykernel");

const STARTUP_MS = 60_000;

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopKernel(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited(child);
  clearTimeout(timer);
}

for (const transport of ["tcp", "ipc"] as Transport[]) {
  describe.skipIf(!ready)(`ipykernel on a connection file we wrote (${transport})`, () => {
    let dir: string;
    let conn: ConnectionFileMixin;
    let kernel: ChildProcess | undefined;
    let stderr = "";
    const sockets: Array<Dealer | Subscriber | Request> = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "jts-ipk-"));
      conn = new ConnectionFileMixin({ transport, kernelName: "python3", connectionFile: join(dir, "kernel-test.json") });
      await conn.writeConnectionFile();
      kernel = spawn(ready!.python, ["-m", "ipykernel_launcher", "-f", conn.connectionFile], {
        stdio: ["ignore", "ignore", "pipe"],
        // Keep IPython's history and the runtime dir out of $HOME.
        env: { ...process.env, IPYTHONDIR: join(dir, "ipython"), JUPYTER_RUNTIME_DIR: join(dir, "runtime") },
      });
      // ipykernel prints debugger warnings here: kept only for failure messages.
      kernel.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
    });

    afterAll(async () => {
      for (const s of sockets) s.close();
      await stopKernel(kernel);
      expect(kernel?.exitCode !== null || kernel?.signalCode !== null).toBe(true);
      await conn?.cleanupIpcFiles();
      await conn?.cleanupRandomPorts();
      await conn?.cleanupConnectionFile();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const assertAlive = () => {
      if (kernel?.exitCode !== null || kernel?.signalCode !== null) {
        throw new Error(`ipykernel exited (${kernel?.exitCode ?? kernel?.signalCode}): ${stderr.slice(-2000)}`);
      }
    };

    it("our sockets get a kernel_info_reply on shell and the status on iopub", async () => {
      const shell = conn.connectShell();
      const iopub = conn.connectIopub();
      const hb = conn.connectHb();
      sockets.push(shell, iopub, hb);
      shell.receiveTimeout = 500;
      iopub.receiveTimeout = 100;
      const session = conn.session;
      const sent = new Set<string>();
      let reply: Message | undefined;
      let status: Message | undefined;
      const deadline = Date.now() + STARTUP_MS;
      // Until the kernel is up (and our SUB has joined), ask again: replies
      // to any of our requests count, as the DEALER queues the early ones.
      while (!(reply && status) && Date.now() < deadline) {
        assertAlive();
        if (!reply) sent.add((await session.send(shell, "kernel_info_request")).msg_id);
        for (;;) {
          const got = await session.recv(shell).catch(() => undefined);
          if (!got) break;
          if (got.msg.msg_type === "kernel_info_reply" && sent.has(String(got.msg.parent_header.msg_id))) reply = got.msg;
        }
        for (;;) {
          const got = await session.recv(iopub).catch(() => undefined);
          if (!got) break;
          if (got.msg.msg_type === "status" && sent.has(String(got.msg.parent_header.msg_id))) status = got.msg;
        }
        if (reply && !status) sent.add((await session.send(shell, "kernel_info_request")).msg_id);
      }
      expect(reply?.content).toMatchObject({ status: "ok", implementation: "ipython", language_info: { name: "python" } });
      expect(status?.content).toMatchObject({ execution_state: expect.stringMatching(/^(busy|idle)$/) });

      hb.receiveTimeout = 5_000;
      await hb.send("ping");
      expect(Buffer.from((await hb.receive())[0]!).toString()).toBe("ping");
    });

    it("Python's BlockingKernelClient, loading the same file, gets a kernel_info_reply", async () => {
      assertAlive();
      const { stdout } = await run(ready!.python, [fixture("kernel_info_client.py"), conn.connectionFile, "30"], { timeout: STARTUP_MS });
      const out = JSON.parse(stdout.trim().split("\n").pop()!);
      expect(out).toMatchObject({
        msg_type: "kernel_info_reply",
        status: "ok",
        implementation: "ipython",
        key: new TextDecoder().decode(conn.session.key),
        shell_port: conn.shellPort,
      });
    });

    it("the kernel used our ports (and rewrote the file with them)", async () => {
      const info = conn.getConnectionInfo();
      const onDisk = await readConnectionFile(conn.connectionFile);
      // ipykernel rewrites the file after binding; it keeps everything but
      // kernel_name (and signature_scheme, which it resets to the default).
      expect(onDisk).toMatchObject({ ...info, kernel_name: "" });
      if (transport === "ipc") for (const port of conn.ports) expect(existsSync(`${conn.ip}-${port}`)).toBe(true);
      else for (const port of conn.ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(true);
    });
  });
}
