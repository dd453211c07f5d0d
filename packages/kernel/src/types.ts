import type { ConnectionInfo } from "@jupyter-ts/connection";
import type { HistoryEntry, LanguageInfo, MimeBundle } from "@jupyter-ts/protocol";

export type { LanguageInfo };
import type { Message } from "@jupyter-ts/session";

/** Where a kernel reports what goes wrong; stderr by default (stdout may belong to the frontend). */
export interface KernelLogger {
  error(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  /** Startup and shutdown notes; not reported when absent. */
  info?(message: string): void;
  /** Every message in and out; not reported when absent. */
  debug?(message: string): void;
}

/** Options of a {@link Kernel}. */
export interface KernelOptions {
  /**
   * The connection file: read when it exists (ports, key, ip, transport;
   * ports that are 0 or missing are picked), else written there once the
   * sockets are bound. Default `<runtime dir>/kernel-<pid>.json`. A bare
   * name that is not in the working directory is taken in the runtime dir,
   * as ipykernel does.
   */
  connectionFile?: string;
  /** Fields that win over the file's (key, ports, ip, transport, signature_scheme, kernel_name). */
  connectionInfo?: Partial<ConnectionInfo>;
  /** The address to bind (tcp), or the socket path prefix (ipc). Wins over the file. */
  ip?: string;
  /** Wins over the file; default `"tcp"`. */
  transport?: "tcp" | "ipc";
  /** Default: messages on stderr. */
  logger?: KernelLogger;
  /**
   * Stop when this process dies; default `Number(process.env.JPY_PARENT_PID)`
   * (set by Jupyter's launcher). 0 or absent: no watching.
   */
  parentPid?: number;
  /**
   * Install process handlers: SIGINT interrupts, SIGTERM stops and exits;
   * interrupt_request raises SIGINT (so `vm` code run with `breakOnSigint`
   * stops even while it blocks the main thread). Default true. Set false to
   * embed a kernel in a program that owns its signals: interrupt_request then
   * only aborts `ctx.signal` and calls the `interrupt` hook.
   */
  handleSignals?: boolean;
}

/** Options of {@link RequestContext.publish}. */
export interface PublishOptions {
  metadata?: Record<string, unknown>;
  buffers?: Uint8Array[];
}

/** Options of {@link RequestContext.displayData}. */
export interface DisplayDataOptions {
  metadata?: Record<string, unknown>;
  /** Sent as `transient.display_id`, so a later `update: true` can replace this output. */
  displayId?: string;
  /** Send `update_display_data` (needs `displayId`) instead of `display_data`. */
  update?: boolean;
}

/** Options of {@link RequestContext.input}. */
export interface InputOptions {
  /** Ask the frontend to hide what is typed. */
  password?: boolean;
}

/**
 * Passed to every handler: the request, and ways to answer on IOPub and
 * stdin with the request as parent.
 */
export interface RequestContext {
  /** The request message (header, content, metadata). */
  readonly parent: Message;
  /** The subshell the request is for (JEP 91), `null` for the main shell and control. */
  readonly subshellId: string | null;
  /** Aborted when the kernel is interrupted (interrupt_request or SIGINT) or stops. */
  readonly signal: AbortSignal;
  /** Publishes any IOPub message with this request as parent. */
  publish(msgType: string, content: Record<string, unknown>, options?: PublishOptions): void;
  /** Publishes a `stream` message. */
  stream(name: "stdout" | "stderr", text: string): void;
  /** Publishes `display_data` (or `update_display_data`). */
  displayData(data: MimeBundle, options?: DisplayDataOptions): void;
  /** Publishes `clear_output`. */
  clearOutput(options?: { wait?: boolean }): void;
  /**
   * Sends `input_request` on stdin to the frontend that sent `parent`, and
   * resolves with the value of its `input_reply`.
   *
   * @throws StdinNotAllowedError when `parent` is not an execute_request with
   *   `allow_stdin: true`; KernelInterruptedError when the kernel is
   *   interrupted meanwhile; KernelStoppedError when it stops.
   */
  input(prompt?: string, options?: InputOptions): Promise<string>;
}

/** The context of `execute`: a {@link RequestContext} with the execution's settings. */
export interface ExecuteContext extends RequestContext {
  /** The execution count of this request (already counted when not silent). */
  readonly executionCount: number;
  /** `content.silent`: publish no result, count nothing, store no history. */
  readonly silent: boolean;
  /** `content.store_history` (false when silent). */
  readonly storeHistory: boolean;
  /** `content.user_expressions`: name to expression, for the kernel to evaluate after the code. */
  readonly userExpressions: Record<string, string>;
}

/**
 * What `execute` returns. The base publishes `execute_result` for `result`
 * (unless silent) and `error` for status "error", and makes the reply.
 */
export type ExecuteOutcome =
  | {
      status: "ok";
      result?: { data: MimeBundle; metadata?: Record<string, unknown> };
      /** Replied as `user_expressions`. */
      userExpressions?: Record<string, unknown>;
      payload?: unknown[];
    }
  | { status: "error"; ename: string; evalue: string; traceback: string[] }
  | { status: "aborted" };

/** What `complete` returns (the `complete_reply` content without `status`). */
export interface CompleteResult {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata?: Record<string, unknown>;
}

/** What `inspect` returns (the `inspect_reply` content without `status`). */
export interface InspectResult {
  found: boolean;
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
}

/** What `isComplete` returns (the `is_complete_reply` content). */
export interface IsCompleteResult {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  /** For `incomplete`: what to indent the next line with. */
  indent?: string;
}

/** What `history` returns (the `history_reply` content without `status`). */
export interface HistoryResult {
  history: HistoryEntry[] | unknown[];
}
