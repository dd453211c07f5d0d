// LocalProvisioner (and a third-party provisioner package) against a real
// ipykernel started from /usr/share/jupyter/kernels/python3: kernel_info,
// interrupt through the process group, shutdown, and nothing left behind.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConnectionFileMixin, LocalPortCache } from "@jupyter-ts/connection";
import { KernelSpec } from "@jupyter-ts/kernelspec";
import { findPythonKernelspec, requirePeer } from "@jupyter-ts/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KernelProvisionerFactory, LocalProvisioner, type KernelProvisionerBase } from "../../src/index.js";
import { isRunning, makeThirdPartyApp, readReport, removeTempDirs, tempDir, leftovers } from "../helpers.js";

const run = promisify(execFile);
const found = findPythonKernelspec();
const python = found?.spec.argv[0];
const hasIpykernel = python ? await run(python, ["-c", "import ipykernel"]).then(() => true, () => false) : false;
const kernelspecDir = requirePeer(
  hasIpykernel ? found?.resourceDir : undefined,
  "the python3 kernelspec with ipykernel (Debian's /usr/share/jupyter/kernels/python3)",
  "apt-get install python3-ipykernel",
);

type Socket = ReturnType<ConnectionFileMixin["connectShell"]>;
type Reply = { header: { msg_type: string }; parent_header: { msg_id?: string }; content: Record<string, unknown> };

/** Sends a request and resolves with the reply to it (other messages skipped); closes the socket on timeout. */
async function request(parent: ConnectionFileMixin, socket: Socket, type: string, content: Record<string, unknown> = {}, timeout = 30_000): Promise<Reply> {
  const sent = await parent.session.send(socket, type, { content } as never);
  const timer = setTimeout(() => socket.close(), timeout);
  try {
    for (;;) {
      const { msg } = await parent.session.recv(socket);
      const reply = msg as unknown as Reply;
      if (reply.parent_header.msg_id === sent.header.msg_id) return reply;
    }
  } catch (cause) {
    throw new Error(`no ${type} reply within ${timeout} ms`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await removeTempDirs();
});

async function kernelEnv(dir: string): Promise<Record<string, string | undefined>> {
  await mkdir(join(dir, "ipython"));
  return { ...process.env, IPYTHONDIR: join(dir, "ipython"), JUPYTER_RUNTIME_DIR: dir, PYDEVD_DISABLE_FILE_VALIDATION: "1" };
}

/** Launches through the provisioner, checks kernel_info, shuts down over control, checks nothing is left. */
async function exercise(provisioner: KernelProvisionerBase, parent: ConnectionFileMixin, dir: string): Promise<void> {
  const { cmd, ...launch } = await provisioner.preLaunch({ env: await kernelEnv(dir), cwd: dir });
  await provisioner.launchKernel(cmd, { ...launch, stdout: "ignore", stderr: process.env["DEBUG_KERNEL"] ? "inherit" : "ignore" });
  await provisioner.postLaunch();
  const ports = parent.ports;
  const shell = parent.connectShell();
  const control = parent.connectControl();
  cleanups.push(async () => {
    shell.close();
    control.close();
  });

  const info = await request(parent, shell, "kernel_info_request");
  expect(info.header.msg_type).toBe("kernel_info_reply");
  expect(info.content["status"]).toBe("ok");
  expect((info.content["language_info"] as { name: string }).name).toBe("python");

  // an interrupt through the process group reaches the kernel and its subprocess
  const pidFile = join(dir, "sleep.pid");
  const spawned = await request(parent, shell, "execute_request", {
    code: `import subprocess\np = subprocess.Popen(["sleep", "600"])\nopen(${JSON.stringify(pidFile)}, "w").write(str(p.pid))`,
    silent: false,
  });
  expect(spawned.content["status"]).toBe("ok");
  const sleepPid = await readReport<number>(pidFile);
  expect(isRunning(sleepPid)).toBe(true);
  const readyFile = join(dir, "sleeping");
  const sleeping = request(parent, shell, "execute_request", {
    code: `import time\nopen(${JSON.stringify(readyFile)}, "w").write("1")\ntime.sleep(60)`,
    silent: false,
    stop_on_error: false,
  });
  await readReport(readyFile);
  await provisioner.sendSignal("SIGINT");
  const interrupted = await sleeping;
  expect(interrupted.content["status"]).toBe("error");
  expect(interrupted.content["ename"]).toBe("KeyboardInterrupt");
  // reaped, so that ipykernel's shutdown does not wait on the zombie
  const reaped = await request(parent, shell, "execute_request", { code: "assert p.wait() == -2", silent: false });
  expect(reaped.content["status"]).toBe("ok");

  // an orphan left in the kernel's group (its shell parent exited): only our cleanup can end it
  const orphanFile = join(dir, "orphan.pid");
  const orphaned = await request(parent, shell, "execute_request", {
    code: `import os\nassert os.system("sleep 600 > /dev/null 2>&1 & echo $! > ${orphanFile}") == 0`,
    silent: false,
  });
  expect(orphaned.content["status"]).toBe("ok");
  const orphanPid = await readReport<number>(orphanFile);
  expect(isRunning(orphanPid)).toBe(true);

  const shutdown = await request(parent, control, "shutdown_request", { restart: false });
  expect(shutdown.content["status"]).toBe("ok");
  await provisioner.shutdownRequested();
  expect(await provisioner.wait()).toBe(0);
  expect(isRunning(orphanPid)).toBe(true);
  await provisioner.cleanup();
  expect(isRunning(orphanPid)).toBe(false);
  expect(existsSync(parent.connectionFile)).toBe(false);
  for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
}


afterAll(() => {
  expect(leftovers()).toEqual([]);
});

describe.skipIf(!kernelspecDir)("provisioners with a real ipykernel", () => {
  it("LocalProvisioner starts ipykernel from its kernelspec: kernel_info, interrupt, shutdown, cleanup", async () => {
    const dir = await tempDir();
    const spec = await KernelSpec.fromResourceDir(kernelspecDir!);
    const parent = new ConnectionFileMixin({ connectionFile: join(dir, "kernel-ipy.json"), kernelName: "python3" });
    const provisioner = new LocalProvisioner({ kernelId: "ipy-1", kernelSpec: spec, parent });
    cleanups.push(() => provisioner.cleanup());
    await exercise(provisioner, parent, dir);
  });

  it("a third-party provisioner package found by the factory starts ipykernel", async () => {
    const app = await makeThirdPartyApp();
    const spec = await KernelSpec.fromResourceDir(kernelspecDir!);
    spec.metadata["kernel_provisioner"] = { provisioner_name: "marker-provisioner", config: { markerFile: join(app, "marker.log"), greeting: "hi" } };
    const factory = new KernelProvisionerFactory({ searchFrom: app });
    const parent = new ConnectionFileMixin({ connectionFile: join(app, "kernel-tp.json"), kernelName: "python3" });
    const provisioner = await factory.createProvisionerInstance("ipy-2", spec, parent);
    cleanups.push(() => provisioner.cleanup());
    expect(provisioner.constructor.name).toBe("MarkerProvisioner");
    await exercise(provisioner, parent, app);
    expect(existsSync(join(app, "marker.log"))).toBe(true);
  });
});
