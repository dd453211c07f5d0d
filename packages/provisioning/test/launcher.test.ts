import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KernelLaunchError, expandUser, launchKernel } from "../src/index.js";
import { installProvisioningInto, isRunning, processGroupOf, readReport, removeTempDirs, tempDir, waitFor, leftovers } from "./helpers.js";

const children: ChildProcess[] = [];
const strays: number[] = [];

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function output(child: ChildProcess): Promise<string> {
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  return exited(child).then(() => text);
}

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      await exited(child);
    }
  }
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await removeTempDirs();
});


afterAll(() => {
  expect(leftovers()).toEqual([]);
});

describe("launchKernel", () => {
  it("puts the kernel in its own process group, so a group signal reaches its children", async () => {
    const dir = await tempDir();
    const pidFile = join(dir, "sleep.pid");
    const child = launchKernel(["sh", "-c", `sleep 600 & echo $! > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; wait`], { stdout: "ignore" });
    children.push(child);
    const sleepPid = await readReport<number>(pidFile);
    strays.push(sleepPid);
    expect(processGroupOf(child.pid!)).toBe(child.pid);
    expect(processGroupOf(sleepPid)).toBe(child.pid);
    expect(processGroupOf(process.pid)).not.toBe(child.pid);

    process.kill(-child.pid!, "SIGTERM");
    expect((await exited(child)).signal).toBe("SIGTERM");
    await waitFor(() => !isRunning(sleepPid), "the kernel's child to die with the group signal");
  });

  it("sets JPY_PARENT_PID to this process unless independent", async () => {
    const script = "process.stdout.write(JSON.stringify(process.env.JPY_PARENT_PID ?? null))";
    const dependent = launchKernel([process.execPath, "-e", script], { stdout: "pipe" });
    children.push(dependent);
    expect(JSON.parse(await output(dependent))).toBe(String(process.pid));

    const independent = launchKernel([process.execPath, "-e", script], { stdout: "pipe", independent: true });
    children.push(independent);
    expect(JSON.parse(await output(independent))).toBeNull();
  });

  it("passes the given env (undefined values dropped) instead of process.env", async () => {
    const script = "process.stdout.write(JSON.stringify([process.env.ONLY_THIS, process.env.DROPPED ?? null, process.env.HOME ?? null]))";
    const child = launchKernel([process.execPath, "-e", script], { stdout: "pipe", env: { ONLY_THIS: "yes", DROPPED: undefined } });
    children.push(child);
    expect(JSON.parse(await output(child))).toEqual(["yes", null, null]);
  });

  it("expands ~ in the arguments and in cwd, and runs in cwd", async () => {
    const script = "process.stdout.write(JSON.stringify([process.argv[1], process.cwd()]))";
    const home = launchKernel([process.execPath, "-e", script, "~/notebook.ipynb"], { stdout: "pipe", cwd: "~" });
    children.push(home);
    expect(JSON.parse(await output(home))).toEqual([join(homedir(), "notebook.ipynb"), homedir()]);
    expect(expandUser("~")).toBe(homedir());
    expect(expandUser("a/~/b")).toBe("a/~/b");

    const dir = await tempDir();
    const there = launchKernel([process.execPath, "-e", script, "x"], { stdout: "pipe", cwd: dir });
    children.push(there);
    expect(JSON.parse(await output(there))).toEqual(["x", dir]);
  });

  it("runs an executable given relative to cwd", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "bin"));
    await writeFile(join(dir, "bin", "kernel.sh"), "#!/bin/sh\necho started\n");
    await chmod(join(dir, "bin", "kernel.sh"), 0o755);
    const child = launchKernel(["./bin/kernel.sh"], { cwd: dir, stdout: "pipe" });
    children.push(child);
    expect(await output(child)).toBe("started\n");
  });

  it("throws a KernelLaunchError naming the command and the fix when the executable is missing", () => {
    let error: unknown;
    try {
      launchKernel(["no-such-kernel-xyz", "-m", "kernel", "-f", "/tmp/k.json"], { env: { PATH: "/nonexistent-dir" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelLaunchError);
    const launchError = error as KernelLaunchError;
    expect(launchError.code).toBe("ERR_KERNEL_LAUNCH");
    expect(launchError.command).toEqual(["no-such-kernel-xyz", "-m", "kernel", "-f", "/tmp/k.json"]);
    expect(launchError.message).toContain("no-such-kernel-xyz -m kernel -f /tmp/k.json");
    expect(launchError.message).toContain("'no-such-kernel-xyz' was not found on the kernel's PATH (/nonexistent-dir)");
    expect(launchError.message).toContain("Install the program");
  });

  it("throws KernelLaunchError for a missing absolute path, a file that is not executable, a missing cwd, an empty command", async () => {
    const dir = await tempDir();
    expect(() => launchKernel([join(dir, "missing")])).toThrow(`${join(dir, "missing")} does not exist`);
    await writeFile(join(dir, "plain"), "#!/bin/sh\n");
    await chmod(join(dir, "plain"), 0o644);
    expect(() => launchKernel([join(dir, "plain")])).toThrow("is not executable (chmod +x it)");
    expect(() => launchKernel(["sh"], { cwd: join(dir, "nowhere") })).toThrow(`its working directory ${join(dir, "nowhere")} does not exist`);
    expect(() => launchKernel([])).toThrow(KernelLaunchError);
  });

  it("turns a spawn that fails after the checks (a script whose #! interpreter is missing) into a KernelLaunchError", async () => {
    const dir = await tempDir();
    const script = join(dir, "kernel.sh");
    await writeFile(script, "#!/nonexistent/interpreter\n");
    await chmod(script, 0o755);
    const unhandled: unknown[] = [];
    const onError = (e: unknown) => unhandled.push(e);
    process.on("uncaughtException", onError);
    try {
      expect(() => launchKernel([script, "-f", "k.json"])).toThrow(
        `cannot start kernel \`${script} -f k.json\`: the operating system refused to run ${script} (if it is a script, check that its #! interpreter exists`,
      );
      // the child's own 'error' event comes on the next tick and must not crash anything
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("uncaughtException", onError);
    }
    expect(unhandled).toEqual([]);
  });

  it("kills the process groups of non-independent kernels when this process exits, and spares independent ones", async () => {
    const app = await tempDir();
    await installProvisioningInto(app);
    const report = join(app, "pids.json");
    // Plain Node imports the package, starts two kernels (each with a child) and exits without cleanup.
    const script = `
      import { launchKernel } from "@jupyter-ts/provisioning";
      import { existsSync, readFileSync, writeFileSync } from "node:fs";
      const start = (name, independent) => {
        const file = ${JSON.stringify(app)} + "/" + name + ".pid";
        const k = launchKernel(["sh", "-c", "sleep 600 & echo $! > " + file + "; wait"], { independent, stdout: "ignore" });
        return { k, file };
      };
      const a = start("dep", false), b = start("ind", true);
      const wait = () => existsSync(a.file) && existsSync(b.file) && readFileSync(a.file, "utf8") && readFileSync(b.file, "utf8") ? done() : setTimeout(wait, 20);
      const done = () => {
        writeFileSync(${JSON.stringify(report)}, JSON.stringify({ dep: [a.k.pid, +readFileSync(a.file, "utf8")], ind: [b.k.pid, +readFileSync(b.file, "utf8")] }));
        process.exit(0);
      };
      wait();
    `;
    await writeFile(join(app, "main.mjs"), script);
    const parent = spawn(process.execPath, [join(app, "main.mjs")], { cwd: app, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    parent.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const { code } = await exited(parent);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const pids = await readReport<{ dep: [number, number]; ind: [number, number] }>(report);
    strays.push(...pids.ind, ...pids.dep);
    await waitFor(() => !isRunning(pids.dep[0]) && !isRunning(pids.dep[1]), "the dependent kernel and its child to be killed at exit");
    expect(isRunning(pids.ind[0])).toBe(true);
    expect(isRunning(pids.ind[1])).toBe(true);
    process.kill(-pids.ind[0], "SIGKILL");
    await waitFor(() => !isRunning(pids.ind[0]) && !isRunning(pids.ind[1]), "the independent kernel to be killed by the test");
  });
});
