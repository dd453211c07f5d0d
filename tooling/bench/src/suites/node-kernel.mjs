// The JavaScript kernel (@jupyter-ts/node-kernel, built dist/main.js) with our KernelClient, in one run:
// - kernel_info round trip and execute("void 0") until reply + idle, next to the raw zeromq
//   DEALER/ROUTER ping-pong of a Jupyter-sized message (the floor), and next to ipykernel;
// - start-to-ready (spawn until waitForReady resolves) of the JavaScript kernel and of ipykernel.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient } from "@jupyter-ts/client";
import { writeConnectionFile } from "@jupyter-ts/connection";
import { kernelEntry } from "@jupyter-ts/node-kernel";
import { findPythonKernelspec } from "@jupyter-ts/testing";
import { rawPingPong } from "../floor.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Spawns a kernel on a fresh connection file; `ready` resolves with a started client once it answers. */
async function startKernel(argv, kernelName) {
  const dir = await mkdtemp(join(tmpdir(), "jts-bench-"));
  const { fname, info } = await writeConnectionFile({ fname: join(dir, "kernel.json"), kernelName });
  const t0 = performance.now();
  const child = spawn(argv[0], [...argv.slice(1), "-f", fname], {
    stdio: ["ignore", "ignore", "ignore"],
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", JUPYTER_RUNTIME_DIR: join(dir, "runtime") },
  });
  const kc = new KernelClient({ connectionInfo: info });
  await kc.startChannels();
  await kc.waitForReady({ timeout: 60_000 });
  const readyMs = performance.now() - t0;
  return {
    kc,
    readyMs,
    async stop() {
      await kc.stopChannels();
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function roundTrips(kc, code, n) {
  for (let i = 0; i < 30; i++) await kc.execute(code, { handle: true, timeout: 10_000 }).done;
  for (let i = 0; i < 30; i++) await kc.kernelInfo({ reply: true, timeout: 10_000 });
  const kernelInfo = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await kc.kernelInfo({ reply: true, timeout: 10_000 });
    kernelInfo.push(performance.now() - t);
  }
  const execute = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await kc.execute(code, { handle: true, timeout: 10_000 }).done;
    execute.push(performance.now() - t);
  }
  return { kernelInfo, execute };
}

export async function run({ json }) {
  const spec = findPythonKernelspec();
  if (!spec) {
    console.error("the python3 kernelspec (ipykernel) is needed for the start-to-ready comparison (apt-get install python3-ipykernel)");
    process.exitCode = 1;
    return;
  }
  const N = 300;
  const STARTS = 9;
  const nodeArgv = [process.execPath, kernelEntry()];
  const pyArgv = spec.spec.argv.filter((a) => a !== "-f" && a !== "{connection_file}");

  // Start-to-ready, alternating the two kernels so that machine noise hits both alike.
  const nodeStarts = [];
  const pyStarts = [];
  for (let i = 0; i < STARTS; i++) {
    for (const [argv, name, into] of [[nodeArgv, "node", nodeStarts], [pyArgv, "python3", pyStarts]]) {
      const k = await startKernel(argv, name);
      into.push(k.readyMs);
      await k.stop();
    }
  }

  const node = await startKernel(nodeArgv, "node");
  let ours;
  try {
    ours = await roundTrips(node.kc, "void 0", N);
  } finally {
    await node.stop();
  }
  const py = await startKernel(pyArgv, "python3");
  let theirs;
  try {
    theirs = await roundTrips(py.kc, "pass", N);
  } finally {
    await py.stop();
  }
  const floor = await rawPingPong(2000);

  const floorMs = median(floor);
  const rows = [
    { name: "kernel_info round trip (median ms)", ours: median(ours.kernelInfo), reference: floorMs, versus: "floor", target: "<= 2.0x floor" },
    { name: "kernel_info round trip (mean ms)", ours: mean(ours.kernelInfo), reference: mean(floor), versus: "floor" },
    { name: "execute to reply+idle (median ms)", ours: median(ours.execute), reference: floorMs, versus: "floor" },
    { name: "execute to reply+idle (mean ms)", ours: mean(ours.execute), reference: mean(floor), versus: "floor" },
    { name: "kernel_info round trip, vs ipykernel (median ms)", ours: median(ours.kernelInfo), reference: median(theirs.kernelInfo), versus: "ipykernel" },
    { name: "execute to reply+idle, vs ipykernel (median ms)", ours: median(ours.execute), reference: median(theirs.execute), versus: "ipykernel" },
    { name: `start to ready (median of ${STARTS}, ms)`, ours: median(nodeStarts), reference: median(pyStarts), versus: "ipykernel", target: "<= 0.5x ipykernel" },
    { name: "raw zeromq DEALER/ROUTER ping-pong (median ms, floor)", ours: floorMs, reference: undefined, versus: "" },
  ];
  if (json) {
    console.log(JSON.stringify({ suite: "node-kernel", node: process.version, rows, nodeStarts, pyStarts }, null, 2));
    return;
  }
  const fmt = (v) => (v === undefined ? "-" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3));
  console.log(`\nJavaScript kernel (jupyter-ts node-kernel on Node ${process.version}) with our KernelClient; ipykernel from ${spec.file}; ${N} round trips each\n`);
  const head = ["case", "node-kernel", "reference", "ratio", "reference is", "target"];
  const body = rows.map((r) => [r.name, fmt(r.ours), fmt(r.reference), r.reference ? `${(r.ours / r.reference).toFixed(2)}x` : "", r.versus, r.target ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}
