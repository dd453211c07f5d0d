// Session: our serialize/deserialize against Python's jupyter_client Session
// on identical messages, in one run.
import { Session } from "@jupyter-ts/session";
import { b64, findJupyterPython, startPythonSessionPeer } from "@jupyter-ts/testing";
import { opsPerSecond, printTable } from "../measure.mjs";

const KEY = "5f7a1d0c-6f2b-4b8e-9a51-1d6f3f5c2e10";

function cases(session) {
  const small = session.msg("execute_request", {
    content: { code: "print('hello')", silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true },
  });
  const withBuffer = (size) => session.msg("comm_msg", { content: { comm_id: "c1", data: { method: "update" } }, buffers: [new Uint8Array(size).fill(7)] });
  // Two kinds of 100 KB output: text (an HTML table, as pandas shows one) and
  // numbers (a chart's data), since JSON engines differ most on numbers.
  const html = `<table>${Array.from({ length: 1400 }, (_, i) => `<tr><td>${i}</td><td>name ${i}</td><td>"q"</td></tr>`).join("\n")}</table>`;
  const text = session.msg("execute_result", { content: { execution_count: 1, data: { "text/html": html, "text/plain": "<table>" }, metadata: {} } });
  const points = Array.from({ length: 1600 }, (_, i) => ({ x: i, y: Math.round(Math.sin(i) * 1e6) / 1e3, label: `p${i}` }));
  const numbers = session.msg("display_data", { content: { data: { "application/json": { points } }, metadata: {} } });
  return [
    { name: "small execute_request: serialize", op: "serialize", msg: small },
    { name: "small execute_request: deserialize+verify", op: "deserialize", msg: small },
    { name: "1 KiB buffer: serialize", op: "serialize", msg: withBuffer(1024) },
    { name: "1 MiB buffer: serialize", op: "serialize", msg: withBuffer(1 << 20) },
    { name: "1 MiB buffer: deserialize+verify", op: "deserialize", msg: withBuffer(1 << 20) },
    { name: "100 KB JSON content (text): serialize", op: "serialize", msg: text },
    { name: "100 KB JSON content (text): deserialize+verify", op: "deserialize", msg: text },
    { name: "100 KB JSON content (numbers): serialize", op: "serialize", msg: numbers },
    { name: "100 KB JSON content (numbers): deserialize+verify", op: "deserialize", msg: numbers },
  ];
}

function ourRate(session, c, seconds) {
  if (c.op === "serialize") return opsPerSecond(() => session.serialize(c.msg), seconds);
  const [, rest] = session.feedIdentities(session.serialize(c.msg));
  return opsPerSecond(() => {
    // Each call stands for a new message: forget the digest as Python's side does.
    session.digestHistory.clear();
    session.deserialize(rest);
  }, seconds);
}

export async function run({ seconds, json }) {
  const session = new Session({ key: KEY, signatureScheme: "hmac-sha256" });
  const list = cases(session);
  const kb = (i) => Math.round(session.serialize(list[i].msg)[5].byteLength / 1000);

  let reference = {};
  const py = findJupyterPython();
  if (py) {
    const peer = startPythonSessionPeer(py.python);
    try {
      const toPy = (m) => ({ header: m.header, parent_header: m.parent_header, metadata: m.metadata, content: m.content });
      const answer = await peer.request("bench", {
        key: b64.encode(Buffer.from(KEY)),
        seconds,
        cases: list.map((c) => ({ name: c.name, op: c.op, msg: toPy(c.msg), buffers: c.msg.buffers.map((b) => b64.encode(b)) })),
      });
      reference = answer.results;
    } finally {
      await peer.close();
    }
  } else {
    console.warn("Python with jupyter_client not found (apt-get install python3-jupyter-client): printing our numbers alone");
  }

  const rows = list.map((c) => ({ name: c.name, ours: ourRate(session, c, seconds), reference: reference[c.name], target: 4 }));
  if (json) {
    console.log(JSON.stringify({ suite: "session", python: py?.jupyterClientVersion, rows }, null, 2));
    return;
  }
  printTable(`Session (jupyter-ts vs Python jupyter_client ${py?.jupyterClientVersion ?? "n/a"}; content of the 100 KB rows: ${kb(5)} KB text, ${kb(7)} KB numbers)`, rows);
  const k1 = rows[2].ours;
  const m1 = rows[3].ours;
  console.log(`buffer size scaling (serialize): 1 MiB runs at ${((m1 / k1) * 100).toFixed(0)}% of the 1 KiB rate (no copy: close to 100%)`);
}
