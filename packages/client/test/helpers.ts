// Starts a real ipykernel on a connection file that we wrote, and stops it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";
import { findJupyterPython, findPythonKernelspec, requirePeer, stopChild, useKernelFixture } from "@jupyter-ts/testing";
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
      await stopChild(child);
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
  return useKernelFixture(startKernel);
}
