/**
 * Structural run-time validation of messages.
 *
 * One table, `SCHEMAS`, describes the content of every known message
 * type. It insists only on what the spec requires and real peers (ipykernel
 * 6, jupyter_client 7/8, JupyterLab) always send; fields that peers may leave
 * out are checked only when present, and unknown message types pass with any
 * object content, so newer kernels keep working.
 */
import { MessageValidationError } from "./errors.js";
import type { Channel, JupyterMessage, KnownMessageType } from "./messages.js";
import { MESSAGE_CHANNELS } from "./messages.js";

/** Options of {@link validateMessage}. */
export interface ValidateOptions {
  /** The channel the message came in on (or goes out on); a known type must be allowed there. */
  channel?: Channel;
  /** Also require `header.date` and `header.version`, which protocol 4 peers leave out. */
  strict?: boolean;
}

// ---------------------------------------------------------------------------
// The schema language: a field name ending in "?" is optional.
// ---------------------------------------------------------------------------

type Prim =
  | "string"
  | "nonEmptyString"
  | "boolean"
  | "integer"
  | "count"
  | "object"
  | "array"
  | "stringOrNull"
  | "stringOrObject";

type Kind =
  | Prim
  /** One of these values. */
  | readonly (string | number)[]
  /** An array whose every element is of this kind. */
  | { readonly items: Kind }
  /** An object with these fields (others allowed). */
  | { readonly fields: Fields }
  /** An object whose every value is of this kind. */
  | { readonly values: Kind };

type Fields = { readonly [name: string]: Kind };

interface ContentSchema {
  readonly fields?: Fields;
  /** Further fields chosen by the value of `key`, which must be one of the cases. */
  readonly by?: { readonly key: string; readonly optional?: boolean; readonly cases: { readonly [value: string]: Fields } };
}

const ERROR_FIELDS: Fields = { ename: "string", evalue: "string", traceback: { items: "string" } };

/** A status reply: `ok` with `ok` fields, `error` with the error fields, `aborted` bare. */
function reply(ok: Fields = {}, error: Fields = {}, optional = false): ContentSchema {
  return { by: { key: "status", optional, cases: { ok, error: { ...ERROR_FIELDS, ...error }, aborted: {} } } };
}

const MIME_OUTPUT: Fields = { data: "object", metadata: "object", "transient?": { fields: { "display_id?": "string" } } };
const COMM: Fields = { comm_id: "string", data: "object" };

// Requests insist only on what a kernel cannot do without (ipykernel reads
// the rest with defaults); replies and IOPub on what the spec requires and
// ipykernel always sends.
const SCHEMAS: { readonly [K in KnownMessageType]: ContentSchema } = {
  execute_request: {
    fields: {
      code: "string",
      silent: "boolean",
      "store_history?": "boolean",
      "user_expressions?": { values: "string" },
      "allow_stdin?": "boolean",
      "stop_on_error?": "boolean",
    },
  },
  execute_reply: reply(
    {
      execution_count: "count",
      user_expressions: "object",
      "payload?": { items: { fields: { source: "string" } } },
    },
    { "execution_count?": "count" },
  ),
  inspect_request: { fields: { code: "string", cursor_pos: "count", "detail_level?": [0, 1] } },
  inspect_reply: reply({ found: "boolean", data: "object", metadata: "object" }),
  complete_request: { fields: { code: "string", cursor_pos: "count" } },
  complete_reply: reply({ matches: { items: "string" }, cursor_start: "count", cursor_end: "count", metadata: "object" }),
  history_request: {
    fields: { output: "boolean", raw: "boolean" },
    by: {
      key: "hist_access_type",
      cases: {
        range: { "session?": "integer", "start?": "integer", "stop?": "integer" },
        tail: { "n?": "count" },
        search: { "pattern?": "string", "unique?": "boolean", "n?": "count" },
      },
    },
  },
  history_reply: reply({ history: { items: "array" } }),
  is_complete_request: { fields: { code: "string" } },
  is_complete_reply: {
    by: { key: "status", cases: { complete: {}, incomplete: { indent: "string" }, invalid: {}, unknown: {}, aborted: {} } },
  },
  comm_info_request: { fields: { "target_name?": "string" } },
  comm_info_reply: reply({ comms: { values: { fields: { target_name: "string" } } } }),
  kernel_info_request: {},
  kernel_info_reply: reply({
    protocol_version: "string",
    implementation: "string",
    implementation_version: "string",
    // Only the name: simple kernels (bash_kernel, the wrapper-kernel example) leave out the version.
    language_info: {
      fields: {
        name: "string",
        "version?": "string",
        "mimetype?": "string",
        "file_extension?": "string",
        "pygments_lexer?": "string",
        "codemirror_mode?": "stringOrObject",
        "nbconvert_exporter?": "string",
      },
    },
    banner: "string",
    "debugger?": "boolean",
    "help_links?": { items: { fields: { text: "string", url: "string" } } },
    "supported_features?": { items: "string" },
  }),
  connect_request: {},
  connect_reply: reply({
    "shell_port?": "count",
    "iopub_port?": "count",
    "stdin_port?": "count",
    "hb_port?": "count",
    "control_port?": "count",
  }),
  shutdown_request: { fields: { restart: "boolean" } },
  shutdown_reply: reply({ restart: "boolean" }),
  comm_open: { fields: { ...COMM, target_name: "string", "target_module?": "stringOrNull" } },
  comm_msg: { fields: COMM },
  comm_close: { fields: COMM },
  interrupt_request: {},
  // ipykernel 6 echoes the request's empty content: no status.
  interrupt_reply: reply({}, {}, true),
  debug_request: { fields: { seq: "integer", type: ["request"], command: "string", "arguments?": "object" } },
  // `{}` from a kernel without a debugger.
  debug_reply: {
    fields: {
      "seq?": "integer",
      "type?": ["response"],
      "request_seq?": "integer",
      "success?": "boolean",
      "command?": "string",
      "message?": "string",
    },
  },
  create_subshell_request: {},
  create_subshell_reply: reply({ subshell_id: "string" }),
  delete_subshell_request: { fields: { subshell_id: "string" } },
  delete_subshell_reply: reply(),
  list_subshell_request: {},
  list_subshell_reply: reply({ subshell_id: { items: "string" } }),
  stream: { fields: { name: ["stdout", "stderr"], text: "string" } },
  display_data: { fields: MIME_OUTPUT },
  update_display_data: { fields: { ...MIME_OUTPUT, transient: { fields: { display_id: "string" } } } },
  execute_input: { fields: { code: "string", execution_count: "count" } },
  execute_result: { fields: { ...MIME_OUTPUT, execution_count: "count" } },
  error: { fields: ERROR_FIELDS },
  // An open set: servers add "dead", "restarting", "autorestarting".
  status: { fields: { execution_state: "string" } },
  clear_output: { fields: { wait: "boolean" } },
  debug_event: { fields: { seq: "integer", type: ["event"], event: "string" } },
  iopub_welcome: { fields: { subscription: "string" } },
  input_request: { fields: { prompt: "string", password: "boolean" } },
  input_reply: { fields: { value: "string" } },
};

// ---------------------------------------------------------------------------
// Compiled form: built once, so checking a message allocates nothing.
// ---------------------------------------------------------------------------

interface Node {
  readonly prim: Prim | undefined;
  readonly oneOf: readonly (string | number)[] | undefined;
  readonly items: Node | undefined;
  readonly fields: readonly Field[] | undefined;
  readonly values: Node | undefined;
  /** What the value should be, for error messages. */
  readonly expected: string;
}

interface Field {
  readonly name: string;
  readonly required: boolean;
  readonly node: Node;
}

interface CompiledSchema {
  readonly fields: readonly Field[];
  readonly key: string | undefined;
  readonly keyOptional: boolean;
  readonly cases: ReadonlyMap<string, readonly Field[]>;
  readonly keyExpected: string;
}

const PRIM_EXPECTED: { readonly [P in Prim]: string } = {
  string: "a string",
  nonEmptyString: "a non-empty string",
  boolean: "a boolean",
  integer: "an integer",
  count: "a non-negative integer",
  object: "an object",
  array: "an array",
  stringOrNull: "a string or null",
  stringOrObject: "a string or an object",
};

const oneOfText = (values: readonly (string | number)[]): string =>
  values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;

function compileKind(kind: Kind): Node {
  const node = { prim: undefined, oneOf: undefined, items: undefined, fields: undefined, values: undefined };
  if (typeof kind === "string") return { ...node, prim: kind, expected: PRIM_EXPECTED[kind] };
  if (isReadonlyArray(kind)) return { ...node, oneOf: kind, expected: oneOfText(kind) };
  if ("items" in kind) return { ...node, items: compileKind(kind.items), expected: "an array" };
  if ("fields" in kind) return { ...node, fields: compileFields(kind.fields), expected: "an object" };
  return { ...node, values: compileKind(kind.values), expected: "an object" };
}

// Array.isArray does not narrow readonly arrays out of a union.
const isReadonlyArray = (v: unknown): v is readonly (string | number)[] => Array.isArray(v);

function compileFields(fields: Fields): Field[] {
  return Object.entries(fields).map(([name, kind]) =>
    name.endsWith("?")
      ? { name: name.slice(0, -1), required: false, node: compileKind(kind) }
      : { name, required: true, node: compileKind(kind) },
  );
}

function compileSchema(schema: ContentSchema): CompiledSchema {
  const cases = new Map(Object.entries(schema.by?.cases ?? {}).map(([value, fields]) => [value, compileFields(fields)]));
  return {
    fields: compileFields(schema.fields ?? {}),
    key: schema.by?.key,
    keyOptional: schema.by?.optional ?? false,
    cases,
    keyExpected: oneOfText([...cases.keys()]),
  };
}

const COMPILED: ReadonlyMap<string, CompiledSchema> = new Map(
  Object.entries(SCHEMAS).map(([type, schema]) => [type, compileSchema(schema)]),
);

const HEADER_BASE: Fields = {
  msg_id: "nonEmptyString",
  msg_type: "nonEmptyString",
  username: "string",
  session: "string",
};
const HEADER_LENIENT = compileFields({ ...HEADER_BASE, "date?": "string", "version?": "string", "subshell_id?": "stringOrNull" });
const HEADER_STRICT = compileFields({ ...HEADER_BASE, date: "string", version: "string", "subshell_id?": "stringOrNull" });
// A parent header only needs its id to be matched up; the rest is checked when present.
const PARENT_HEADER = compileFields({
  msg_id: "nonEmptyString",
  "msg_type?": "string",
  "username?": "string",
  "session?": "string",
  "date?": "string",
  "version?": "string",
  "subshell_id?": "stringOrNull",
});
const CHANNEL_NAMES: readonly string[] = ["shell", "control", "iopub", "stdin"];

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function primOk(prim: Prim, v: unknown): boolean {
  switch (prim) {
    case "string":
      return typeof v === "string";
    case "nonEmptyString":
      return typeof v === "string" && v !== "";
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return Number.isInteger(v);
    case "count":
      return Number.isInteger(v) && (v as number) >= 0;
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "stringOrNull":
      return typeof v === "string" || v === null;
    case "stringOrObject":
      return typeof v === "string" || isObject(v);
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `base.key`, `base[3]` or `base["odd key"]`. */
function join(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function message(path: string, msgType: string | undefined, expected: string, value: unknown, present: boolean): string {
  const subject = msgType === undefined ? path : `${path} of ${msgType}`;
  return `${subject} must be ${expected}, ${present ? `got ${preview(value)}` : "but it is missing"}`;
}

function fail(path: string, msgType: string | undefined, expected: string, value: unknown, present = true): never {
  throw new MessageValidationError(path, message(path, msgType, expected, value, present));
}

/**
 * A failure deep inside a value, thrown up to the section being checked.
 * The path is collected on the way up (innermost key first), so the happy
 * path never builds one.
 */
class Failure {
  readonly keys: (string | number)[];
  constructor(
    key: string | number,
    readonly expected: string,
    readonly value: unknown,
    readonly present: boolean,
  ) {
    this.keys = [key];
  }
}

function within(error: unknown, key: string | number): unknown {
  if (error instanceof Failure) error.keys.push(key);
  return error;
}

/** Turns a {@link Failure} under `section` into the error the caller sees; passes other errors through. */
function report(error: unknown, section: string, msgType: string | undefined): unknown {
  if (!(error instanceof Failure)) return error;
  let path = section;
  for (let i = error.keys.length - 1; i >= 0; i--) path = join(path, error.keys[i] as string | number);
  return new MessageValidationError(path, message(path, msgType, error.expected, error.value, error.present));
}

function checkNode(value: unknown, node: Node, key: string | number): void {
  if (node.prim !== undefined) {
    if (!primOk(node.prim, value)) throw new Failure(key, node.expected, value, true);
    return;
  }
  if (node.oneOf !== undefined) {
    if (!node.oneOf.includes(value as string | number)) throw new Failure(key, node.expected, value, true);
    return;
  }
  if (node.items !== undefined) {
    if (!Array.isArray(value)) throw new Failure(key, node.expected, value, true);
    try {
      for (let i = 0; i < value.length; i++) checkNode(value[i], node.items, i);
    } catch (error) {
      throw within(error, key);
    }
    return;
  }
  if (!isObject(value)) throw new Failure(key, node.expected, value, true);
  try {
    if (node.fields !== undefined) checkFields(value, node.fields);
    else if (node.values !== undefined) {
      for (const k in value) if (Object.hasOwn(value, k)) checkNode(value[k], node.values, k);
    }
  } catch (error) {
    throw within(error, key);
  }
}

function checkFields(obj: Obj, fields: readonly Field[]): void {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as Field;
    const v = obj[field.name];
    if (v !== undefined) checkNode(v, field.node, field.name);
    else if (field.required) throw new Failure(field.name, field.node.expected, v, false);
  }
}

/** Checks the fields of `obj`, the part of the message named `section`. */
function checkSection(obj: Obj, fields: readonly Field[], section: string, msgType: string | undefined): void {
  try {
    checkFields(obj, fields);
  } catch (error) {
    throw report(error, section, msgType);
  }
}

function checkContent(content: Obj, schema: CompiledSchema, msgType: string): void {
  try {
    checkFields(content, schema.fields);
    if (schema.key === undefined) return;
    const value = content[schema.key];
    if (value === undefined) {
      if (!schema.keyOptional) throw new Failure(schema.key, schema.keyExpected, value, false);
      return;
    }
    const fields = typeof value === "string" ? schema.cases.get(value) : undefined;
    if (fields === undefined) throw new Failure(schema.key, schema.keyExpected, value, true);
    checkFields(content, fields);
  } catch (error) {
    throw report(error, "content", msgType);
  }
}

/**
 * Checks that a value has the structure of a Jupyter message and returns it,
 * typed. Header, parent header, metadata and buffers are checked for every
 * message; the content against its type's schema when the type is known.
 *
 * @throws MessageValidationError naming the dotted path of the first bad field.
 * @example
 * const msg = validateMessage(JSON.parse(text), { channel: "iopub" });
 */
export function validateMessage(msg: unknown, options?: ValidateOptions): JupyterMessage {
  if (!isObject(msg)) throw new MessageValidationError("", `message must be an object, got ${preview(msg)}`);

  const header = msg["header"];
  if (!isObject(header)) return fail("header", undefined, "an object", header, header !== undefined);
  checkSection(header, options?.strict ? HEADER_STRICT : HEADER_LENIENT, "header", undefined);
  const msgType = header["msg_type"] as string;

  const parent = msg["parent_header"];
  if (!isObject(parent)) return fail("parent_header", undefined, "an object", parent, parent !== undefined);
  for (const _ in parent) {
    checkSection(parent, PARENT_HEADER, "parent_header", undefined);
    break;
  }

  const metadata = msg["metadata"];
  if (!isObject(metadata)) return fail("metadata", undefined, "an object", metadata, metadata !== undefined);

  const content = msg["content"];
  if (!isObject(content)) return fail("content", msgType, "an object", content, content !== undefined);

  const buffers = msg["buffers"];
  if (buffers !== undefined) {
    if (!Array.isArray(buffers)) return fail("buffers", undefined, "an array", buffers);
    for (let i = 0; i < buffers.length; i++) {
      const b: unknown = buffers[i];
      if (!ArrayBuffer.isView(b) && !(b instanceof ArrayBuffer)) {
        fail(`buffers[${i}]`, undefined, "an ArrayBuffer or an ArrayBuffer view", b);
      }
    }
  }

  // The top-level copies Python's Session adds.
  if (msg["msg_id"] !== undefined && typeof msg["msg_id"] !== "string") fail("msg_id", undefined, "a string", msg["msg_id"]);
  if (msg["msg_type"] !== undefined && typeof msg["msg_type"] !== "string") {
    fail("msg_type", undefined, "a string", msg["msg_type"]);
  }
  const ownChannel = msg["channel"];
  if (ownChannel !== undefined && !CHANNEL_NAMES.includes(ownChannel as string)) {
    fail("channel", undefined, oneOfText(CHANNEL_NAMES), ownChannel);
  }

  const schema = COMPILED.get(msgType);
  if (schema === undefined) return msg as unknown as JupyterMessage;

  const channel = options?.channel;
  if (channel !== undefined) {
    const allowed = MESSAGE_CHANNELS[msgType as KnownMessageType];
    if (!allowed.includes(channel)) fail("channel", msgType, oneOfText(allowed), channel);
  }

  checkContent(content, schema, msgType);
  return msg as unknown as JupyterMessage;
}

/** Whether {@link validateMessage} accepts the value (with its default options). */
export function isValidMessage(msg: unknown, options?: ValidateOptions): msg is JupyterMessage {
  try {
    validateMessage(msg, options);
    return true;
  } catch (error) {
    if (error instanceof MessageValidationError) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Showing a bad value: short, and safe for huge or odd values.
// ---------------------------------------------------------------------------

const PREVIEW_LENGTH = 60;

function preview(value: unknown): string {
  let text: string;
  try {
    text = render(value, 0);
  } catch {
    text = "an unprintable object";
  }
  return text.length > PREVIEW_LENGTH ? `${cut(text, PREVIEW_LENGTH - 1)}…` : text;
}

/** The first `n` UTF-16 units of `s`, without splitting a surrogate pair. */
function cut(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      return value.length > PREVIEW_LENGTH ? `${JSON.stringify(cut(value, PREVIEW_LENGTH - 3))}…` : JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "symbol":
      return value.toString();
    case "function":
      return "a function";
  }
  if (value === null) return "null";
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength} bytes)`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()})`;
  const isArray = Array.isArray(value);
  if (depth > 1) return isArray ? "[…]" : "{…}";
  const parts: string[] = [];
  let length = 0;
  let more = false;
  if (isArray) {
    for (const item of value as unknown[]) {
      if (length > PREVIEW_LENGTH) {
        more = true;
        break;
      }
      const part = render(item, depth + 1);
      parts.push(part);
      length += part.length + 1;
    }
    return `[${parts.join(",")}${more ? ",…" : ""}]`;
  }
  const obj = value as Obj;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    if (length > PREVIEW_LENGTH) {
      more = true;
      break;
    }
    const part = `${JSON.stringify(k)}:${render(obj[k], depth + 1)}`;
    parts.push(part);
    length += part.length + 1;
  }
  return `{${parts.join(",")}${more ? ",…" : ""}}`;
}
