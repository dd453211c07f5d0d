// KernelClient against Python's jupyter_client, in one run:
// - kernel_info round trip and execute("pass") until reply + idle, on ipykernel;
// - iopub receive rate from a fast signed publisher (no kernel), and losses;
// - the raw zeromq DEALER/ROUTER ping-pong of a Jupyter-sized message (the floor).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { KernelClient } from "@jupyter-ts/client";
import { writeConnectionFile } from "@jupyter-ts/connection";
import { PYTHON_SCRIPTS_DIR, findJupyterPython, findPythonKernelspec } from "@jupyter-ts/testing";
import { rawPingPong } from "../floor.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function runPython(python, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(PYTHON_SCRIPTS_DIR, "client_bench.py"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop())) : reject(new Error(`client_bench.py ${args[0]} failed: ${err.slice(-1500)}`))));
  });
}

async function startIpykernel(python) {
  const { fname, info } = await writeConnectionFile({ kernelName: "python3" });
  const child = spawn(python, ["-m", "ipykernel_launcher", "-f", fname], { stdio: ["ignore", "ignore", "ignore"], env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" } });
  return {
    fname,
    info,
    async stop() {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
      await unlink(fname).catch(() => {});
    },
  };
}

async function roundTrips(info, n) {
  const kc = new KernelClient({ connectionInfo: info });
  await kc.startChannels();
  await kc.waitForReady({ timeout: 60_000 });
  try {
    // Warm up both the kernel and the client; the Python side does the same.
    for (let i = 0; i < 30; i++) await kc.execute("pass", { handle: true, timeout: 10_000 }).done;
    const kernelInfo = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await kc.kernelInfo({ reply: true, timeout: 10_000 });
      kernelInfo.push(performance.now() - t);
    }
    const execute = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await kc.execute("pass", { handle: true, timeout: 10_000 }).done;
      execute.push(performance.now() - t);
    }
    return { kernel_info_ms: kernelInfo, execute_ms: execute };
  } finally {
    await kc.stopChannels();
  }
}

async function startPublisher(key, count, hwm) {
  const child = spawn(process.execPath, [join(here, "..", "publisher.mjs"), key, String(count), ...(hwm === undefined ? [] : [String(hwm)])], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const { port } = JSON.parse((await lines.next()).value);
  return {
    port,
    async stop() {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

const iopubInfo = (port, key) => ({
  ip: "127.0.0.1", transport: "tcp", key, signature_scheme: "hmac-sha256",
  iopub_port: port, shell_port: 1, stdin_port: 1, control_port: 1, hb_port: 1,
});

async function ourIopubRate(count, hwm) {
  const key = "bench-key";
  const pub = await startPublisher(key, count, hwm);
  // The default queue bound (10,000) is for forgotten output; the bench holds a whole burst.
  const kc = new KernelClient({ connectionInfo: iopubInfo(pub.port, key), maxQueued: count + 1000 });
  await kc.startChannels({ shell: false, stdin: false, control: false, hb: false });
  let received = 0;
  let first;
  let last;
  try {
    while (received < count) {
      try {
        await kc.getIopubMsg({ timeout: 3000 });
      } catch {
        break;
      }
      last = performance.now();
      first ??= last;
      received++;
    }
  } finally {
    await kc.stopChannels();
    await pub.stop();
  }
  return { received, rate: received / ((last - first) / 1000), dropped: kc.droppedMessages.iopub };
}

async function pythonIopubRate(python, count, hwm) {
  const key = "bench-key";
  const pub = await startPublisher(key, count, hwm);
  const { fname } = await writeConnectionFile({ ...Object.fromEntries(Object.entries(iopubInfo(pub.port, key)).map(([k, v]) => [k.replace(/_(\w)/g, (_, c) => c.toUpperCase()), v])) });
  try {
    const out = await runPython(python, ["iopub", fname, String(count)]);
    return { received: out.received, rate: out.seconds ? out.received / out.seconds : NaN };
  } finally {
    await pub.stop();
    await unlink(fname).catch(() => {});
  }
}

export async function run({ json }) {
  const py = findJupyterPython();
  const spec = findPythonKernelspec();
  if (!py || !spec) {
    console.error("Python with jupyter_client and the python3 kernelspec are needed (apt-get install python3-jupyter-client python3-ipykernel)");
    process.exitCode = 1;
    return;
  }
  const N = 300;
  const COUNT = 20_000;
  const kernel = await startIpykernel(spec.spec.argv[0]);
  let ours;
  let theirs;
  try {
    ours = await roundTrips(kernel.info, N);
    theirs = await runPython(py.python, ["roundtrip", kernel.fname, String(N)]);
  } finally {
    await kernel.stop();
  }
  const ourIopub = await ourIopubRate(COUNT);
  const pyIopub = await pythonIopubRate(py.python, COUNT);
  // The same with a publisher that never drops on its own side: what is
  // lost then is lost by the client.
  const ourIopubNoDrop = await ourIopubRate(COUNT, 0);
  const pyIopubNoDrop = await pythonIopubRate(py.python, COUNT, 0);
  const floor = await rawPingPong(2000);

  const rows = [
    { name: "kernel_info round trip (median ms)", ours: median(ours.kernel_info_ms), python: median(theirs.kernel_info_ms), lowerIsBetter: true, target: "<= 1.0x" },
    { name: "kernel_info round trip (mean ms)", ours: mean(ours.kernel_info_ms), python: mean(theirs.kernel_info_ms), lowerIsBetter: true },
    { name: "execute('pass') to reply+idle (median ms)", ours: median(ours.execute_ms), python: median(theirs.execute_ms), lowerIsBetter: true, target: "<= 1.0x" },
    { name: "execute('pass') to reply+idle (mean ms)", ours: mean(ours.execute_ms), python: mean(theirs.execute_ms), lowerIsBetter: true },
    { name: `iopub receive rate (msg/s, ${COUNT} sent)`, ours: ourIopub.rate, python: pyIopub.rate, target: ">= 4x" },
    { name: "iopub messages received", ours: ourIopub.received, python: pyIopub.received, target: `all ${COUNT}` },
    { name: "iopub rate, publisher HWM unlimited (msg/s)", ours: ourIopubNoDrop.rate, python: pyIopubNoDrop.rate, target: ">= 4x" },
    { name: "iopub received, publisher HWM unlimited", ours: ourIopubNoDrop.received, python: pyIopubNoDrop.received, target: `all ${COUNT}` },
    { name: "raw zeromq DEALER/ROUTER ping-pong (median ms, floor)", ours: median(floor), python: undefined, lowerIsBetter: true },
  ];
  if (json) {
    console.log(JSON.stringify({ suite: "client", python: py.jupyterClientVersion, rows, ourIopub, pyIopub }, null, 2));
    return;
  }
  const fmt = (v) => (v === undefined ? "-" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3));
  console.log(`\nKernelClient (jupyter-ts vs Python jupyter_client ${py.jupyterClientVersion}, ipykernel from ${spec.file}; ${N} round trips each)\n`);
  const head = ["case", "jupyter-ts", "python", "ratio (ours/python)", "target"];
  const body = rows.map((r) => [r.name, fmt(r.ours), fmt(r.python), r.python ? `${(r.ours / r.python).toFixed(2)}x` : "", r.target ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
  console.log(`\nour client's own queue dropped ${ourIopub.dropped + ourIopubNoDrop.dropped} iopub messages (its socket has no receive high-water mark).`);
  console.log("With zeromq's default send high-water mark (1000, as ipykernel uses), a publisher drops what its own I/O thread cannot write yet,");
  console.log("and a client whose receive high-water mark fills (Python's, 1000) makes that happen sooner; the second pair of rows removes the publisher's limit.");
}
