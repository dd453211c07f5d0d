import { existsSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ConnectionFileMixin, LocalPortCache } from "@jupyter-ts/connection";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KernelLaunchError, LocalProvisioner } from "../src/index.js";
import { FAKE_KERNEL, fakeKernelSpec, isRunning, processGroupOf, readReport, removeTempDirs, tempDir, waitFor, leftovers } from "./helpers.js";

interface Report {
  pid: number;
  argv: string[];
  execPath: string;
  cwd: string;
  env: Record<string, string>;
  info: Record<string, unknown>;
  childPid?: number;
}

const provisioners: LocalProvisioner[] = [];
const pids: number[] = [];

afterEach(async () => {
  for (const p of provisioners.splice(0)) await p.cleanup();
  for (const pid of pids.splice(0)) expect(isRunning(pid), `process ${pid} left running`).toBe(false);
  await removeTempDirs();
});

async function setup(init: Parameters<typeof fakeKernelSpec>[0] = {}) {
  const dir = await tempDir();
  const parent = new ConnectionFileMixin({ connectionFile: join(dir, "kernel-1.json"), kernelName: "fake" });
  const provisioner = new LocalProvisioner({ kernelId: "k-1", kernelSpec: fakeKernelSpec(init), parent });
  provisioners.push(provisioner);
  const report = join(dir, "report.json");
  return { dir, parent, provisioner, report };
}

async function start(
  ctx: Awaited<ReturnType<typeof setup>>,
  env: Record<string, string> = {},
  extra: Parameters<LocalProvisioner["preLaunch"]>[0] = {},
): Promise<Report> {
  await rm(ctx.report, { force: true });
  const { cmd, ...launch } = await ctx.provisioner.preLaunch({ env: { ...process.env, FAKE_KERNEL_REPORT: ctx.report, ...env }, ...extra });
  await ctx.provisioner.launchKernel(cmd, { ...launch, stdout: "ignore" });
  await ctx.provisioner.postLaunch();
  const report = await readReport<Report>(ctx.report);
  pids.push(report.pid);
  if (report.childPid !== undefined) pids.push(report.childPid);
  return report;
}


afterAll(() => {
  expect(leftovers()).toEqual([]);
});

describe("LocalProvisioner", () => {
  it("reserves ports, writes the connection file, formats argv and starts the kernel in its own group", async () => {
    const ctx = await setup({ env: { KERNEL_HOME: "${HOME}/k", LITERAL: "$$5 $NOPE_UNSET ${NOPE_UNSET}" } });
    const { cmd, env } = await ctx.provisioner.preLaunch({ env: { HOME: "/home/ann", PATH: process.env["PATH"]! }, extraArguments: ["--debug"] });
    const file = ctx.parent.connectionFile;
    expect(file).toBe(join(ctx.dir, "kernel-1.json"));
    expect(existsSync(file)).toBe(true);
    expect(cmd).toEqual([process.execPath, FAKE_KERNEL, "-f", realpathSync(file), "--debug"]);
    expect(env["KERNEL_HOME"]).toBe("/home/ann/k");
    expect(env["LITERAL"]).toBe("$5 $NOPE_UNSET ${NOPE_UNSET}");
    expect(env["JPY_PARENT_PID"]).toBe(String(process.pid));
    const ports = ctx.parent.ports;
    expect(ports.every((p) => p > 0)).toBe(true);
    for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(true);
    expect(ctx.provisioner.connectionInfo?.shell_port).toBe(ctx.parent.shellPort);

    const report = await start(ctx);
    expect(ctx.provisioner.hasProcess).toBe(true);
    expect(ctx.provisioner.pid).toBe(report.pid);
    expect(ctx.provisioner.pgid).toBe(report.pid);
    expect(processGroupOf(report.pid)).toBe(report.pid);
    expect(await ctx.provisioner.poll()).toBeNull();
    expect(report.execPath).toBe(process.execPath);
    expect(report.info["shell_port"]).toBe(ctx.parent.shellPort);
    expect(report.info["key"]).toBe(ctx.parent.getConnectionInfo().key);

    await ctx.provisioner.cleanup();
    expect(existsSync(file)).toBe(false);
    for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
    expect(isRunning(report.pid)).toBe(false);
  });

  it("substitutes launch arguments, {resource_dir} and {prefix}; leaves unknown placeholders", async () => {
    const ctx = await setup({
      argv: ["node", FAKE_KERNEL, "-f", "{connection_file}", "{resource_dir}", "{prefix}", "--user={user}", "{unknown}"],
    });
    const report = await start(ctx, {}, { launchArgs: { user: "ann" } });
    expect(report.argv.slice(2)).toEqual([join(FAKE_KERNEL, ".."), expect.any(String), "--user=ann", "{unknown}"]);
  });

  it("terminate, kill and exit codes: poll and wait report them as Popen does, event-driven", async () => {
    const ctx = await setup();
    await start(ctx);
    await ctx.provisioner.terminate();
    expect(await ctx.provisioner.wait()).toBe(-15);
    expect(ctx.provisioner.hasProcess).toBe(false);
    expect(await ctx.provisioner.poll()).toBe(-15);
    await ctx.provisioner.cleanup({ restart: true });

    await start(ctx);
    await ctx.provisioner.kill();
    expect(await ctx.provisioner.wait()).toBe(-9);
    await ctx.provisioner.cleanup({ restart: true });

    await start(ctx, { FAKE_KERNEL_EXIT: "3" });
    expect(await ctx.provisioner.wait()).toBe(3);
    // wait() again, and signals to a kernel that is gone, are harmless
    expect(await ctx.provisioner.wait()).toBe(3);
    await ctx.provisioner.sendSignal("SIGINT");
    await ctx.provisioner.kill();
  });

  it("sendSignal goes to the process group: the kernel's children get it too", async () => {
    const ctx = await setup();
    const report = await start(ctx, { FAKE_KERNEL_CHILD: "exec sleep 600" });
    expect(processGroupOf(report.childPid!)).toBe(report.pid);
    await ctx.provisioner.sendSignal("SIGTERM");
    expect(await ctx.provisioner.wait()).toBe(-15);
    await waitFor(() => !isRunning(report.childPid!), "the kernel's child to get SIGTERM");
  });

  it("cleanup kills what the kernel left in its group, SIGKILL after SIGTERM is ignored", async () => {
    const ctx = await setup();
    // the child ignores SIGTERM (inherited through exec) and outlives the kernel
    const report = await start(ctx, { FAKE_KERNEL_CHILD: "trap '' TERM; exec sleep 600" });
    process.kill(report.pid, "SIGKILL");
    expect(await ctx.provisioner.wait()).toBe(-9);
    expect(isRunning(report.childPid!)).toBe(true);
    await ctx.provisioner.cleanup();
    expect(isRunning(report.childPid!)).toBe(false);
  });

  it("cleanup of a running kernel ends it; restart keeps the connection file and ports for the next launch", async () => {
    const ctx = await setup();
    const first = await start(ctx);
    const file = ctx.parent.connectionFile;
    const ports = ctx.parent.ports;
    await ctx.provisioner.cleanup({ restart: true });
    expect(isRunning(first.pid)).toBe(false);
    expect(existsSync(file)).toBe(true);
    expect(ctx.parent.ports).toEqual(ports);

    const second = await start(ctx);
    expect(second.pid).not.toBe(first.pid);
    expect(second.info["shell_port"]).toBe(ports[0]);
    await ctx.provisioner.cleanup();
    expect(existsSync(file)).toBe(false);
    for (const port of ports) expect(LocalPortCache.instance().currentlyUsedPorts.has(port)).toBe(false);
  });

  it("an independent kernel gets no JPY_PARENT_PID; cwd is used and resolvePath resolves against it", async () => {
    const ctx = await setup();
    const report = await start(ctx, {}, { independent: true, cwd: ctx.dir });
    expect(report.env["JPY_PARENT_PID"]).toBeUndefined();
    expect(report.cwd).toBe(ctx.dir);
    expect(await ctx.provisioner.resolvePath("report.json")).toBe(join(ctx.dir, "report.json"));
    expect(await ctx.provisioner.resolvePath("missing.txt")).toBeUndefined();
    expect(await ctx.provisioner.resolvePath(FAKE_KERNEL)).toBe(FAKE_KERNEL);
  });

  it("removes PYTHONEXECUTABLE for Python kernels only", async () => {
    const python = await setup({ language: "python" });
    expect((await python.provisioner.preLaunch({ env: { PYTHONEXECUTABLE: "/x" } })).env["PYTHONEXECUTABLE"]).toBeUndefined();
    const other = await setup();
    expect((await other.provisioner.preLaunch({ env: { PYTHONEXECUTABLE: "/x" } })).env["PYTHONEXECUTABLE"]).toBe("/x");
  });

  it("provisioner info round-trips; times default to the recommended values", async () => {
    const ctx = await setup();
    const report = await start(ctx);
    const info = await ctx.provisioner.getProvisionerInfo();
    expect(info).toMatchObject({ kernel_id: "k-1", pid: report.pid, pgid: report.pid, ip: "127.0.0.1" });
    expect((info["connection_info"] as Record<string, unknown>)["shell_port"]).toBe(ctx.parent.shellPort);

    const other = new LocalProvisioner({ kernelId: "", kernelSpec: fakeKernelSpec(), parent: new ConnectionFileMixin() });
    await other.loadProvisionerInfo(info);
    expect(other.kernelId).toBe("k-1");
    expect(other.pid).toBe(report.pid);
    expect(other.pgid).toBe(report.pid);
    expect(other.ip).toBe("127.0.0.1");
    expect(other.hasProcess).toBe(false);
    expect(other.getShutdownWaitTime()).toBe(5000);
    expect(other.getShutdownWaitTime(1234)).toBe(1234);
    expect(other.getStableStartTime()).toBe(10_000);
  });

  it("refuses a tcp ip that is not of this machine", async () => {
    const ctx = await setup();
    ctx.parent.ip = "203.0.113.7";
    await expect(ctx.provisioner.preLaunch()).rejects.toThrow(KernelLaunchError);
    await expect(ctx.provisioner.preLaunch()).rejects.toThrow("203.0.113.7: it is not an address of this machine");
    expect(existsSync(join(ctx.dir, "kernel-1.json"))).toBe(false);
  });

  it("a missing kernel executable rejects launchKernel with the command", async () => {
    const ctx = await setup({ argv: ["/nonexistent/kernel-bin", "-f", "{connection_file}"] });
    const { cmd, ...launch } = await ctx.provisioner.preLaunch();
    await expect(ctx.provisioner.launchKernel(cmd, launch)).rejects.toThrow("/nonexistent/kernel-bin does not exist");
    expect(ctx.provisioner.hasProcess).toBe(false);
  });
});
