import { describe, expect, it } from "vitest";
import { JupyterTsError, MessageValidationError, ProtocolError } from "../src/errors.js";
import { MESSAGE_CHANNELS, type ContentOf, type KnownMessageType } from "../src/messages.js";
import { isValidMessage, validateMessage } from "../src/validate.js";

const SESSION = "b7a5e2f4-1c1e-4c1a-9d0e-2a9b4f6c8d10";
const PARENT = {
  msg_id: "2f3a7c1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b_12345_0",
  msg_type: "execute_request",
  username: "username",
  session: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
  date: "2024-05-01T12:00:00.123456Z",
  version: "5.3",
};

type Msg = {
  header: Record<string, unknown>;
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: unknown;
  [key: string]: unknown;
};

/** A message as Python's Session builds it (ipykernel's replies and IOPub messages). */
function make(msgType: string, content: unknown, extra: Partial<Msg> = {}): Msg {
  const msgId = `c0ffee00-0000-4000-8000-${Math.random().toString(16).slice(2, 14).padEnd(12, "0")}_67890_1`;
  return {
    header: { msg_id: msgId, msg_type: msgType, username: "username", session: SESSION, date: "2024-05-01T12:00:00.234567Z", version: "5.3" },
    msg_id: msgId,
    msg_type: msgType,
    parent_header: { ...PARENT },
    metadata: {},
    content,
    ...extra,
  };
}

const LANGUAGE_INFO = {
  name: "python",
  version: "3.11.2",
  mimetype: "text/x-python",
  codemirror_mode: { name: "ipython", version: 3 },
  pygments_lexer: "ipython3",
  nbconvert_exporter: "python",
  file_extension: ".py",
};
const COMM_ID = "3f6a1d1e9c6b4f0e8a2d5b7c9e1f3a5b";

// Typed against ContentOf so the samples also check the content types.
const SAMPLES: { [K in KnownMessageType]: ContentOf<K> } = {
  execute_request: {
    code: "print('hi')",
    silent: false,
    store_history: true,
    user_expressions: { x: "1 + 1" },
    allow_stdin: true,
    stop_on_error: true,
  },
  execute_reply: {
    status: "ok",
    execution_count: 3,
    user_expressions: { x: { status: "ok", data: { "text/plain": "2" }, metadata: {} } },
    payload: [],
  },
  inspect_request: { code: "print", cursor_pos: 5, detail_level: 0 },
  inspect_reply: {
    status: "ok",
    found: true,
    data: { "text/plain": "Docstring:\nprint(value, ..., sep=' ', end='\\n')" },
    metadata: {},
  },
  complete_request: { code: "import o", cursor_pos: 8 },
  complete_reply: {
    status: "ok",
    matches: ["operator", "os"],
    cursor_start: 7,
    cursor_end: 8,
    metadata: { _jupyter_types_experimental: [{ start: 7, end: 8, text: "operator", type: "module", signature: "" }] },
  },
  history_request: { output: false, raw: true, hist_access_type: "tail", n: 10 },
  history_reply: {
    status: "ok",
    history: [
      [1, 1, "import os"],
      [1, 2, "os.getcwd()"],
    ],
  },
  is_complete_request: { code: "for i in range(3):" },
  is_complete_reply: { status: "incomplete", indent: "    " },
  comm_info_request: { target_name: "jupyter.widget" },
  comm_info_reply: { status: "ok", comms: { [COMM_ID]: { target_name: "jupyter.widget" } } },
  kernel_info_request: {},
  kernel_info_reply: {
    status: "ok",
    protocol_version: "5.3",
    implementation: "ipython",
    implementation_version: "8.5.0",
    language_info: LANGUAGE_INFO,
    banner: "Python 3.11.2 (main) \nType 'copyright', 'credits' or 'license' for more information\n",
    help_links: [{ text: "Python Reference", url: "https://docs.python.org/3.11" }],
    debugger: true,
  },
  connect_request: {},
  connect_reply: { status: "ok", shell_port: 53001, iopub_port: 53002, stdin_port: 53003, hb_port: 53005, control_port: 53004 },
  shutdown_request: { restart: false },
  shutdown_reply: { status: "ok", restart: false },
  comm_open: { comm_id: COMM_ID, target_name: "jupyter.widget", data: { state: { value: 5 }, buffer_paths: [] }, target_module: null },
  comm_msg: { comm_id: COMM_ID, data: { method: "update", state: { value: 6 }, buffer_paths: [] } },
  comm_close: { comm_id: COMM_ID, data: {} },
  interrupt_request: {},
  interrupt_reply: { status: "ok" },
  debug_request: { seq: 1, type: "request", command: "initialize", arguments: { clientID: "jupyterlab", adapterID: "python" } },
  debug_reply: { seq: 3, type: "response", request_seq: 1, success: true, command: "initialize", body: { supportsConfigurationDoneRequest: true } },
  create_subshell_request: {},
  create_subshell_reply: { status: "ok", subshell_id: "6e2f1b0c-4a3d-4f5e-8b9a-0c1d2e3f4a5b" },
  delete_subshell_request: { subshell_id: "6e2f1b0c-4a3d-4f5e-8b9a-0c1d2e3f4a5b" },
  delete_subshell_reply: { status: "ok" },
  list_subshell_request: {},
  list_subshell_reply: { status: "ok", subshell_id: ["6e2f1b0c-4a3d-4f5e-8b9a-0c1d2e3f4a5b"] },
  stream: { name: "stdout", text: "hi\n" },
  display_data: { data: { "text/plain": "<Figure size 640x480>", "image/png": "iVBORw0KGgo=" }, metadata: {}, transient: {} },
  update_display_data: { data: { "text/plain": "50%" }, metadata: {}, transient: { display_id: "progress-1" } },
  execute_input: { code: "print('hi')", execution_count: 3 },
  execute_result: { data: { "text/plain": "2" }, metadata: {}, execution_count: 3 },
  error: {
    ename: "ZeroDivisionError",
    evalue: "division by zero",
    traceback: [
      "\u001b[0;31m---------------------------------------------------------------------------\u001b[0m",
      "\u001b[0;31mZeroDivisionError\u001b[0m                         Traceback (most recent call last)",
      "Cell \u001b[0;32mIn[3], line 1\u001b[0m\n\u001b[0;32m----> 1\u001b[0m \u001b[38;5;241;43m1\u001b[39;49m\u001b[38;5;241;43m/\u001b[39;49m\u001b[38;5;241;43m0\u001b[39;49m\n",
      "\u001b[0;31mZeroDivisionError\u001b[0m: division by zero",
    ],
  },
  status: { execution_state: "busy" },
  clear_output: { wait: true },
  debug_event: { seq: 12, type: "event", event: "stopped", body: { reason: "breakpoint", threadId: 1, allThreadsStopped: true } },
  iopub_welcome: { subscription: "" },
  input_request: { prompt: "Name: ", password: false },
  input_reply: { value: "Ada" },
};

const sample = (t: KnownMessageType, extra: Partial<Msg> = {}): Msg => make(t, structuredClone(SAMPLES[t]), extra);

function invalid(msg: unknown, options?: Parameters<typeof validateMessage>[1]): MessageValidationError {
  try {
    validateMessage(msg, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MessageValidationError);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toBeInstanceOf(JupyterTsError);
    const e = error as MessageValidationError;
    expect(e.code).toBe("ERR_INVALID_MESSAGE");
    expect(e.name).toBe("MessageValidationError");
    return e;
  }
  throw new Error(`expected ${JSON.stringify(msg)?.slice(0, 200)} to be invalid`);
}

/** Checks the field and that the message names it. */
function expectInvalid(msg: unknown, field: string, options?: Parameters<typeof validateMessage>[1]): MessageValidationError {
  const error = invalid(msg, options);
  expect(error.field).toBe(field);
  expect(error.message).toContain(field);
  return error;
}

const types = Object.keys(SAMPLES) as KnownMessageType[];

describe("validateMessage: valid messages", () => {
  it("has a sample for every known message type", () => {
    expect([...types].sort()).toEqual(Object.keys(MESSAGE_CHANNELS).sort());
  });

  it.each(types)("accepts a realistic %s on each of its channels", (type) => {
    const msg = sample(type);
    expect(validateMessage(msg)).toBe(msg);
    for (const channel of MESSAGE_CHANNELS[type]) expect(validateMessage(msg, { channel, strict: true })).toBe(msg);
    expect(isValidMessage(msg)).toBe(true);
  });

  it("accepts messages as JupyterLab sends them: no top-level copies, a channel, empty parent", () => {
    const msg = {
      header: { msg_id: "a1b2", msg_type: "kernel_info_request", username: "", session: "s", date: "", version: "5.2" },
      parent_header: {},
      metadata: {},
      content: {},
      channel: "shell",
      buffers: [],
    };
    expect(validateMessage(msg)).toBe(msg);
  });

  it("accepts buffers as any ArrayBuffer or view", () => {
    const buffers = [new Uint8Array([1, 2]), new ArrayBuffer(3), new DataView(new ArrayBuffer(1)), new Float64Array(2)];
    expect(isValidMessage(sample("comm_msg", { buffers }))).toBe(true);
  });

  it("allows a missing date or version unless strict (protocol 4 peers omit version)", () => {
    const msg = sample("status");
    delete msg.header["version"];
    delete msg.header["date"];
    expect(isValidMessage(msg)).toBe(true);
    expectInvalid(msg, "header.date", { strict: true });
    msg.header["date"] = PARENT.date;
    expectInvalid(msg, "header.version", { strict: true });
  });

  it("accepts a subshell_id that is a string, null or absent", () => {
    expect(isValidMessage(sample("execute_request", { header: { ...sample("execute_request").header, subshell_id: "sub-1" } }))).toBe(true);
    expect(isValidMessage(sample("execute_request", { header: { ...sample("execute_request").header, subshell_id: null } }))).toBe(true);
  });

  it("accepts lenient parent headers: empty, or just an id", () => {
    expect(isValidMessage(sample("status", { parent_header: {} }))).toBe(true);
    expect(isValidMessage(sample("status", { parent_header: { msg_id: "x" } }))).toBe(true);
  });

  it("accepts the optional fields real peers leave out", () => {
    const bash = sample("kernel_info_reply");
    bash.content = {
      status: "ok",
      protocol_version: "5.0",
      implementation: "bash_kernel",
      implementation_version: "0.7.2",
      language_info: { name: "bash", codemirror_mode: "shell", mimetype: "text/x-sh", file_extension: ".sh" },
      banner: "Bash kernel",
    };
    expect(isValidMessage(bash)).toBe(true);
    expect(isValidMessage(make("connect_reply", { status: "ok" }))).toBe(true);
    expect(isValidMessage(make("debug_reply", {}))).toBe(true);
    expect(isValidMessage(make("interrupt_reply", {}))).toBe(true);
    expect(isValidMessage(make("execute_request", { code: "1", silent: true }))).toBe(true);
    expect(isValidMessage(make("display_data", { data: {}, metadata: {} }))).toBe(true);
    expect(isValidMessage(make("comm_info_request", {}))).toBe(true);
    expect(isValidMessage(make("history_request", { output: true, raw: false, hist_access_type: "range", session: -1, start: 1, stop: 5 }))).toBe(true);
    expect(isValidMessage(make("history_request", { output: false, raw: false, hist_access_type: "search", pattern: "imp*", unique: true }))).toBe(true);
    expect(isValidMessage(make("history_reply", { status: "ok", history: [[1, 1, ["1 + 1", "2"]]] }))).toBe(true);
    expect(isValidMessage(make("is_complete_reply", { status: "invalid" }))).toBe(true);
  });

  it("accepts execution states servers add", () => {
    for (const state of ["idle", "starting", "dead", "restarting", "autorestarting"]) {
      expect(isValidMessage(make("status", { execution_state: state }))).toBe(true);
    }
  });

  it("accepts unicode everywhere", () => {
    const msg = make("execute_request", { code: "print('héllo 🌍 世界')  # ｃｏｍｍｅｎｔ", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    msg.header["username"] = "José 山田";
    expect(validateMessage(msg)).toBe(msg);
    expect(isValidMessage(make("stream", { name: "stderr", text: "⚠️ Ünïcödé\u2028line\n" }))).toBe(true);
    expect(isValidMessage(make("comm_info_reply", { status: "ok", comms: { "ид-🙂": { target_name: "目标" } } }))).toBe(true);
  });
});

describe("validateMessage: non-objects", () => {
  it.each([
    [null, "got null"],
    ["execute_request", 'got "execute_request"'],
    [[], "got []"],
    [[1, "a"], 'got [1,"a"]'],
    [42, "got 42"],
    [undefined, "got undefined"],
  ])("rejects %j, saying what it got", (value, got) => {
    const error = invalid(value);
    expect(error.field).toBe("");
    expect(error.message).toBe(`message must be an object, ${got}`);
  });

  it("rejects non-object parts", () => {
    expect(expectInvalid({ ...sample("status"), header: undefined }, "header").message).toBe(
      "header must be an object, but it is missing",
    );
    expectInvalid({ ...sample("status"), header: "h" }, "header");
    expectInvalid(sample("status", { parent_header: null as never }), "parent_header");
    expectInvalid(sample("status", { metadata: [] as never }), "metadata");
    expect(expectInvalid(make("status", null), "content").message).toBe("content of status must be an object, got null");
    expectInvalid(make("status", [1]), "content");
  });
});

describe("validateMessage: header", () => {
  it.each([
    ["msg_id", ""],
    ["msg_id", 42],
    ["msg_id", undefined],
    ["msg_type", ""],
    ["msg_type", undefined],
    ["session", undefined],
    ["session", null],
    ["username", undefined],
    ["username", 7],
    ["date", 1714564800000],
    ["version", 5.3],
    ["subshell_id", 5],
  ])("rejects header.%s = %j", (key, value) => {
    const msg = sample("status");
    if (value === undefined) delete msg.header[key];
    else msg.header[key] = value;
    const error = expectInvalid(msg, `header.${key}`);
    expect(error.message).toContain(value === undefined ? "missing" : String(JSON.stringify(value)));
  });

  it("gives a readable message", () => {
    const msg = sample("status");
    msg.header["msg_id"] = 42;
    expect(invalid(msg).message).toBe("header.msg_id must be a non-empty string, got 42");
  });

  it("checks a non-empty parent header as a header, leniently", () => {
    expectInvalid(sample("status", { parent_header: { msg_type: "execute_request" } }), "parent_header.msg_id");
    expectInvalid(sample("status", { parent_header: { ...PARENT, msg_id: 5 } }), "parent_header.msg_id");
    expectInvalid(sample("status", { parent_header: { ...PARENT, date: new Date() } }), "parent_header.date");
  });

  it("checks buffers and the top-level copies", () => {
    expectInvalid(sample("comm_msg", { buffers: "abc" }), "buffers");
    expect(expectInvalid(sample("comm_msg", { buffers: [new Uint8Array(1), [1, 2]] }), "buffers[1]").message).toContain("[1,2]");
    expectInvalid(sample("comm_msg", { msg_type: 3 }), "msg_type");
    expectInvalid(sample("comm_msg", { msg_id: null }), "msg_id");
    expectInvalid(sample("comm_msg", { channel: "heartbeat" }), "channel");
  });
});

describe("validateMessage: content", () => {
  it("names the field, the type, the value and what was expected", () => {
    const error = invalid(make("complete_request", { code: "import o", cursor_pos: "3" }));
    expect(error.field).toBe("content.cursor_pos");
    expect(error.message).toBe('content.cursor_pos of complete_request must be a non-negative integer, got "3"');
    expect(invalid(make("complete_request", { code: "x" })).message).toBe(
      "content.cursor_pos of complete_request must be a non-negative integer, but it is missing",
    );
  });

  it.each<[KnownMessageType, string, (c: Record<string, unknown>) => void]>([
    ["execute_request", "content.code", (c) => delete c["code"]],
    ["execute_request", "content.silent", (c) => (c["silent"] = "no")],
    ["execute_request", "content.user_expressions.x", (c) => (c["user_expressions"] = { x: 1 })],
    ["complete_request", "content.cursor_pos", (c) => (c["cursor_pos"] = -1)],
    ["inspect_request", "content.cursor_pos", (c) => (c["cursor_pos"] = 1.5)],
    ["inspect_request", "content.detail_level", (c) => (c["detail_level"] = 2)],
    ["complete_reply", "content.matches[1]", (c) => (c["matches"] = ["a", 1])],
    ["execute_reply", "content.user_expressions", (c) => delete c["user_expressions"]],
    ["execute_reply", "content.payload[0].source", (c) => (c["payload"] = [{ data: {} }])],
    ["error", "content.traceback[2]", (c) => ((c["traceback"] as unknown[])[2] = 3)],
    ["error", "content.evalue", (c) => delete c["evalue"]],
    ["stream", "content.name", (c) => (c["name"] = "stdlog")],
    ["stream", "content.text", (c) => delete c["text"]],
    ["status", "content.execution_state", (c) => (c["execution_state"] = 3)],
    ["status", "content.execution_state", (c) => delete c["execution_state"]],
    ["history_request", "content.hist_access_type", (c) => (c["hist_access_type"] = "all")],
    ["history_request", "content.hist_access_type", (c) => delete c["hist_access_type"]],
    ["history_request", "content.n", (c) => (c["n"] = "10")],
    ["history_reply", "content.history[0]", (c) => (c["history"] = ["x"])],
    ["is_complete_reply", "content.indent", (c) => delete c["indent"]],
    ["is_complete_reply", "content.status", (c) => (c["status"] = "maybe")],
    ["kernel_info_reply", "content.language_info.name", (c) => delete (c["language_info"] as Record<string, unknown>)["name"]],
    ["kernel_info_reply", "content.help_links[0].url", (c) => (c["help_links"] = [{ text: "Docs" }])],
    ["kernel_info_reply", "content.supported_features", (c) => (c["supported_features"] = "kernel subshells")],
    ["kernel_info_reply", "content.protocol_version", (c) => delete c["protocol_version"]],
    ["comm_info_reply", `content.comms["${COMM_ID}"].target_name`, (c) => (c["comms"] = { [COMM_ID]: {} })],
    ["comm_info_reply", 'content.comms["a-b"].target_name', (c) => (c["comms"] = { "a-b": { target_name: 1 } })],
    ["comm_open", "content.target_name", (c) => delete c["target_name"]],
    ["comm_msg", "content.data", (c) => (c["data"] = "x")],
    ["comm_close", "content.comm_id", (c) => delete c["comm_id"]],
    ["display_data", "content.transient.display_id", (c) => (c["transient"] = { display_id: 1 })],
    ["update_display_data", "content.transient", (c) => delete c["transient"]],
    ["update_display_data", "content.transient.display_id", (c) => (c["transient"] = {})],
    ["execute_result", "content.execution_count", (c) => delete c["execution_count"]],
    ["execute_input", "content.execution_count", (c) => (c["execution_count"] = null)],
    ["clear_output", "content.wait", (c) => (c["wait"] = 1)],
    ["shutdown_request", "content.restart", (c) => delete c["restart"]],
    ["debug_request", "content.type", (c) => (c["type"] = "event")],
    ["debug_event", "content.event", (c) => delete c["event"]],
    ["delete_subshell_request", "content.subshell_id", (c) => delete c["subshell_id"]],
    ["list_subshell_reply", "content.subshell_id", (c) => (c["subshell_id"] = "one")],
    ["input_request", "content.password", (c) => delete c["password"]],
    ["input_reply", "content.value", (c) => (c["value"] = null)],
    ["iopub_welcome", "content.subscription", (c) => delete c["subscription"]],
  ])("rejects a bad %s at %s", (type, field, mutate) => {
    const msg = sample(type);
    mutate(msg.content as Record<string, unknown>);
    const error = expectInvalid(msg, field);
    expect(error.message).toContain(` of ${type} must be `);
  });

  it("lists the allowed values of an enum", () => {
    expect(invalid(make("stream", { name: "stdlog", text: "" })).message).toBe(
      'content.name of stream must be one of "stdout", "stderr", got "stdlog"',
    );
  });
});

describe("validateMessage: reply status", () => {
  const error = { status: "error", ename: "NameError", evalue: "name 'x' is not defined", traceback: ["Traceback...", "NameError: name 'x' is not defined"] };

  it("accepts error replies with ename, evalue and traceback (and ipykernel's extras)", () => {
    expect(isValidMessage(make("execute_reply", { ...error, execution_count: 4, user_expressions: {}, payload: [], engine_info: {} }))).toBe(true);
    expect(isValidMessage(make("inspect_reply", error))).toBe(true);
    expect(isValidMessage(make("kernel_info_reply", error))).toBe(true);
    expect(isValidMessage(make("create_subshell_reply", error))).toBe(true);
  });

  it("requires the error fields on error replies, and not the ok ones", () => {
    expectInvalid(make("execute_reply", { ...error, traceback: undefined }), "content.traceback");
    expectInvalid(make("execute_reply", { ...error, ename: 1 }), "content.ename");
    expectInvalid(make("execute_reply", { ...error, traceback: ["a", null] }), "content.traceback[1]");
    expectInvalid(make("execute_reply", { ...error, execution_count: "4" }), "content.execution_count");
  });

  it("accepts bare aborted replies, as ipykernel sends for a queue it drops", () => {
    for (const type of ["execute_reply", "complete_reply", "inspect_reply", "history_reply", "is_complete_reply", "comm_info_reply"]) {
      expect(isValidMessage(make(type, { status: "aborted" }))).toBe(true);
    }
  });

  it("requires a known status", () => {
    expect(invalid(make("execute_reply", { execution_count: 1, user_expressions: {} })).message).toBe(
      'content.status of execute_reply must be one of "ok", "error", "aborted", but it is missing',
    );
    expectInvalid(make("execute_reply", { status: "abort" }), "content.status");
    expectInvalid(make("shutdown_reply", { status: "OK", restart: false }), "content.status");
    expectInvalid(make("interrupt_reply", { status: "done" }), "content.status");
  });

  it("requires the ok fields on ok replies", () => {
    expectInvalid(make("shutdown_reply", { status: "ok" }), "content.restart");
    expectInvalid(make("create_subshell_reply", { status: "ok" }), "content.subshell_id");
    expectInvalid(make("inspect_reply", { status: "ok", found: false, data: {} }), "content.metadata");
  });
});

describe("validateMessage: channels and unknown types", () => {
  it("rejects a known type on a channel it may not use", () => {
    const error = expectInvalid(sample("execute_request"), "channel", { channel: "iopub" });
    expect(error.message).toBe('channel of execute_request must be "shell", got "iopub"');
    expect(invalid(sample("comm_msg"), { channel: "control" }).message).toContain('one of "shell", "iopub"');
    expectInvalid(sample("input_request"), "channel", { channel: "shell" });
    expectInvalid(sample("debug_request"), "channel", { channel: "shell" });
  });

  it("allows every channel a type lists", () => {
    expect(isValidMessage(sample("kernel_info_request"), { channel: "control" })).toBe(true);
    expect(isValidMessage(sample("comm_msg"), { channel: "shell" })).toBe(true);
    expect(isValidMessage(sample("comm_msg"), { channel: "iopub" })).toBe(true);
    expect(isValidMessage(sample("shutdown_reply"), { channel: "iopub" })).toBe(true);
  });

  it("passes unknown types with any object content, on any channel", () => {
    const usage = make("usage_reply", { hostname: "h", pid: 1, kernel_cpu: 0.5, host_virtual_memory: { total: 1 } });
    expect(validateMessage(usage, { channel: "control", strict: true })).toBe(usage);
    expect(isValidMessage(make("future_thing_request", {}), { channel: "stdin" })).toBe(true);
    // Old v4 type names are unknown too.
    expect(isValidMessage(make("pyout", { execution_count: "whatever" }))).toBe(true);
  });

  it("still checks the envelope of unknown types", () => {
    expectInvalid(make("usage_reply", "text"), "content");
    const msg = make("usage_reply", {});
    delete msg.header["session"];
    expectInvalid(msg, "header.session");
  });
});

describe("error messages", () => {
  it("shortens long values, without splitting a surrogate pair", () => {
    const message = invalid(make("complete_request", { code: "", cursor_pos: "🙂".repeat(200) })).message;
    const got = message.slice(message.indexOf("got ") + 4);
    expect(got.startsWith('"🙂🙂')).toBe(true);
    expect(got.endsWith("…")).toBe(true);
    expect(got.length).toBeLessThanOrEqual(62);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(got)).toBe(false);
  });

  it("shortens big objects and arrays", () => {
    const big = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`key${i}`, "x".repeat(100)]));
    const message = invalid(make("complete_request", { code: "", cursor_pos: big })).message;
    expect(message.length).toBeLessThan(160);
    expect(message).toContain('got {"key0":');
    expect(invalid(make("complete_request", { code: "", cursor_pos: new Array(10_000).fill(1) })).message).toMatch(/got \[1,1,.*…$/);
    expect(invalid(make("complete_request", { code: "", cursor_pos: new Uint8Array(5) })).message).toContain("got Uint8Array(5 bytes)");
  });
});

describe("isValidMessage", () => {
  it("is true or false, and lets other errors through", () => {
    expect(isValidMessage(sample("execute_request"))).toBe(true);
    expect(isValidMessage(null)).toBe(false);
    expect(isValidMessage(make("stream", { name: "stdout" }))).toBe(false);
    const hostile = sample("status");
    Object.defineProperty(hostile, "content", {
      get() {
        throw new RangeError("boom");
      },
    });
    expect(() => isValidMessage(hostile)).toThrow(RangeError);
  });

  it("narrows the type", () => {
    const value: unknown = sample("status");
    if (isValidMessage(value)) expect(value.header.msg_type).toBe("status");
    else expect.unreachable();
  });

  it("honours the channel and strict options", () => {
    expect(isValidMessage(sample("status"), { channel: "shell" })).toBe(false);
    const msg = sample("status");
    delete msg.header["date"];
    expect(isValidMessage(msg, { strict: true })).toBe(false);
  });
});
