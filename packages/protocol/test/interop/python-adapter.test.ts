// Our adapter against jupyter_client.adapter itself, on the same messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJupyterPython, requirePeer, startPythonSessionPeer, type PythonSessionPeer } from "@jupyter-ts/testing";
import { adapt, type JupyterMessage } from "../../src/index.js";

const python = requirePeer(findJupyterPython(), "Python with jupyter_client (Debian's /usr/bin/python3)", "apt-get install python3-jupyter-client");

const header = (msgType: string, version?: string) => ({
  msg_id: "m1",
  msg_type: msgType,
  username: "u",
  session: "s",
  date: "2024-01-31T12:00:00.000000Z",
  ...(version ? { version } : {}),
});
const msg = (msgType: string, version: string | undefined, content: Record<string, unknown>): JupyterMessage =>
  ({ header: header(msgType, version), parent_header: version ? header("parent", version) : header("parent"), metadata: {}, content }) as JupyterMessage;

const V5 = [
  msg("kernel_info_reply", "5.3", {
    status: "ok", protocol_version: "5.3", implementation: "ipython", implementation_version: "8.5.0",
    language_info: { name: "python", version: "3.11.2", mimetype: "text/x-python" }, banner: "b",
  }),
  msg("execute_request", "5.3", { code: "1", silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true }),
  msg("execute_reply", "5.3", { status: "ok", execution_count: 3, user_expressions: {}, payload: [] }),
  msg("execute_reply", "5.3", { status: "error", ename: "E", evalue: "v", traceback: ["t"] }),
  msg("complete_request", "5.3", { code: "import os\nos.pa🌍th", cursor_pos: 17 }),
  msg("complete_reply", "5.3", { status: "ok", matches: ["os.path", "os.pathsep"], cursor_start: 10, cursor_end: 15, metadata: {} }),
  msg("inspect_request", "5.3", { code: "x = foo(bar(1), np.ar", cursor_pos: 21, detail_level: 1 }),
  msg("inspect_reply", "5.3", { status: "ok", found: true, data: { "text/plain": "doc" }, metadata: {} }),
  msg("stream", "5.3", { name: "stdout", text: "hi\n" }),
  msg("display_data", "5.3", { data: { "text/plain": "x", "application/json": { a: [1, 2.5, null], "é": "🌍", n: { t: true } } }, metadata: {} }),
  msg("execute_result", "5.3", { execution_count: 1, data: { "text/plain": "2" }, metadata: {} }),
  msg("execute_input", "5.3", { code: "1+1", execution_count: 1 }),
  msg("error", "5.3", { ename: "E", evalue: "v", traceback: [] }),
  msg("input_request", "5.3", { prompt: "pw", password: true }),
  msg("status", "5.3", { execution_state: "idle" }),
];

const V4 = [
  msg("kernel_info_reply", undefined, { protocol_version: [4, 1], ipython_version: [2, 4, 1, "dev"], language_version: [2, 7, 9], language: "python" }),
  msg("kernel_info_reply", undefined, { protocol_version: [4, 1], language: "julia", language_version: [1, 0] }),
  msg("execute_request", undefined, { code: "1", silent: false, user_variables: ["a", "b"], user_expressions: { c: "1" } }),
  msg("execute_reply", undefined, { status: "ok", execution_count: 1, user_variables: { a: { "text/plain": "1" } }, payload: [{ source: "page", text: "help" }] }),
  msg("complete_request", undefined, { text: "", line: "os.pa", block: null, cursor_pos: 5 }),
  msg("complete_reply", undefined, { status: "ok", matches: ["os.path"], matched_text: "os.pa" }),
  msg("complete_reply", undefined, { status: "ok", matches: ["os.path"], matched_text: "" }),
  msg("object_info_request", undefined, { oname: "os.path", detail_level: 0 }),
  msg("object_info_reply", undefined, { found: true, name: "x", definition: "f(a)", docstring: "Doc.", init_docstring: "" }),
  msg("object_info_reply", undefined, { found: true, name: "x" }),
  msg("object_info_reply", undefined, { found: false, name: "x" }),
  msg("stream", undefined, { name: "stderr", data: "oops" }),
  msg("display_data", undefined, { source: "IPython.core.display", data: { "application/json": '{"a": 1}', "text/plain": "t" }, metadata: {} }),
  msg("display_data", undefined, { source: "s", data: { "application/json": "not json" }, metadata: {} }),
  msg("pyout", undefined, { execution_count: 1, data: { "text/plain": "2" }, metadata: {} }),
  msg("pyin", undefined, { code: "1", execution_count: 1 }),
  msg("pyerr", undefined, { ename: "E", evalue: "v", traceback: [] }),
  msg("input_request", undefined, { prompt: ">" }),
];

describe.skipIf(!python)("adapt against jupyter_client.adapter", () => {
  let peer: PythonSessionPeer;
  beforeAll(() => {
    peer = startPythonSessionPeer(python!.python);
  });
  afterAll(() => peer?.close());

  it.each(V5.map((m, i) => [`${m.header.msg_type} #${i}`, m] as const))("v5 -> v4: %s", async (_, m) => {
    const { msg: expected } = await peer.request("adapt", { msg: m, to: 4 });
    expect(JSON.parse(JSON.stringify(adapt(m, 4)))).toEqual(expected);
  });

  it.each(V4.map((m, i) => [`${m.header.msg_type} #${i}`, m] as const))("v4 -> v5: %s", async (_, m) => {
    const { msg: expected } = await peer.request("adapt", { msg: m, to: 5 });
    expect(JSON.parse(JSON.stringify(adapt(m, 5)))).toEqual(expected);
  });
});
