/**
 * Converts messages between protocol major versions 4 and 5, with every
 * conversion Python's `jupyter_client.adapter` makes, so old kernels and old
 * frontends keep working. Positions and lengths count Unicode code points,
 * as Python strings do.
 */
import { formatDate } from "./header.js";
import type { JupyterMessage } from "./messages.js";

type Obj = Record<string, unknown>;
type Msg = { header: Obj; parent_header: Obj; metadata: Obj; content: Obj; msg_type?: unknown; [key: string]: unknown };
type Handler = (msg: Msg) => void;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const cpLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
const cpSlice = (s: string, start: number, end?: number): string => Array.from(s).slice(start, end).join("");

// Python's str.splitlines(keepends=True) boundaries, which include the
// file/group/record separators.
// eslint-disable-next-line no-control-regex
const LINE = /[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/gu;
function splitLinesKeepEnds(code: string): string[] {
  const lines: string[] = [];
  for (const m of code.matchAll(LINE)) if (m[0] !== "") lines.push(m[0]);
  return lines;
}

/** The line of a code block that holds the cursor, and the cursor within it. */
export function codeToLine(code: string, cursorPos: number): [line: string, cursorPos: number] {
  if (!code) return ["", 0];
  let line = "";
  for (line of splitLinesKeepEnds(code)) {
    const n = cpLength(line);
    if (cursorPos > n) cursorPos -= n;
    else break;
  }
  return [line, cursorPos];
}

/** The object name before the cursor, the way IPython 2's frontend found it (for v4 `object_info_request`). */
export function extractOnameV4(code: string, cursorPos: number): string {
  let [line] = codeToLine(code, cursorPos);
  let old: string;
  do {
    old = line;
    line = line.replace(/\([^()]+\)/gu, "");
  } while (old !== line);
  line = line.replace(/\([^(]*$/u, "");
  const matches = line.match(/[a-z_][0-9a-z._]*/giu);
  return matches ? (matches[matches.length - 1] ?? "") : "";
}

// json.dumps with Python's defaults (", " and ": " separators, non-ASCII
// escaped), so a v4 peer sees the text Python's adapter would give it.
function pythonJsonDumps(value: unknown): string {
  const ascii = (text: string): string =>
    text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const walk = (v: unknown): string | undefined => {
    if (Array.isArray(v)) return `[${v.map((item) => walk(item) ?? "null").join(", ")}]`;
    if (isObj(v)) {
      if (typeof v["toJSON"] === "function") return walk((v["toJSON"] as () => unknown)());
      const items: string[] = [];
      for (const [key, item] of Object.entries(v)) {
        const text = walk(item);
        if (text !== undefined) items.push(`${ascii(JSON.stringify(key))}: ${text}`);
      }
      return `{${items.join(", ")}}`;
    }
    const text = JSON.stringify(v);
    return text === undefined ? undefined : ascii(text);
  };
  const out = walk(value);
  if (out === undefined) throw new TypeError(`${typeof value} is not JSON serializable`);
  return out;
}

function versionList(version: unknown): number[] {
  if (typeof version !== "string") return [];
  return version
    .split(".")
    .filter((part) => /^\s*[+-]?\d+\s*$/.test(part))
    .map((part) => Number.parseInt(part, 10));
}
const versionString = (v: unknown): unknown => (Array.isArray(v) ? v.map(String).join(".") : v);

const V5_TO_V4_TYPES: Record<string, string> = {
  execute_result: "pyout",
  execute_input: "pyin",
  error: "pyerr",
  inspect_request: "object_info_request",
  inspect_reply: "object_info_reply",
};
const V4_TO_V5_TYPES: Record<string, string> = Object.fromEntries(
  Object.entries(V5_TO_V4_TYPES).map(([v5, v4]) => [v4, v5]),
);

const toV4: Record<string, Handler> = {
  kernel_info_reply(msg) {
    const c = msg.content;
    const v4: Obj = {};
    for (const key of ["language_version", "protocol_version"]) if (key in c) v4[key] = versionList(c[key]);
    if ((c["implementation"] ?? "") === "ipython" && "implementation_version" in c) {
      v4["ipython_version"] = versionList(c["implementation_version"]);
    }
    const info = isObj(c["language_info"]) ? c["language_info"] : {};
    if (!("language" in v4)) v4["language"] = info["name"] ?? "";
    if ("version" in info && !("language_version" in v4)) v4["language_version"] = versionList(info["version"]);
    msg.content = v4;
  },
  execute_request(msg) {
    if (!("user_variables" in msg.content)) msg.content["user_variables"] = [];
  },
  execute_reply(msg) {
    if (!("user_variables" in msg.content)) msg.content["user_variables"] = {};
  },
  complete_request(msg) {
    const [line, cursor] = codeToLine(String(msg.content["code"] ?? ""), Number(msg.content["cursor_pos"] ?? 0));
    msg.content = { text: "", line, block: null, cursor_pos: cursor };
  },
  complete_reply(msg) {
    const c = msg.content;
    const matchLen = Number(c["cursor_end"]) - Number(c["cursor_start"]);
    delete c["cursor_start"];
    delete c["cursor_end"];
    const first = Array.isArray(c["matches"]) ? c["matches"][0] : undefined;
    c["matched_text"] = typeof first === "string" ? cpSlice(first, 0, Math.max(0, matchLen)) : "";
    delete c["metadata"];
  },
  object_info_request(msg) {
    const code = String(msg.content["code"] ?? "");
    msg.content = {
      oname: extractOnameV4(code, Number(msg.content["cursor_pos"] ?? 0)),
      detail_level: msg.content["detail_level"],
    };
  },
  object_info_reply(msg) {
    // No faithful v4 form exists for a v5 inspect_reply.
    msg.content = { found: false, oname: "unknown" };
  },
  stream(msg) {
    msg.content["data"] = msg.content["text"];
    delete msg.content["text"];
  },
  display_data(msg) {
    const c = msg.content;
    if (!("source" in c)) c["source"] = "display";
    const data = c["data"];
    if (isObj(data) && "application/json" in data) {
      try {
        data["application/json"] = pythonJsonDumps(data["application/json"]);
      } catch {
        // Left as it is, as Python does with what it cannot encode.
      }
    }
  },
  input_request(msg) {
    delete msg.content["password"];
  },
};

const toV5: Record<string, Handler> = {
  kernel_info_reply(msg) {
    const c = msg.content;
    for (const key of ["protocol_version", "ipython_version"]) if (key in c) c[key] = versionString(c[key]);
    if (!("protocol_version" in c)) c["protocol_version"] = "4.1";
    const language = typeof c["language"] === "string" ? c["language"] : "";
    if (language.startsWith("python") && "ipython_version" in c) {
      c["implementation"] = "ipython";
      c["implementation_version"] = c["ipython_version"];
      delete c["ipython_version"];
    }
    delete c["language"];
    const info = isObj(c["language_info"]) ? c["language_info"] : (c["language_info"] = {});
    if (!("name" in info)) info["name"] = language;
    if ("language_version" in c) {
      const version = versionString(c["language_version"]);
      delete c["language_version"];
      if (!("version" in info)) info["version"] = version;
    }
    c["banner"] = "";
  },
  execute_request(msg) {
    const c = msg.content;
    const vars = Array.isArray(c["user_variables"]) ? c["user_variables"] : [];
    delete c["user_variables"];
    const exprs = isObj(c["user_expressions"]) ? c["user_expressions"] : (c["user_expressions"] = {});
    for (const v of vars) exprs[String(v)] = v;
  },
  execute_reply(msg) {
    const c = msg.content;
    const exprs = isObj(c["user_expressions"]) ? c["user_expressions"] : (c["user_expressions"] = {});
    const vars = c["user_variables"];
    delete c["user_variables"];
    if (isObj(vars)) Object.assign(exprs, vars);
    // Pager payloads became MIME bundles in v5.
    for (const payload of Array.isArray(c["payload"]) ? c["payload"] : []) {
      if (isObj(payload) && payload["source"] === "page" && "text" in payload) {
        const data = isObj(payload["data"]) ? payload["data"] : (payload["data"] = {});
        data["text/plain"] = payload["text"];
        delete payload["text"];
      }
    }
  },
  complete_request(msg) {
    msg.content = { code: msg.content["line"], cursor_pos: msg.content["cursor_pos"] };
  },
  complete_reply(msg) {
    // v4 replies lack the context for absolute positions: end=null means
    // "at the cursor", start is negative from it, null when start == end.
    const c = msg.content;
    const matched = typeof c["matched_text"] === "string" ? c["matched_text"] : "";
    msg.content = {
      status: "ok",
      matches: c["matches"],
      cursor_start: matched ? -cpLength(matched) : null,
      cursor_end: null,
      metadata: {},
    };
  },
  inspect_request(msg) {
    const name = String(msg.content["oname"] ?? "");
    msg.content = { code: name, cursor_pos: cpLength(name), detail_level: msg.content["detail_level"] };
  },
  inspect_reply(msg) {
    const c = msg.content;
    const found = c["found"];
    const data: Obj = {};
    msg.content = { status: "ok", found, data, metadata: {} };
    if (found) {
      const lines: unknown[] = [];
      const firstOf = (keys: string[]): void => {
        const key = keys.find((k) => c[k]);
        if (key) lines.push(c[key]);
      };
      firstOf(["call_def", "init_definition", "definition"]);
      firstOf(["call_docstring", "init_docstring", "docstring"]);
      if (lines.length === 0) lines.push("<empty docstring>");
      data["text/plain"] = lines.join("\n");
    }
  },
  stream(msg) {
    msg.content["text"] = msg.content["data"];
    delete msg.content["data"];
  },
  display_data(msg) {
    const c = msg.content;
    delete c["source"];
    const data = c["data"];
    if (isObj(data) && typeof data["application/json"] === "string") {
      try {
        data["application/json"] = JSON.parse(data["application/json"]);
      } catch {
        // Not JSON after all: keep the text.
      }
    }
  },
  input_request(msg) {
    if (!("password" in msg.content)) msg.content["password"] = false;
  },
};

/** The major protocol version of a message: from `header.version`, else 4 (v4 headers had none). */
export function messageMajorVersion(msg: { header: { version?: unknown } }): number {
  const version = msg.header.version;
  if (typeof version !== "string") return 4;
  const major = Number.parseInt(version.split(".")[0] ?? "", 10);
  return Number.isNaN(major) ? 4 : major;
}

function copyForAdapting(msg: JupyterMessage): Msg {
  // Adapters rewrite header, parent and content in place: work on copies so
  // the caller's message stays as it was.
  return {
    ...msg,
    header: { ...msg.header },
    parent_header: { ...msg.parent_header },
    metadata: msg.metadata,
    content: structuredClone(msg.content) as Obj,
  };
}

/**
 * Adapts a message to another major protocol version (4 or 5). A message
 * already at that version comes back as it is (given a `date` if it had
 * none, as Python does). Never modifies its argument.
 *
 * @example
 * adapt(v4PyoutMessage, 5).header.msg_type; // "execute_result"
 */
export function adapt<M extends JupyterMessage>(msg: M, toVersion: 4 | 5 = 5): M {
  const from = messageMajorVersion(msg);
  const hasDate = "date" in msg.header;
  const plan =
    from === 5 && toVersion === 4
      ? { types: V5_TO_V4_TYPES, handlers: toV4 }
      : from === 4 && toVersion === 5
        ? { types: V4_TO_V5_TYPES, handlers: toV5 }
        : undefined;
  if (!plan) {
    return hasDate ? msg : ({ ...msg, header: { ...msg.header, date: formatDate(new Date()) } } as M);
  }
  const out = copyForAdapting(msg);
  if (!hasDate) out.header["date"] = formatDate(new Date());
  if (toVersion === 4) {
    delete out.header["version"];
    delete out.parent_header["version"];
  } else {
    out.header["version"] = "5.0";
    if (Object.keys(out.parent_header).length > 0) out.parent_header["version"] = "5.0";
  }
  const oldType = String(out.header["msg_type"]);
  const newType = plan.types[oldType];
  if (newType !== undefined) out.header["msg_type"] = out.msg_type = newType;
  const handler = plan.handlers[String(out.header["msg_type"])];
  const status = out.content["status"];
  // Error and aborted replies pass unchanged (besides header and type).
  if (handler && status !== "error" && status !== "aborted") handler(out);
  return out as unknown as M;
}

