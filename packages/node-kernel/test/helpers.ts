// Starts the JavaScript kernel as Jupyter does (`node dist/main.js -f FILE`),
// and installs its kernelspec into a temp JUPYTER_PATH for Python peers.
import { stopChild, useKernelFixture } from "@jupyter-ts/testing";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient, type ReplyMessage } from "@jupyter-ts/client";
import { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";
import { KernelSpecManager } from "@jupyter-ts/kernelspec";
import { installNodeKernelSpec, kernelEntry } from "../src/index.js";

/** A message as the client delivers it. */
export type Message = Awaited<ReturnType<KernelClient["getIopubMsg"]>>;

export interface KernelProcess {
  child: ChildProcess;
  info: ConnectionInfo;
  file: string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  client(): KernelClient;
  /** SIGTERM (then SIGKILL), waits for the exit, removes the temp dir. */
  stop(): Promise<void>;
}

/** Spawns the built kernel on a connection file written first, as a launcher does. */
export async function startNodeKernel(options: { cwd?: string; env?: Record<string, string> } = {}): Promise<KernelProcess> {
  const dir = await mkdtemp(join(tmpdir(), "jts-node-kernel-"));
  const { fname, info } = await writeConnectionFile({ fname: join(dir, "kernel.json"), kernelName: "node" });
  let stderr = "";
  const child = spawn(process.execPath, [kernelEntry(), "-f", fname], {
    cwd: options.cwd ?? dir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, JUPYTER_RUNTIME_DIR: join(dir, "runtime"), ...options.env },
  });
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    info,
    file: fname,
    stderr: () => stderr,
    exited,
    client: () => new KernelClient({ connectionInfo: info }),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One kernel and a ready client for a describe block (beforeAll/afterAll). */
export function useNodeKernel(): { readonly kernel: KernelProcess; readonly kc: KernelClient } {
  return useKernelFixture(startNodeKernel);
}

/** What an execute published on IOPub, and its reply. */
export interface Executed {
  reply: ReplyMessage<"execute_request">;
  outputs: Message[];
  /** Concatenated stream text by name. */
  stdout: string;
  stderr: string;
  result: Record<string, unknown> | undefined;
}

/** Runs code and collects its outputs until idle. */
export async function run(kc: KernelClient, code: string, options: { allowStdin?: boolean; timeout?: number; stopOnError?: boolean } = {}): Promise<Executed> {
  const handle = kc.execute(code, {
    handle: true,
    timeout: options.timeout ?? 30_000,
    allowStdin: options.allowStdin ?? false,
    ...(options.stopOnError !== undefined && { stopOnError: options.stopOnError }),
  });
  const outputs: Message[] = [];
  for await (const msg of handle) if (!["status", "execute_input"].includes(msg.header.msg_type)) outputs.push(msg);
  const reply = await handle.done;
  const text = (name: string): string =>
    outputs
      .filter((m) => m.header.msg_type === "stream" && (m.content as { name: string }).name === name)
      .map((m) => (m.content as { text: string }).text)
      .join("");
  const result = outputs.find((m) => m.header.msg_type === "execute_result")?.content as Record<string, unknown> | undefined;
  return { reply, outputs, stdout: text("stdout"), stderr: text("stderr"), result };
}

/** A temp Jupyter data dir with the kernelspecs `node` (SIGINT) and `node-message` (interrupt_request). */
export async function installTestKernelspecs(): Promise<{ dir: string; env: Record<string, string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "jts-node-spec-"));
  const kernelSpecManager = new KernelSpecManager({ dataDir: dir, kernelDirs: [join(dir, "kernels")] });
  await installNodeKernelSpec({ user: true, kernelSpecManager });
  await installNodeKernelSpec({ user: true, kernelSpecManager, name: "node-message", interruptMode: "message", displayName: "JavaScript (message interrupts)" });
  const env = {
    JUPYTER_PATH: dir,
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    JUPYTER_PLATFORM_DIRS: "0",
    IPYTHONDIR: join(dir, "ipython"),
    PYTHONDONTWRITEBYTECODE: "1",
  };
  return {
    dir,
    env,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Command lines of running processes that mention `text` (kernels started with a connection file under it). */
export function processesMentioning(text: string): string[] {
  const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.includes(text) && !line.startsWith("ps "));
}

/** Runs a Python program; resolves with its exit code and output (never rejects for a failing exit). */
export function runPython(python: string, args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; timeout?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout ?? 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
