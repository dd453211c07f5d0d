/**
 * Message types of the Jupyter messaging protocol 5.5.
 *
 * Everything on the wire keeps the spec's snake_case. One map,
 * {@link MessageTypes}, ties each `msg_type` to its content, its channels and
 * (for requests) its reply; every other type here derives from it.
 */

/** The four ZeroMQ channels that carry messages (heartbeat carries raw bytes). */
export type Channel = "shell" | "control" | "iopub" | "stdin";

/** The header of every message. */
export interface MessageHeader<T extends string = string> {
  msg_id: string;
  msg_type: T;
  username: string;
  session: string;
  /** ISO 8601 with a time zone, kept as a string: parse it with `parseDate` when needed. */
  date: string;
  version: string;
  /** Kernel subshells (JEP 91): the subshell a shell request is for; absent or null for the main shell. */
  subshell_id?: string | null;
}

/** JSON-shaped metadata and free-form objects. */
export type JSONObject = { [key: string]: JSONValue };
export type JSONValue = string | number | boolean | null | JSONValue[] | JSONObject;

/** A MIME bundle: MIME type to data. */
export type MimeBundle = Record<string, unknown>;

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/** The `status` of a reply. */
export type ReplyStatus = "ok" | "error" | "aborted";

/** An `ok` reply without further fields. */
export interface ReplyOkContent {
  status: "ok";
}

/** A request that failed: the error, as the kernel describes it. */
export interface ReplyErrorContent {
  status: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

/**
 * A request the kernel dropped without running it. Deprecated since 5.1 in
 * favour of `error`, yet ipykernel still answers every queued shell request
 * this way after a failed `execute_request` with `stop_on_error`.
 */
export interface ReplyAbortedContent {
  status: "aborted";
}

/**
 * A reply's content: `T` when `ok`, the error fields (plus `E`) when `error`,
 * nothing else when `aborted`. Narrow on `status` to reach the fields.
 */
export type Reply<T extends object = ReplyOkContent, E extends object = Record<never, never>> =
  | (ReplyOkContent & T)
  | (ReplyErrorContent & E)
  | ReplyAbortedContent;

/** Content of requests that carry nothing. */
export type EmptyContent = Record<string, never>;

// ---------------------------------------------------------------------------
// Shell
// ---------------------------------------------------------------------------

export interface ExecuteRequestContent {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: Record<string, string>;
  allow_stdin: boolean;
  stop_on_error: boolean;
}

/** A deprecated side channel of `execute_reply`: every payload names its `source` (`page`, `set_next_input`, ...). */
export interface ExecutePayload {
  source: string;
  [key: string]: unknown;
}

export type ExecuteReplyContent = Reply<
  {
    execution_count: number;
    payload?: ExecutePayload[];
    /** Expression name to its result as a MIME bundle reply (`{status, data, metadata}` or an error). */
    user_expressions: Record<string, unknown>;
  },
  // ipykernel also counts failed executions, so the count comes with errors too.
  { execution_count?: number }
>;

export interface InspectRequestContent {
  code: string;
  /** In Unicode code points, as Python counts. */
  cursor_pos: number;
  detail_level: 0 | 1;
}

export type InspectReplyContent = Reply<{
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}>;

export interface CompleteRequestContent {
  code: string;
  /** In Unicode code points, as Python counts. */
  cursor_pos: number;
}

export type CompleteReplyContent = Reply<{
  matches: string[];
  /** The range of `code` the matches replace, in code points. */
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}>;

interface HistoryRequestBase {
  /** Include the output of each cell, making entries `[session, line, [input, output]]`. */
  output: boolean;
  raw: boolean;
}

/** Cells `start` to `stop` of `session` (0 is the current one, negative counts back). */
export interface HistoryRequestRange extends HistoryRequestBase {
  hist_access_type: "range";
  session: number;
  start: number;
  stop: number;
}

/** The last `n` cells. */
export interface HistoryRequestTail extends HistoryRequestBase {
  hist_access_type: "tail";
  n: number;
}

/** Cells matching a glob `pattern`. */
export interface HistoryRequestSearch extends HistoryRequestBase {
  hist_access_type: "search";
  pattern: string;
  unique?: boolean;
  n?: number;
}

export type HistoryRequestContent = HistoryRequestRange | HistoryRequestTail | HistoryRequestSearch;

/** `[session, line, input]`, or `[session, line, [input, output]]` when `output` was asked for. */
export type HistoryEntry = [session: number, line: number, input: string | [input: string, output: string | null]];

export type HistoryReplyContent = Reply<{ history: HistoryEntry[] }>;

export interface IsCompleteRequestContent {
  code: string;
}

/** Not a {@link Reply}: `status` says whether the code is complete (`aborted` comes from ipykernel's queue abort). */
export type IsCompleteReplyContent =
  | { status: "incomplete"; /** What to indent the next line with. */ indent: string }
  | { status: "complete" | "invalid" | "unknown" }
  | ReplyAbortedContent;

export interface CommInfoRequestContent {
  /** Only comms of this target; all comms when absent. */
  target_name?: string;
}

export type CommInfoReplyContent = Reply<{ comms: Record<string, { target_name: string }> }>;

/** The language a kernel speaks, as notebooks record it. */
export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer?: string;
  codemirror_mode?: string | Record<string, unknown>;
  nbconvert_exporter?: string;
}

export interface HelpLink {
  text: string;
  url: string;
}

export interface KernelInfo {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  /** Whether the kernel answers `debug_request` (5.5). */
  debugger?: boolean;
  help_links?: HelpLink[];
  /** Optional protocol features, e.g. `"kernel subshells"`. */
  supported_features?: string[];
}

export type KernelInfoReplyContent = Reply<KernelInfo>;

/** The kernel's ports. ipykernel only knows them when it chose them itself, and then sends just `status`. */
export type ConnectReplyContent = Reply<{
  shell_port?: number;
  iopub_port?: number;
  stdin_port?: number;
  hb_port?: number;
  control_port?: number;
}>;

export interface ShutdownRequestContent {
  restart: boolean;
}

export type ShutdownReplyContent = Reply<{ restart: boolean }>;

export interface CommOpenContent {
  comm_id: string;
  target_name: string;
  data: Record<string, unknown>;
  /** A frontend module to load the target from; ipykernel sends `null` when unset. */
  target_module?: string | null;
}

export interface CommMsgContent {
  comm_id: string;
  data: Record<string, unknown>;
}

export interface CommCloseContent {
  comm_id: string;
  data: Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------

/** ipykernel 6 echoes the (empty) request content, so `{}` is a valid reply too. */
export type InterruptReplyContent = Reply | EmptyContent;

/** A Debug Adapter Protocol request, carried as is. */
export interface DebugRequestContent {
  seq: number;
  type: "request";
  command: string;
  arguments?: Record<string, unknown>;
}

/**
 * A Debug Adapter Protocol response. Every field is optional because a
 * kernel without a debugger answers `{}`.
 */
export interface DebugReplyContent {
  seq?: number;
  type?: "response";
  request_seq?: number;
  success?: boolean;
  command?: string;
  message?: string;
  body?: unknown;
}

/** A Debug Adapter Protocol event. */
export interface DebugEventContent {
  seq: number;
  type: "event";
  event: string;
  body?: unknown;
}

export type CreateSubshellReplyContent = Reply<{ subshell_id: string }>;

export interface DeleteSubshellRequestContent {
  subshell_id: string;
}

export type ListSubshellReplyContent = Reply<{ subshell_id: string[] }>;

// ---------------------------------------------------------------------------
// IOPub
// ---------------------------------------------------------------------------

export interface StreamContent {
  name: "stdout" | "stderr";
  text: string;
}

/** Data about a display that is not saved with it (5.1). */
export interface DisplayTransient {
  /** Names the display so `update_display_data` can replace it. */
  display_id?: string;
  [key: string]: unknown;
}

export interface DisplayDataContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: DisplayTransient;
}

export interface UpdateDisplayDataContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: DisplayTransient & { display_id: string };
}

export interface ExecuteInputContent {
  code: string;
  execution_count: number;
}

export interface ExecuteResultContent {
  execution_count: number;
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: DisplayTransient;
}

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/**
 * The kernel's execution state. Servers add their own (`dead`,
 * `restarting`, `autorestarting`) when relaying over WebSocket.
 */
export type ExecutionState = "busy" | "idle" | "starting" | (string & Record<never, never>);

export interface StatusContent {
  execution_state: ExecutionState;
}

export interface ClearOutputContent {
  /** Clear only when the next output arrives, to avoid flicker. */
  wait: boolean;
}

/** Sent first on an XPUB IOPub socket so a client knows its subscription is live (5.4). */
export interface IopubWelcomeContent {
  subscription: string;
}

// ---------------------------------------------------------------------------
// Stdin
// ---------------------------------------------------------------------------

export interface InputRequestContent {
  prompt: string;
  /** Hide what is typed. */
  password: boolean;
}

export interface InputReplyContent {
  value: string;
}

/**
 * The map from `msg_type` to what it is: its content, the channels it may
 * travel on, and the reply type for requests.
 */
export interface MessageTypes {
  // Shell
  execute_request: { channel: "shell"; content: ExecuteRequestContent; reply: "execute_reply" };
  execute_reply: { channel: "shell"; content: ExecuteReplyContent };
  inspect_request: { channel: "shell"; content: InspectRequestContent; reply: "inspect_reply" };
  inspect_reply: { channel: "shell"; content: InspectReplyContent };
  complete_request: { channel: "shell"; content: CompleteRequestContent; reply: "complete_reply" };
  complete_reply: { channel: "shell"; content: CompleteReplyContent };
  history_request: { channel: "shell"; content: HistoryRequestContent; reply: "history_reply" };
  history_reply: { channel: "shell"; content: HistoryReplyContent };
  is_complete_request: { channel: "shell"; content: IsCompleteRequestContent; reply: "is_complete_reply" };
  is_complete_reply: { channel: "shell"; content: IsCompleteReplyContent };
  comm_info_request: { channel: "shell"; content: CommInfoRequestContent; reply: "comm_info_reply" };
  comm_info_reply: { channel: "shell"; content: CommInfoReplyContent };
  kernel_info_request: { channel: "shell" | "control"; content: EmptyContent; reply: "kernel_info_reply" };
  kernel_info_reply: { channel: "shell" | "control"; content: KernelInfoReplyContent };
  connect_request: { channel: "shell"; content: EmptyContent; reply: "connect_reply" };
  connect_reply: { channel: "shell"; content: ConnectReplyContent };
  shutdown_request: { channel: "shell" | "control"; content: ShutdownRequestContent; reply: "shutdown_reply" };
  // Kernels also broadcast their shutdown_reply on IOPub, and JupyterLab listens for it there.
  shutdown_reply: { channel: "shell" | "control" | "iopub"; content: ShutdownReplyContent };
  comm_open: { channel: "shell" | "iopub"; content: CommOpenContent };
  comm_msg: { channel: "shell" | "iopub"; content: CommMsgContent };
  comm_close: { channel: "shell" | "iopub"; content: CommCloseContent };
  // Control
  interrupt_request: { channel: "control"; content: EmptyContent; reply: "interrupt_reply" };
  interrupt_reply: { channel: "control"; content: InterruptReplyContent };
  debug_request: { channel: "control"; content: DebugRequestContent; reply: "debug_reply" };
  debug_reply: { channel: "control"; content: DebugReplyContent };
  create_subshell_request: { channel: "control"; content: EmptyContent; reply: "create_subshell_reply" };
  create_subshell_reply: { channel: "control"; content: CreateSubshellReplyContent };
  delete_subshell_request: { channel: "control"; content: DeleteSubshellRequestContent; reply: "delete_subshell_reply" };
  delete_subshell_reply: { channel: "control"; content: Reply };
  list_subshell_request: { channel: "control"; content: EmptyContent; reply: "list_subshell_reply" };
  list_subshell_reply: { channel: "control"; content: ListSubshellReplyContent };
  // IOPub
  stream: { channel: "iopub"; content: StreamContent };
  display_data: { channel: "iopub"; content: DisplayDataContent };
  update_display_data: { channel: "iopub"; content: UpdateDisplayDataContent };
  execute_input: { channel: "iopub"; content: ExecuteInputContent };
  execute_result: { channel: "iopub"; content: ExecuteResultContent };
  error: { channel: "iopub"; content: ErrorContent };
  status: { channel: "iopub"; content: StatusContent };
  clear_output: { channel: "iopub"; content: ClearOutputContent };
  debug_event: { channel: "iopub"; content: DebugEventContent };
  iopub_welcome: { channel: "iopub"; content: IopubWelcomeContent };
  // Stdin: the kernel asks, the frontend answers.
  input_request: { channel: "stdin"; content: InputRequestContent; reply: "input_reply" };
  input_reply: { channel: "stdin"; content: InputReplyContent };
}

/** Every `msg_type` this package knows. */
export type KnownMessageType = keyof MessageTypes;

/** Any `msg_type`: the known ones autocomplete, unknown ones still flow. */
export type MessageType = KnownMessageType | (string & {});

/** The content of a message type; unknown types get a plain object. */
export type ContentOf<T extends string> = T extends KnownMessageType
  ? MessageTypes[T]["content"]
  : Record<string, unknown>;

/** A parent header: the header of the message this one answers, or `{}`. */
export type ParentHeader = MessageHeader | Record<string, never>;

/** A whole message as a JavaScript object. */
export interface JupyterMessage<T extends string = string> {
  header: MessageHeader<T>;
  parent_header: ParentHeader;
  metadata: Record<string, unknown>;
  content: ContentOf<T>;
  /** Binary buffers; not signed. Views are fine: only their bytes travel. */
  buffers?: Uint8Array[];
  /** Copies of `header.msg_id` / `header.msg_type`, as Python's Session sets them. */
  msg_id?: string;
  msg_type?: T;
  /** The channel, for transports that carry it with the message (WebSocket). */
  channel?: Channel;
}

// ---------------------------------------------------------------------------
// Derived from MessageTypes
// ---------------------------------------------------------------------------

/** The channels a message type may travel on; any channel for unknown types. */
export type ChannelOf<T extends string> = T extends KnownMessageType ? MessageTypes[T]["channel"] : Channel;

/** Every message type that expects a reply. */
export type RequestType = {
  [K in KnownMessageType]: MessageTypes[K] extends { reply: KnownMessageType } ? K : never;
}[KnownMessageType];

/** The reply type of a request type. */
export type ReplyTypeOf<T extends RequestType> = T extends RequestType
  ? MessageTypes[T] extends { reply: infer R extends KnownMessageType }
    ? R
    : never
  : never;

/** Every message type that answers a request. */
export type ReplyType = ReplyTypeOf<RequestType>;

/** The request type a reply type answers. */
export type RequestTypeOf<R extends ReplyType> = {
  [K in RequestType]: ReplyTypeOf<K> extends R ? K : never;
}[RequestType];

/** The content of the reply to a request type. */
export type ReplyContentOf<T extends RequestType> = ContentOf<ReplyTypeOf<T>>;

/** The message types allowed on a channel (on any of them, for a union). */
export type MessageTypesOn<C extends Channel> = {
  [K in KnownMessageType]: C extends MessageTypes[K]["channel"] ? K : never;
}[KnownMessageType];

export type ShellRequestType = Extract<RequestType, MessageTypesOn<"shell">>;
export type ControlRequestType = Extract<RequestType, MessageTypesOn<"control">>;
export type IopubMessageType = MessageTypesOn<"iopub">;
export type StdinMessageType = MessageTypesOn<"stdin">;

// `satisfies` keeps this table from listing a channel MessageTypes does not
// allow; `_ChannelsComplete` keeps it from missing one.
const CHANNELS = {
  execute_request: ["shell"],
  execute_reply: ["shell"],
  inspect_request: ["shell"],
  inspect_reply: ["shell"],
  complete_request: ["shell"],
  complete_reply: ["shell"],
  history_request: ["shell"],
  history_reply: ["shell"],
  is_complete_request: ["shell"],
  is_complete_reply: ["shell"],
  comm_info_request: ["shell"],
  comm_info_reply: ["shell"],
  kernel_info_request: ["shell", "control"],
  kernel_info_reply: ["shell", "control"],
  connect_request: ["shell"],
  connect_reply: ["shell"],
  shutdown_request: ["shell", "control"],
  shutdown_reply: ["shell", "control", "iopub"],
  comm_open: ["shell", "iopub"],
  comm_msg: ["shell", "iopub"],
  comm_close: ["shell", "iopub"],
  interrupt_request: ["control"],
  interrupt_reply: ["control"],
  debug_request: ["control"],
  debug_reply: ["control"],
  create_subshell_request: ["control"],
  create_subshell_reply: ["control"],
  delete_subshell_request: ["control"],
  delete_subshell_reply: ["control"],
  list_subshell_request: ["control"],
  list_subshell_reply: ["control"],
  stream: ["iopub"],
  display_data: ["iopub"],
  update_display_data: ["iopub"],
  execute_input: ["iopub"],
  execute_result: ["iopub"],
  error: ["iopub"],
  status: ["iopub"],
  clear_output: ["iopub"],
  debug_event: ["iopub"],
  iopub_welcome: ["iopub"],
  input_request: ["stdin"],
  input_reply: ["stdin"],
} as const satisfies { [K in KnownMessageType]: readonly ChannelOf<K>[] };

type MissingChannel = {
  [K in KnownMessageType]: Exclude<ChannelOf<K>, (typeof CHANNELS)[K][number]>;
}[KnownMessageType];
type AssertNever<T extends never> = T;
type _ChannelsComplete = AssertNever<MissingChannel>;

/** The channels each known message type may travel on, at run time. */
export const MESSAGE_CHANNELS: { readonly [K in KnownMessageType]: readonly Channel[] } = CHANNELS;

/** Whether this package knows the `msg_type` (and so can check its content). */
export function isKnownMessageType(t: string): t is KnownMessageType {
  return Object.hasOwn(MESSAGE_CHANNELS, t);
}
