import { afterAll, beforeAll } from "vitest";
// Starts a real ipykernel on a connection file that we wrote, and stops it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";
import { findJupyterPython, findPythonKernelspec, requirePeer } from "@jupyter-ts/testing";
import { KernelClient, type KernelClientOptions } from "../src/index.js";

const run = promisify(execFile);

const spec = findPythonKernelspec();
const python = spec ? findJupyterPython() : undefined;
const hasIpykernel = python ? await run(python.python, ["-c", "import ipykernel"]).then(() => true, () => false) : false;

/** The Python that runs ipykernel, or undefined (a skip locally; CI fails in requirePeer). */
export const ipykernelPython: string | undefined = requirePeer(
  hasIpykernel ? python?.python : undefined,
  "the python3 kernelspec with ipykernel (Debian's /usr/bin/python3)",
  "apt-get install python3-ipykernel",
);

export interface TestKernel {
  child: ChildProcess;
  /** The info we wrote (ipykernel rewrites the file; this is what we keep). */
  info: ConnectionInfo;
  file: string;
  /** Everything the kernel wrote to stderr, for failure messages. */
  stderr(): string;
  /** A client on this kernel (channels not started). */
  client(options?: Omit<KernelClientOptions, "connectionInfo" | "connectionFile">): KernelClient;
  /** Kills the kernel, checks it exited, removes the file and the temp dir. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Writes a connection file, spawns `python -m ipykernel_launcher -f <file>`. */
export async function startKernel(): Promise<TestKernel> {
  if (!ipykernelPython) throw new Error("no ipykernel");
  const dir = await mkdtemp(join(tmpdir(), "jts-client-"));
  const { fname, info } = await writeConnectionFile({ fname: join(dir, "kernel.json"), kernelName: "python3" });
  let stderr = "";
  const child = spawn(ipykernelPython, ["-m", "ipykernel_launcher", "-f", fname], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, IPYTHONDIR: join(dir, "ipython"), JUPYTER_RUNTIME_DIR: join(dir, "runtime"), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return {
    child,
    info,
    file: fname,
    stderr: () => stderr,
    client: (options = {}) => new KernelClient({ ...options, connectionInfo: info }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited(child);
        clearTimeout(timer);
      }
      if (child.exitCode === null && child.signalCode === null) throw new Error(`ipykernel ${child.pid} did not exit`);
      await rm(dir, { recursive: true, force: true });
      if (existsSync(fname)) throw new Error(`${fname} was not removed`);
    },
  };
}

/**
 * One ipykernel and a ready client for a whole describe block: started in
 * beforeAll, stopped (and checked gone) in afterAll. Read `.kc` / `.kernel`
 * inside tests.
 */
export function useKernelClient(): { readonly kernel: TestKernel; readonly kc: KernelClient } {
  const state: { kernel?: TestKernel; kc?: KernelClient } = {};
  beforeAll(async () => {
    state.kernel = await startKernel();
    state.kc = state.kernel.client();
    await state.kc.startChannels();
    await state.kc.waitForReady({ timeout: 60_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\nkernel stderr: ${state.kernel?.stderr().slice(-2000)}`);
    });
  }, 90_000);
  afterAll(async () => {
    await state.kc?.stopChannels();
    await state.kernel?.stop();
  });
  return {
    get kernel() {
      if (!state.kernel) throw new Error("the kernel is started in beforeAll; use it inside tests");
      return state.kernel;
    },
    get kc() {
      if (!state.kc) throw new Error("the client is started in beforeAll; use it inside tests");
      return state.kc;
    },
  };
}
