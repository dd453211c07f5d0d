// Fixture kernelspecs in a temp dir, peer discovery, and checks that nothing is left behind.
import { afterAll, beforeAll, expect } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KernelSpecManager } from "@jupyter-ts/kernelspec";
import { findJupyterPython, findPythonKernelspec, requirePeer } from "@jupyter-ts/testing";

const run = promisify(execFile);
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

const spec = findPythonKernelspec();
const jupyter = findJupyterPython();
const hasIpykernel = jupyter ? await run(jupyter.python, ["-c", "import ipykernel"]).then(() => true, () => false) : false;

/** The Python with pyzmq (tiny kernel) and ipykernel (fixture kernels), or undefined (a skip locally, a failure in CI). */
export const python: string | undefined = requirePeer(
  hasIpykernel ? jupyter?.python : undefined,
  "Python with jupyter_client and ipykernel (Debian's /usr/bin/python3)",
  "apt-get install python3-jupyter-client python3-ipykernel",
);

/** The python3 kernelspec's argv (Debian's ipykernel), when there is one. */
export const ipykernelArgv: string[] | undefined = python && spec ? spec.spec.argv : undefined;

export interface KernelDirs {
  /** A temp dir holding `kernels/`, `runtime/` (connection files) and `ipython/`. */
  root: string;
  kernelsDir: string;
  runtimeDir: string;
  ksm: KernelSpecManager;
  /** Connection files (and other files) left in the runtime dir. */
  leftovers(): string[];
  remove(): Promise<void>;
}

interface SpecInit {
  argv: string[];
  interruptMode?: "signal" | "message";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/**
 * Writes the fixture kernelspecs into a fresh temp dir:
 * - `tiny`, `tiny-deaf` (ignores shutdown_request), `tiny-stubborn` (also ignores SIGTERM),
 *   `tiny-message` (interrupt_mode message), `tiny-child` (starts `sleep 600`, its pid in `<root>/child.pid`);
 * - `python3` and `python3-message` (Debian's ipykernel, the second with interrupt_mode message);
 * - `fixture-<mode>` for each mode of fixture_kernel.py (ipykernel based).
 */
export async function makeKernelDirs(extra: Record<string, SpecInit> = {}): Promise<KernelDirs> {
  if (!python) throw new Error("no Python peer");
  const root = await mkdtemp(join(tmpdir(), "jts-manager-"));
  const kernelsDir = join(root, "kernels");
  const runtimeDir = join(root, "runtime");
  await mkdir(runtimeDir, { recursive: true });
  const env = { IPYTHONDIR: join(root, "ipython"), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  const tiny = (args: string[]): string[] => [python as string, join(FIXTURES, "tiny_kernel.py"), ...args, "-f", "{connection_file}"];
  const fixture = (mode: string): string[] => [python as string, join(FIXTURES, "fixture_kernel.py"), mode, "-f", "{connection_file}"];
  const specs: Record<string, SpecInit> = {
    tiny: { argv: tiny([]) },
    "tiny-deaf": { argv: tiny(["--ignore-shutdown"]) },
    "tiny-stubborn": { argv: tiny(["--ignore-shutdown", "--ignore-sigterm"]) },
    "tiny-message": { argv: tiny([]), interruptMode: "message" },
    "tiny-child": { argv: tiny(["--spawn-child", join(root, "child.pid")]) },
    "fixture-ignore-shutdown": { argv: fixture("ignore-shutdown") },
    "fixture-ignore-sigterm": { argv: fixture("ignore-sigterm") },
    "fixture-die-at-start": { argv: fixture("die-at-start") },
    "fixture-die-after": { argv: fixture("die-after=1.5") },
    ...(ipykernelArgv
      ? {
          python3: { argv: ipykernelArgv },
          "python3-message": { argv: ipykernelArgv, interruptMode: "message" as const },
        }
      : {}),
    ...extra,
  };
  for (const [name, s] of Object.entries(specs)) {
    const dir = join(kernelsDir, name);
    await mkdir(dir, { recursive: true });
    const json = {
      argv: s.argv,
      display_name: name,
      language: name.startsWith("tiny") ? "tiny" : "python",
      interrupt_mode: s.interruptMode ?? "signal",
      env: { ...env, ...s.env },
      metadata: s.metadata ?? {},
    };
    await writeFile(join(dir, "kernel.json"), JSON.stringify(json, null, 2));
  }
  return {
    root,
    kernelsDir,
    runtimeDir,
    ksm: new KernelSpecManager({ kernelDirs: [kernelsDir] }),
    leftovers: () => (existsSync(runtimeDir) ? readdirSync(runtimeDir) : []),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Whether a process of the group runs (zombies do not count: on this kind of
 * machine init reaps orphans a second or two late).
 */
export function groupRunning(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}

/** Whether the process exists and is not a zombie. */
export function pidRunning(pid: number): boolean {
  try {
    // "pid (comm) S ...": Z is a zombie (dead, not yet reaped).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Processes (not zombies) whose command line contains `marker`: a fixture's path or a temp dir of ours. */
export function processesMatching(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (cmdline.includes(marker) && pidRunning(Number(entry))) found.push(Number(entry));
  }
  return found;
}

/** The number of open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Polls `check` every 20 ms until it is true or `ms` passed (for effects with no event, like a reaped orphan). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** A logger that keeps what it gets (and says nothing). */
export function memoryLogger(): { warn(m: string): void; info(m: string): void; debug(m: string): void; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (m) => lines.push(`warn: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
}

/**
 * The kernel dirs of a describe block: made in beforeAll; in afterAll
 * checked that nothing is left (process, connection file) and removed.
 * Use the returned object inside tests only.
 */
export function useKernelDirs(extra: Record<string, SpecInit> = {}): KernelDirs {
  let current: KernelDirs | undefined;
  beforeAll(async () => {
    current = await makeKernelDirs(extra);
  });
  afterAll(async () => {
    if (!current) return;
    expect(current.leftovers()).toEqual([]);
    await current.remove();
  });
  return new Proxy({} as KernelDirs, {
    get(_target, key) {
      if (!current) throw new Error("useKernelDirs(): the kernel dirs exist only inside tests (after beforeAll)");
      const value: unknown = Reflect.get(current, key);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
