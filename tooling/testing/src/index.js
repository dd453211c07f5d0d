// Plain JavaScript (with index.d.ts) so that tests, benchmarks and the demo
// can all load it on Node 20 without a TypeScript loader.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { builtinModules } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the Python helper scripts of the tests live. */
export const PYTHON_SCRIPTS_DIR = join(here, "..", "python");

/** True when running in CI, where a missing peer is a failure, not a skip. */
export const IN_CI = Boolean(process.env.CI);

function kernelspecDirs() {
  const dirs = [];
  if (process.env.JUPYTER_PATH) for (const p of process.env.JUPYTER_PATH.split(":")) if (p) dirs.push(join(p, "kernels"));
  dirs.push(join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter", "kernels"));
  dirs.push("/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels");
  return dirs;
}

/**
 * The `python3` kernelspec as Jupyter would find it (user dirs first, then
 * system ones), or undefined. Debian installs it in /usr/share/jupyter/kernels.
 */
export function findPythonKernelspec() {
  for (const dir of kernelspecDirs()) {
    const file = join(dir, "python3", "kernel.json");
    if (!existsSync(file)) continue;
    try {
      const spec = JSON.parse(readFileSync(file, "utf8"));
      if (Array.isArray(spec.argv) && spec.argv.length > 0) return { file, resourceDir: dirname(file), spec };
    } catch {
      // a broken kernel.json is not a peer
    }
  }
  return undefined;
}

let cachedPython;

/**
 * A Python interpreter that has jupyter_client and pyzmq: $JUPYTER_TS_PYTHON,
 * the interpreter of the python3 kernelspec, or /usr/bin/python3. Not the
 * first python3 on PATH, which on these machines lacks Jupyter.
 */
export function findJupyterPython() {
  if (cachedPython !== undefined) return cachedPython ?? undefined;
  const candidates = [];
  if (process.env.JUPYTER_TS_PYTHON) candidates.push(process.env.JUPYTER_TS_PYTHON);
  const spec = findPythonKernelspec();
  if (spec && spec.spec.argv[0].includes("python")) candidates.push(spec.spec.argv[0]);
  candidates.push("/usr/bin/python3");
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import jupyter_client, zmq; print(jupyter_client.__version__)"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    if (r.status === 0) {
      cachedPython = { python, jupyterClientVersion: r.stdout.trim() };
      return cachedPython;
    }
  }
  cachedPython = null;
  return undefined;
}

/**
 * Returns the peer when found. When it is missing, CI fails here (a missing
 * peer must never pass as a skip); elsewhere it prints how to install it and
 * returns undefined so the caller can skip.
 */
export function requirePeer(peer, what, install) {
  if (peer) return peer;
  const text = `${what} not found; install it with: ${install}`;
  if (IN_CI) throw new Error(`[peer missing in CI] ${text}`);
  console.warn(`[skipping] ${text}`);
  return undefined;
}

/**
 * Starts python/session_peer.py: a line-oriented driver for the real
 * `jupyter_client.session.Session`. Call `close()` when done.
 */
export function startPythonSessionPeer(python) {
  const child = spawn(python, [join(PYTHON_SCRIPTS_DIR, "session_peer.py")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const waiting = new Map();
  let nextId = 0;
  let exited = false;
  const failAll = (error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  child.on("exit", (code, signal) => {
    exited = true;
    failAll(new Error(`python session peer exited (${signal ?? code}): ${stderr.slice(-2000)}`));
  });
  child.on("error", (err) => failAll(err));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const answer = JSON.parse(line);
    const entry = waiting.get(answer.id);
    if (!entry) return;
    waiting.delete(answer.id);
    if (answer.fatal) entry.reject(new Error(`python session peer: ${answer.fatal}`));
    else entry.resolve(answer);
  });
  return {
    request(op, fields = {}) {
      if (exited) return Promise.reject(new Error(`python session peer is not running: ${stderr.slice(-2000)}`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.stdin.write(`${JSON.stringify({ id, op, ...fields })}\n`);
      });
    },
    close() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      });
    },
  };
}

/** Base64 helpers for the JSON lines spoken with the Python peers. */
export const b64 = {
  encode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
  decode: (text) => new Uint8Array(Buffer.from(text, "base64")),
};

/**
 * A small deterministic PRNG (mulberry32) for fuzz tests: the same seed gives
 * the same sequence, so a failure can be replayed.
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * Bundles an entry (or stdin contents) for the browser with esbuild and
 * records every Node built-in it reaches, directly or through a dependency:
 * the browser-safety check of the browser-safe packages. Built-ins are made
 * external so the build goes on and the test can list them all.
 */
export async function bundleForBrowser(entry, { globalName = "Bundle" } = {}) {
  const builtins = [];
  const guard = {
    name: "no-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const root = args.path.startsWith("node:") ? args.path : (args.path.split("/")[0] ?? args.path);
        if (args.path.startsWith("node:") || BUILTINS.has(args.path) || BUILTINS.has(root)) {
          builtins.push({ path: args.path, importer: args.importer });
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    ...(typeof entry === "string" ? { entryPoints: [entry] } : { stdin: entry }),
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName,
    target: "es2022",
    write: false,
    logLevel: "silent",
    conditions: ["@jupyter-ts/source"],
    plugins: [guard],
  });
  return { code: result.outputFiles[0]?.text ?? "", builtins, errors: result.errors };
}

/**
 * Bundles TypeScript sources of the workspace (through the
 * `@jupyter-ts/source` condition) into one ESM file plain Node can run, so a
 * test can start a program of ours without a build. zeromq stays external:
 * it is a native module.
 */
export async function bundleForNode(entry, outfile, { sourcemap = false } = {}) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@jupyter-ts/source"],
    external: ["zeromq"],
    logLevel: "error",
    ...(sourcemap ? { sourcemap: "inline" } : {}),
  });
  return outfile;
}

/** Stops a child process: SIGTERM, SIGKILL after `graceMs`, and resolves once it has exited. */
export async function stopChild(child, { graceMs = 5_000 } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * One kernel and a ready client for a describe block: `start()` in
 * beforeAll, the client's channels started and the kernel ready (a failure
 * shows the kernel's stderr), both stopped in afterAll. Read `.kernel` and
 * `.kc` inside tests.
 */
export function useKernelFixture(start, { timeout = 60_000 } = {}) {
  const state = {};
  beforeAll(async () => {
    state.kernel = await start();
    state.kc = state.kernel.client();
    await state.kc.startChannels();
    await state.kc.waitForReady({ timeout }).catch((error) => {
      throw new Error(`${error.message}\nkernel stderr: ${state.kernel?.stderr().slice(-2000)}`);
    });
  }, timeout + 30_000);
  afterAll(async () => {
    await state.kc?.stopChannels();
    await state.kernel?.stop();
  });
  const get = (name) => {
    if (!state[name]) throw new Error(`the ${name === "kc" ? "client" : "kernel"} is started in beforeAll; use it inside tests`);
    return state[name];
  };
  return {
    get kernel() {
      return get("kernel");
    },
    get kc() {
      return get("kc");
    },
  };
}
