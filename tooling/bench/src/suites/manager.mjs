// KernelManager against Python's AsyncKernelManager (jupyter_client), both
// driving the same ipykernel kernelspec in the same run, taking turns:
// - start-to-ready: startKernel + client + ready (Python: start_kernel + wait_for_ready);
// - restart-to-ready, and graceful shutdown;
// - ten kernels at once until all are ready (and failures), then shutdownAll.
// Every kernel is started from scratch: nothing is pre-spawned or reused.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { KernelSpecManager } from "@jupyter-ts/kernelspec";
import { KernelManager, MultiKernelManager } from "@jupyter-ts/manager";
import { PYTHON_SCRIPTS_DIR, findJupyterPython, findPythonKernelspec } from "@jupyter-ts/testing";

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const min = (xs) => Math.min(...xs);

function runPython(python, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(PYTHON_SCRIPTS_DIR, "manager_bench.py"), ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop())) : reject(new Error(`manager_bench.py ${args[0]} failed: ${err.slice(-1500)}`)),
    );
  });
}

async function ourLifecycle(ksm, n) {
  const start = [];
  const restart = [];
  const restartCall = [];
  const shutdown = [];
  for (let i = 0; i <= n; i++) {
    const km = new KernelManager({ kernelName: "python3", kernelSpecManager: ksm });
    let t = performance.now();
    await km.startKernel();
    const kc = km.client();
    await km.waitForReady(kc, { timeout: 60_000 }); // starts the channels once the kernel listens
    const tStart = performance.now() - t;
    t = performance.now();
    await km.restartKernel();
    const tCall = performance.now() - t;
    await km.waitForReady(kc, { timeout: 60_000 });
    const tRestart = performance.now() - t;
    await kc.stopChannels();
    t = performance.now();
    await km.shutdownKernel();
    const tShutdown = performance.now() - t;
    if (km.shutdownStatus !== "request") console.warn(`warning: a graceful shutdown ended with ${km.shutdownStatus}`);
    if (i > 0) {
      start.push(tStart);
      restart.push(tRestart);
      restartCall.push(tCall);
      shutdown.push(tShutdown);
    }
  }
  return { start_ms: start, restart_ms: restart, restart_call_ms: restartCall, shutdown_ms: shutdown };
}

async function ourTen(ksm, batches) {
  const ready = [];
  const shutdownAll = [];
  const errors = [];
  let failures = 0;
  for (let b = 0; b < batches; b++) {
    const mkm = new MultiKernelManager({ kernelSpecManager: ksm });
    const clients = [];
    const one = async () => {
      const id = await mkm.startKernel();
      const km = mkm.getKernel(id);
      const kc = km.client();
      clients.push(kc);
      await km.waitForReady(kc, { timeout: 120_000 });
    };
    const t = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 10 }, one));
    ready.push(performance.now() - t);
    for (const r of results) {
      if (r.status === "rejected") {
        failures++;
        errors.push(String(r.reason).slice(-700));
      }
    }
    for (const kc of clients) await kc.stopChannels();
    const t2 = performance.now();
    await mkm.shutdownAll();
    shutdownAll.push(performance.now() - t2);
  }
  return { ready_ms: ready, shutdown_all_ms: shutdownAll, failures, errors };
}

const merge = (into, from) => {
  for (const [k, v] of Object.entries(from)) into[k] = Array.isArray(v) ? [...(into[k] ?? []), ...v] : (into[k] ?? 0) + v;
  return into;
};

export async function run({ json }) {
  const py = findJupyterPython();
  const spec = findPythonKernelspec();
  if (!py || !spec) {
    console.error("Python with jupyter_client and the python3 kernelspec are needed (apt-get install python3-jupyter-client python3-ipykernel)");
    process.exitCode = 1;
    return;
  }
  const kernelsDir = dirname(spec.resourceDir);
  const ksm = new KernelSpecManager({ kernelDirs: [kernelsDir] });
  const scratch = await mkdtemp(join(tmpdir(), "jts-bench-manager-"));
  // Both sides' kernels get the same environment.
  process.env.IPYTHONDIR = join(scratch, "ipython");
  process.env.JUPYTER_RUNTIME_DIR = join(scratch, "runtime");
  process.env.PYDEVD_DISABLE_FILE_VALIDATION = "1";
  const env = { ...process.env };

  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
  const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 4);
  const BATCHES = Number(process.env.BENCH_BATCHES ?? 10);
  const ours = {};
  const theirs = {};
  const oursTen = {};
  const theirsTen = {};
  try {
    // Turns: ours, theirs, ours, ... so that the machine's noise hits both.
    for (let r = 0; r < ROUNDS; r++) {
      merge(ours, await ourLifecycle(ksm, PER_ROUND));
      merge(theirs, await runPython(py.python, ["lifecycle", kernelsDir, String(PER_ROUND)], env));
    }
    for (let b = 0; b < BATCHES; b++) {
      merge(oursTen, await ourTen(ksm, 1));
      merge(theirsTen, await runPython(py.python, ["ten", kernelsDir, "1"], env));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const rows = [
    { name: "start-to-ready (median ms)", ours: median(ours.start_ms), python: median(theirs.start_ms), target: 0.75 },
    { name: "start-to-ready (min ms)", ours: min(ours.start_ms), python: min(theirs.start_ms) },
    { name: "graceful shutdown (median ms)", ours: median(ours.shutdown_ms), python: median(theirs.shutdown_ms), target: 0.85 },
    { name: "restart-to-ready (median ms)", ours: median(ours.restart_ms), python: median(theirs.restart_ms) },
    { name: "restart call alone (median ms)", ours: median(ours.restart_call_ms), python: median(theirs.restart_call_ms) },
    { name: "ten at once, all ready (median ms)", ours: median(oursTen.ready_ms), python: median(theirsTen.ready_ms), target: 1.0 },
    { name: "ten at once, failed kernels", ours: oursTen.failures, python: theirsTen.failures, exact: true },
    { name: "shutdownAll of ten (median ms)", ours: median(oursTen.shutdown_all_ms), python: median(theirsTen.shutdown_all_ms), target: 0.5 },
  ];
  if (json) {
    console.log(JSON.stringify({ suite: "manager", python: py.jupyterClientVersion, rows, ours, theirs, oursTen, theirsTen }, null, 2));
    return;
  }
  const n = ROUNDS * PER_ROUND;
  console.log(`\nKernelManager (jupyter-ts vs Python jupyter_client ${py.jupyterClientVersion} AsyncKernelManager), ipykernel from ${spec.file}`);
  console.log(`${n} lifecycles each (after a warm-up), ${BATCHES} batches of ten each; lower is better\n`);
  const fmt = (v) => (Number.isInteger(v) && v < 100 ? String(v) : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1));
  const head = ["case", "jupyter-ts", "python", "ratio", "target", ""];
  const body = rows.map((r) => {
    const ratio = r.exact || !r.python ? undefined : r.ours / r.python;
    const verdict = r.exact ? (r.ours === 0 ? "ok" : "FAILURES") : r.target === undefined ? "" : ratio <= r.target ? "ok" : "MISSED";
    return [r.name, fmt(r.ours), fmt(r.python), ratio === undefined ? "" : `${ratio.toFixed(2)}x`, r.exact ? "0" : r.target ? `<= ${r.target}x` : "", verdict];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
  for (const e of [...oursTen.errors, ...theirsTen.errors]) console.log(`  failure: ${e}`);
  console.log("");
}
