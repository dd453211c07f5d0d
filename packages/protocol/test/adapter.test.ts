import { describe, expect, it } from "vitest";
import { adapt, codeToLine, extractOnameV4, messageMajorVersion, msgHeader, type JupyterMessage } from "../src/index.js";

const v5 = (msgType: string, content: Record<string, unknown>): JupyterMessage =>
  ({ header: msgHeader(msgType, { session: "s", username: "u" }), parent_header: {}, metadata: {}, content }) as JupyterMessage;
const v4 = (msgType: string, content: Record<string, unknown>): JupyterMessage => {
  const m = v5(msgType, content);
  delete (m.header as Partial<typeof m.header>).version;
  return m;
};

describe("adapt", () => {
  it("leaves messages of the target version alone and never mutates its argument", () => {
    const m = v5("execute_result", { data: {} });
    expect(adapt(m, 5)).toBe(m);
    const old = v4("pyout", { data: {} });
    const frozen = structuredClone(old);
    const out = adapt(old, 5);
    expect(old).toEqual(frozen);
    expect(out.header.msg_type).toBe("execute_result");
    expect(out.header.version).toBe("5.0");
    expect(messageMajorVersion(old)).toBe(4);
  });

  it("renames types both ways", () => {
    for (const [a, b] of [["execute_result", "pyout"], ["execute_input", "pyin"], ["error", "pyerr"], ["inspect_request", "object_info_request"]]) {
      expect(adapt(v5(a!, { code: "", cursor_pos: 0, detail_level: 0 }), 4).header.msg_type).toBe(b);
      expect(adapt(v4(b!, { oname: "x", detail_level: 0 }), 5).header.msg_type).toBe(a);
    }
  });

  it("converts streams, display data, input requests and completions", () => {
    expect(adapt(v5("stream", { name: "stdout", text: "hi" }), 4).content).toEqual({ name: "stdout", data: "hi" });
    expect(adapt(v4("stream", { name: "stdout", data: "hi" }), 5).content).toEqual({ name: "stdout", text: "hi" });
    expect(adapt(v5("display_data", { data: { "application/json": { a: 1 } }, metadata: {} }), 4).content).toEqual({
      data: { "application/json": '{"a": 1}' },
      metadata: {},
      source: "display",
    });
    expect(adapt(v4("display_data", { source: "x", data: { "application/json": '{"a":1}' }, metadata: {} }), 5).content).toEqual({
      data: { "application/json": { a: 1 } },
      metadata: {},
    });
    expect(adapt(v5("input_request", { prompt: ">", password: true }), 4).content).toEqual({ prompt: ">" });
    expect(adapt(v4("input_request", { prompt: ">" }), 5).content).toEqual({ prompt: ">", password: false });
    // Cursor positions count code points: the emoji is one.
    expect(adapt(v5("complete_request", { code: "a = 1\n🌍.x", cursor_pos: 9 }), 4).content).toEqual({ text: "", line: "🌍.x", block: null, cursor_pos: 3 });
    expect(adapt(v5("complete_reply", { status: "ok", matches: ["🌍abc"], cursor_start: 2, cursor_end: 4, metadata: {} }), 4).content).toEqual({
      status: "ok",
      matches: ["🌍abc"],
      matched_text: "🌍a",
    });
    expect(adapt(v4("complete_reply", { matches: ["abc"], matched_text: "🌍a" }), 5).content).toEqual({ status: "ok", matches: ["abc"], cursor_start: -2, cursor_end: null, metadata: {} });
  });

  it("passes error replies through with only the header changed", () => {
    const err = v5("execute_reply", { status: "error", ename: "E", evalue: "v", traceback: [] });
    expect(adapt(err, 4).content).toEqual(err.content);
  });

  it("codeToLine and extractOnameV4 follow IPython 2", () => {
    expect(codeToLine("a\nbc\n", 3)).toEqual(["bc\n", 1]);
    expect(codeToLine("", 3)).toEqual(["", 0]);
    // Everything after the last open bracket goes, as in IPython 2.
    expect(extractOnameV4("foo(bar(1), baz.qux", 19)).toBe("foo");
    expect(extractOnameV4("a.b(c(1)).d", 11)).toBe("a.b.d");
    expect(extractOnameV4("x = np.array(", 13)).toBe("np.array");
  });
});
