// Starts the test kernel (test/fixtures/echo-kernel.ts) as its own process.
//
// The fixture is bundled with esbuild from the TypeScript sources (ours and,
// through the `@jupyter-ts/source` condition, the sibling packages'), with
// zeromq left external. So the tests need no prior build, always run the
// current sources, and the kernel runs under plain node as it would in use.
// The bundle goes under node_modules/.cache so that `zeromq` resolves.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode, stopChild } from "@jupyter-ts/testing";
import { KernelClient } from "@jupyter-ts/client";
import { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");
const cacheDir = join(packageDir, "node_modules", ".cache", "kernel-tests");

let bundled: Promise<string> | undefined;

/** The path of the bundled fixture kernel (built once per test file). */
export function fixtureKernel(): Promise<string> {
  bundled ??= (async () => {
    await mkdir(cacheDir, { recursive: true });
    const outfile = join(cacheDir, `echo-kernel-${process.pid}.mjs`);
    await bundleForNode(join(here, "fixtures", "echo-kernel.ts"), outfile, { sourcemap: true });
    return outfile;
  })();
  return bundled;
}

/** Removes this process's bundle (afterAll of every file that bundled). */
export async function removeFixtureKernel(): Promise<void> {
  if (bundled === undefined) return;
  const file = await bundled.catch(() => undefined);
  bundled = undefined;
  if (file !== undefined) await rm(file, { force: true });
}

export interface StartOptions {
  /** Write the connection file first, as a launcher does (default); else the kernel writes it. */
  writeFile?: boolean;
  /** Use this connection file as it is (written by the test); implies writeFile false. */
  file?: string;
  transport?: "tcp" | "ipc";
  env?: Record<string, string>;
  /** Extra command-line arguments. */
  args?: string[];
}

export interface KernelProcess {
  child: ChildProcess;
  file: string;
  info: ConnectionInfo;
  dir: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** A client on the kernel (channels not started). */
  client(): KernelClient;
  /** Stops the kernel if it runs (SIGTERM, then SIGKILL), removes the temp dir. */
  stop(): Promise<void>;
}

async function readWhenWritten(file: string, child: ChildProcess, stderr: () => string): Promise<ConnectionInfo> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kernel exited before writing ${file}: ${stderr()}`);
    if (existsSync(file)) {
      try {
        return JSON.parse(await readFile(file, "utf8")) as ConnectionInfo;
      } catch {
        // still being written
      }
    }
    if (Date.now() > deadline) throw new Error(`kernel did not write ${file}: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the echo kernel in its own process. */
export async function startEchoKernel(options: StartOptions = {}): Promise<KernelProcess> {
  const script = await fixtureKernel();
  const dir = await mkdtemp(join(tmpdir(), "jts-kernel-"));
  const file = options.file ?? join(dir, "kernel.json");
  const writeFile = options.file === undefined && (options.writeFile ?? true);
  let info: ConnectionInfo | undefined;
  if (writeFile) {
    ({ info } = await writeConnectionFile({ fname: file, transport: options.transport ?? "tcp", kernelName: "echo" }));
  }
  const args = [script, "-f", file, ...(options.transport && !writeFile ? ["--transport", options.transport] : []), ...(options.args ?? [])];
  let stderr = "";
  let stdout = "";
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    // JPY_PARENT_PID: a kernel left behind by a test run that died exits by itself.
    env: { ...process.env, JUPYTER_RUNTIME_DIR: join(dir, "runtime"), JPY_PARENT_PID: String(process.pid), ...options.env },
  });
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  info ??= await readWhenWritten(file, child, () => stderr);
  const connection = info;
  return {
    child,
    file,
    info: connection,
    dir,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    client: () => new KernelClient({ connectionInfo: connection }),
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a kernel and a ready client on it. */
export async function startWithClient(options: StartOptions = {}): Promise<{ kernel: KernelProcess; kc: KernelClient }> {
  const kernel = await startEchoKernel(options);
  const kc = kernel.client();
  await kc.startChannels();
  await kc.waitForReady({ timeout: 30_000 }).catch((error: Error) => {
    throw new Error(`${error.message}\nkernel stderr: ${kernel.stderr()}`);
  });
  return { kernel, kc };
}
