import { capability, type Dealer, type Subscriber } from "zeromq";
import { CommManager, type CommMessageType, type CommSendOptions } from "@jupyter-ts/comm";
import { ConnectionFileMixin, type ConnectionInfo } from "@jupyter-ts/connection";
import {
  codePointLength,
  type DebugRequestContent,
  type ContentOf,
  type ExecutionState,
  type HistoryRequestContent,
  type RequestType,
} from "@jupyter-ts/protocol";
import type { Message, Session } from "@jupyter-ts/session";
import { Emitter } from "./emitter.js";
import { ChannelsNotRunningError, KernelDiedError, KernelTimeoutError } from "./errors.js";
import { HeartbeatChannel, type HeartbeatOptions } from "./heartbeat-channel.js";
import { MessageQueue, type ClientLogger } from "./message-queue.js";
import { defaultOutputHook, defaultStdinHook, type OutputHook, type StdinHook } from "./output-hooks.js";
import { PendingRequest, type ReplyMessage, type RequestHandle } from "./request-handle.js";

/** The channels a client can start. */
export type ClientChannel = "shell" | "iopub" | "stdin" | "hb" | "control";
type MessageChannel = Exclude<ClientChannel, "hb">;

/** Options of {@link KernelClient}. */
export interface KernelClientOptions {
  /** The kernel's connection info (as in its connection file). */
  connectionInfo?: Partial<ConnectionInfo>;
  /** A connection file to read; it is read by {@link KernelClient.startChannels}. */
  connectionFile?: string;
  /** The session to sign with; its key and scheme are replaced by the connection's (same session id). */
  session?: Session;
  /** Heartbeat timing. */
  heartbeat?: HeartbeatOptions;
  /** Messages kept per pull queue before the oldest are dropped (with a warning); default 10000. */
  maxQueued?: number;
  /** Where warnings go (dropped or rejected messages); default `console`. */
  logger?: ClientLogger;
}

/** Which channels {@link KernelClient.startChannels} starts; every one by default. */
export type StartChannelsOptions = Partial<Record<ClientChannel, boolean>>;

/**
 * How a request returns: its `msg_id` (default), the reply message
 * (`reply: true`), or a {@link RequestHandle} (`handle: true`).
 */
export interface RequestOptions {
  /** Resolve with the reply message instead of returning the msg_id. */
  reply?: boolean;
  /** Return a {@link RequestHandle}: reply, iopub messages, done. */
  handle?: boolean;
  /** With `reply` or `handle`: reject with KernelTimeoutError after this many ms; default never. */
  timeout?: number;
}

/** The type of option `K` in `O`; undefined when `O` does not have it. */
type OptionFlag<O, K extends PropertyKey> = K extends keyof O ? O[K] : undefined;

/** What a request method returns for options `O`. */
export type RequestResult<T extends RequestType, O> = O extends { reply: true }
  ? Promise<ReplyMessage<T>>
  : O extends { handle: true }
    ? RequestHandle<T>
    : [OptionFlag<O, "reply">, OptionFlag<O, "handle">] extends [false | undefined, false | undefined]
      ? string
      : string | Promise<ReplyMessage<T>> | RequestHandle<T>;

/** Options of {@link KernelClient.execute}. */
export interface ExecuteOptions extends RequestOptions {
  /** Run without broadcasting output or counting the execution; default false. */
  silent?: boolean;
  /** Default `!silent`. */
  storeHistory?: boolean;
  /** Name to expression, evaluated after the code; default none. */
  userExpressions?: Record<string, string>;
  /** Whether the kernel may ask for input on stdin; default true (Python's `allow_stdin`). */
  allowStdin?: boolean;
  /** Abort the queued executions when this one fails; default true. */
  stopOnError?: boolean;
  /** The kernel subshell to run in (JEP 91); default the main shell. */
  subshellId?: string;
}

/** Options of {@link KernelClient.complete}. */
export interface CompleteOptions extends RequestOptions {
  /**
   * The cursor, in Unicode code points as the protocol counts (not UTF-16
   * units; convert with `utf16ToCodePoint`); default the end of the code.
   */
  cursorPos?: number;
}

/** Options of {@link KernelClient.inspect}. */
export interface InspectOptions extends CompleteOptions {
  /** 0 (default) or 1 (more detail, e.g. source). */
  detailLevel?: 0 | 1;
}

/** Options of {@link KernelClient.history}: Python's defaults are `raw: true, output: false, histAccessType: "range"`. */
export interface HistoryOptions extends RequestOptions {
  raw?: boolean;
  output?: boolean;
  histAccessType?: "range" | "tail" | "search";
  /** range: the session (0 = current, negative counts back). */
  session?: number;
  start?: number;
  stop?: number;
  /** tail and search: how many entries. */
  n?: number;
  /** search: a glob pattern. */
  pattern?: string;
  /** search: drop duplicates. */
  unique?: boolean;
}

/** Options of {@link KernelClient.commInfo}. */
export interface CommInfoOptions extends RequestOptions {
  /** Only comms of this target. */
  targetName?: string;
}

/** Options of {@link KernelClient.shutdown}. */
export interface ShutdownOptions extends RequestOptions {
  restart?: boolean;
}

/** Options of {@link KernelClient.executeInteractive}. */
export interface ExecuteInteractiveOptions extends Omit<ExecuteOptions, "reply" | "handle" | "timeout"> {
  /** Called with each iopub message of the request; default {@link defaultOutputHook}. */
  outputHook?: OutputHook;
  /** Answers `input_request`s; default {@link defaultStdinHook} (the terminal). */
  stdinHook?: StdinHook;
  /** Overall limit in ms; KernelTimeoutError after it; default none. */
  timeout?: number;
}

/** Events of {@link KernelClient}. */
export interface KernelClientEvents extends Record<string, unknown[]> {
  /** The kernel's execution state changed (from iopub `status`, or `dead` from the heartbeat). */
  status: [state: ExecutionState | "dead", msg: Message | undefined];
  /** The heartbeat declared the kernel dead; pending requests were rejected with this error. */
  dead: [error: KernelDiedError];
  /**
   * A message hook: every message that passed signature and format checks,
   * on any channel, before it is routed. Observe only: routing goes on
   * whatever the hook does, and a hook that throws is logged.
   */
  message: [channel: "shell" | "control" | "iopub" | "stdin", msg: Message];
}

type Sockets = { shell?: Dealer; control?: Dealer; stdin?: Dealer; iopub?: Subscriber };

/**
 * Talks to a running kernel over ZeroMQ: every request of the messaging
 * protocol, replies matched to their requests, iopub output, stdin, the
 * heartbeat. Python's `KernelClient` (blocking and async in one,
 * promise-based).
 *
 * Replies and iopub messages that nobody waits for (no `reply`/`handle`
 * request, no open handle) go to bounded pull queues, read with
 * {@link getShellMsg}, {@link getIopubMsg}, {@link getStdinMsg},
 * {@link getControlMsg}. When a queue is full its oldest message is dropped,
 * counted in {@link droppedMessages} and logged.
 *
 * @example
 * await using kc = new KernelClient({ connectionFile: "/run/jupyter/kernel-1.json" });
 * await kc.startChannels();
 * await kc.waitForReady({ timeout: 30_000 });
 * const reply = await kc.execute("1 + 1", { reply: true, timeout: 10_000 });
 * console.log(reply.content.status); // "ok"
 */
export class KernelClient extends Emitter<KernelClientEvents> {
  /** The connection (info, file, session, socket factory) this client uses. */
  readonly connection: ConnectionFileMixin;
  /** Messages with a bad signature or malformed frames, not delivered (each is logged). */
  rejectedMessages = 0;
  /**
   * The comms of this client: comm messages the kernel publishes on iopub go
   * here (and not to the iopub pull queue); what comms send goes on shell.
   */
  readonly comms: CommManager;
  /** Whether the kernel may ask for input (the default of `allowStdin`); Python's `allow_stdin`. */
  allowStdin = true;

  #connectionFile: string | undefined;
  #loaded = false;
  #sockets: Sockets = {};
  #loops: Promise<void>[] = [];
  #hb: HeartbeatChannel | undefined;
  #hbOptions: HeartbeatOptions;
  #queues: Record<MessageChannel, MessageQueue>;
  #pending = new Map<string, PendingRequest>();
  #stdinHooks = new Map<string, (msg: Message) => void>();
  #state: ExecutionState | "dead" = "starting";
  #dead = false;
  #iopubSeen = false;
  #stdinConnected: Promise<void> | undefined;
  #iopubListeners = new Set<() => void>();
  /** Requests of our own (waitForReady's extra kernel_info) whose replies and output nobody wants. */
  #ignored = new Set<string>();
  #logger: ClientLogger;

  constructor(options: KernelClientOptions = {}) {
    super();
    this.connection = new ConnectionFileMixin(options.session ? { session: options.session } : {});
    if (options.connectionInfo) {
      this.connection.loadConnectionInfo(options.connectionInfo);
      this.#loaded = true;
    }
    this.#connectionFile = options.connectionFile;
    if (options.connectionFile) this.connection.connectionFile = options.connectionFile;
    this.#hbOptions = options.heartbeat ?? {};
    this.#logger = options.logger ?? console;
    const capacity = options.maxQueued ?? 10_000;
    const queue = (channel: MessageChannel) => new MessageQueue({ channel, capacity, logger: this.#logger });
    this.#queues = { shell: queue("shell"), iopub: queue("iopub"), stdin: queue("stdin"), control: queue("control") };
    const logger = this.#logger;
    this.comms = new CommManager(
      { send: (msgType, content, sendOptions) => this.#sendComm(msgType, content, sendOptions ?? {}) },
      {
        logger: {
          error: (message, error) => logger.warn(`jupyter-ts client comms: ${message}`, ...(error === undefined ? [] : [error])),
          warn: (message) => logger.warn(`jupyter-ts client comms: ${message}`),
        },
      },
    );
  }

  #sendComm(msgType: CommMessageType, content: Record<string, unknown>, options: CommSendOptions): void {
    const socket = this.#sockets.shell;
    if (!socket) throw new ChannelsNotRunningError("shell", `cannot send ${msgType}: the shell channel is not running (call startChannels() first)`);
    const msg = this.session.msg(msgType, {
      content: content as unknown as ContentOf<CommMessageType>,
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
      ...(options.buffers === undefined ? {} : { buffers: options.buffers }),
    });
    this.session.send(socket, msg).catch((error: unknown) => this.#logger.warn(`jupyter-ts client: sending ${msgType} failed`, error));
  }

  /** The session that signs this client's messages. */
  get session(): Session {
    return this.connection.session;
  }

  /** Whether any channel is running. */
  get channelsRunning(): boolean {
    return Object.keys(this.#sockets).length > 0 || this.#hb !== undefined;
  }

  /** The heartbeat channel, while channels run with `hb`. */
  get hbChannel(): HeartbeatChannel | undefined {
    return this.#hb;
  }

  /** The kernel's last known execution state: `starting` until the first iopub status. */
  get executionState(): ExecutionState | "dead" {
    return this.#state;
  }

  /** Messages dropped per pull queue because it was full. */
  get droppedMessages(): Record<MessageChannel, number> {
    const q = this.#queues;
    return { shell: q.shell.dropped, iopub: q.iopub.dropped, stdin: q.stdin.dropped, control: q.control.dropped };
  }

  /**
   * Whether the kernel is alive as far as this client can tell: its
   * heartbeat beats (or has not yet been declared dead while starting);
   * true when no heartbeat runs (Python's `is_alive`).
   */
  isAlive(): boolean {
    if (this.#dead) return false;
    if (!this.#hb) return true;
    return this.#hb.isBeating() || !this.#hb.everBeat;
  }

  /**
   * Connects the channels and starts one receive loop per socket (and the
   * heartbeat). Reads the connection file first if one was given.
   */
  async startChannels(options: StartChannelsOptions = {}): Promise<void> {
    const want = { shell: true, iopub: true, stdin: true, hb: true, control: true, ...options };
    if (!this.#loaded && this.#connectionFile) {
      await this.connection.loadConnectionFile(this.#connectionFile);
      this.#loaded = true;
    }
    const conn = this.connection;
    if (want.shell && !this.#sockets.shell) this.#startLoop("shell", (this.#sockets.shell = conn.connectShell()));
    if (want.iopub && !this.#sockets.iopub) this.#startLoop("iopub", (this.#sockets.iopub = conn.connectIopub()));
    if (want.stdin && !this.#sockets.stdin) {
      // The kernel's stdin ROUTER drops an input_request for a peer whose
      // handshake has not finished: waitForReady waits for it (see there).
      // The monitor must watch before connect(): a kernel that already
      // listens can be connected before a later monitor would see it.
      let connected!: () => void;
      this.#stdinConnected = new Promise<void>((resolve) => (connected = resolve));
      const stdin = conn.connectStdin({ beforeConnect: (socket) => socket.events.on(capability.draft ? "handshake" : "connect", () => connected()) });
      this.#sockets.stdin = stdin;
      this.#startLoop("stdin", stdin);
    }
    if (want.control && !this.#sockets.control) this.#startLoop("control", (this.#sockets.control = conn.connectControl()));
    if (want.hb && !this.#hb) {
      const hb = new HeartbeatChannel(() => conn.connectHb(), this.#hbOptions);
      hb.on("dead", (since) => this.#onDead(since));
      hb.on("beating", () => {
        this.#dead = false;
      });
      this.#hb = hb;
      hb.start();
    }
  }

  /**
   * Closes every socket, stops the heartbeat and rejects what still waits
   * (with ChannelsNotRunningError). Afterwards nothing of this client keeps
   * Node running. Queued messages stay readable.
   */
  async stopChannels(): Promise<void> {
    const sockets = this.#sockets;
    this.#sockets = {};
    this.#stdinConnected = undefined;
    for (const socket of Object.values(sockets)) socket.close();
    // Wakes a waitForReady, which then sees the channels gone and stops.
    for (const wake of [...this.#iopubListeners]) wake();
    const hb = this.#hb;
    this.#hb = undefined;
    await hb?.stop();
    await Promise.all(this.#loops);
    this.#loops = [];
    this.#ignored.clear();
    this.#iopubSeen = false;
    const error = new ChannelsNotRunningError("all", "the client's channels were stopped while this was waiting");
    this.#failAll(error);
  }

  /** Stops the channels: `await using kc = new KernelClient(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopChannels();
  }

  #startLoop(channel: MessageChannel, socket: Dealer | Subscriber): void {
    this.#loops.push(this.#receiveLoop(channel, socket));
  }

  async #receiveLoop(channel: MessageChannel, socket: Dealer | Subscriber): Promise<void> {
    while (this.#sockets[channel] === socket) {
      let frames: Uint8Array[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (this.#sockets[channel] !== socket || socket.closed) return;
        this.#logger.warn(`jupyter-ts client: receiving on ${channel} failed`, error);
        continue;
      }
      let msg: Message;
      try {
        const [, rest] = this.session.feedIdentities(frames);
        msg = this.session.deserialize(rest);
      } catch (error) {
        this.rejectedMessages++;
        this.#logger.warn(`jupyter-ts client: rejected a message on ${channel}: ${(error as Error).message}`);
        continue;
      }
      try {
        this.emit("message", channel, msg);
      } catch (error) {
        this.#logger.warn(`jupyter-ts client: a message hook threw on a ${msg.msg_type} message on ${channel}`, error);
      }
      try {
        this.#route(channel, msg);
      } catch (error) {
        // A throwing user callback must not stop the channel.
        this.#logger.warn(`jupyter-ts client: a handler for a ${msg.msg_type} message on ${channel} threw`, error);
      }
    }
  }

  #route(channel: MessageChannel, msg: Message): void {
    const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
    const pending = parentId === undefined ? undefined : this.#pending.get(parentId);
    if (!pending && parentId !== undefined && this.#ignored.has(parentId) && channel !== "stdin") return;
    switch (channel) {
      case "shell":
      case "control":
        if (pending && msg.msg_type.endsWith("_reply")) pending.deliverReply(msg);
        else this.#queues[channel].push(msg);
        return;
      case "iopub": {
        this.#iopubSeen = true;
        for (const listener of [...this.#iopubListeners]) listener();
        if (msg.msg_type === "status") {
          const state = (msg.content as { execution_state?: ExecutionState }).execution_state;
          if (state && state !== this.#state) {
            this.#state = state;
            this.emit("status", state, msg);
          }
        }
        const handledByComms = msg.msg_type.startsWith("comm_") && this.comms.handleMessage(msg);
        if (pending?.wantsIopub) pending.deliverIopub(msg);
        else if (!handledByComms) this.#queues.iopub.push(msg);
        return;
      }
      case "stdin": {
        const hook = parentId === undefined ? undefined : this.#stdinHooks.get(parentId);
        if (hook && msg.msg_type === "input_request") hook(msg);
        else this.#queues.stdin.push(msg);
        return;
      }
    }
  }

  #onDead(sinceLastBeat: number): void {
    this.#dead = true;
    this.#state = "dead";
    const error = new KernelDiedError(
      `the kernel stopped answering its heartbeat ${sinceLastBeat} ms ago (at ${this.connection.makeUrl("hb")}); it has died or hangs outside Python`,
    );
    this.#failAll(error);
    this.emit("status", "dead", undefined);
    this.emit("dead", error);
  }

  #failAll(error: Error): void {
    for (const pending of [...this.#pending.values()]) pending.fail(error);
    this.#pending.clear();
    for (const queue of Object.values(this.#queues)) queue.failWaiters(error);
  }

  // ------------------------------------------------------------------------
  // Sending
  // ------------------------------------------------------------------------

  /**
   * Sends a request of any type on a channel, as the typed methods do: the
   * escape hatch for types without a method (`connect_request`,
   * `debug_request`, subshell requests).
   */
  sendRequest<T extends RequestType, O extends RequestOptions = Record<never, never>>(
    channel: "shell" | "control",
    msgType: T,
    content: ContentOf<T>,
    options?: O & { subshellId?: string },
  ): RequestResult<T, O> {
    const opts = (options ?? {}) as RequestOptions & { subshellId?: string };
    const socket = this.#sockets[channel];
    const msg = this.session.msg(msgType, {
      content,
      ...(opts.subshellId === undefined ? {} : { subshellId: opts.subshellId }),
    });
    const wants = opts.reply || opts.handle;
    // A handle ends with the kernel's idle status on iopub: without iopub it never would.
    const missing = !socket ? channel : opts.handle && !this.#sockets.iopub ? "iopub" : undefined;
    if (missing !== undefined || !socket) {
      const error = new ChannelsNotRunningError(
        missing ?? channel,
        `cannot send ${msgType}${missing === "iopub" ? " with a handle" : ""}: the ${missing} channel is not running (call startChannels() first)`,
      );
      if (!wants) throw error;
      const failed = new PendingRequest(msg, { wantsIopub: Boolean(opts.handle), onSettled: () => undefined });
      failed.fail(error);
      return (opts.handle ? failed : failed.reply) as RequestResult<T, O>;
    }
    let pending: PendingRequest<T> | undefined;
    if (wants) {
      pending = new PendingRequest<T>(msg, {
        wantsIopub: Boolean(opts.handle),
        onSettled: (p) => {
          if ((this.#pending.get(p.msgId) as unknown) === p) this.#pending.delete(p.msgId);
        },
      });
      this.#pending.set(msg.msg_id, pending as unknown as PendingRequest);
      if (opts.timeout !== undefined) {
        const timeout = opts.timeout;
        pending.setTimeout(
          timeout,
          () => new KernelTimeoutError(timeout, `no ${opts.handle ? "reply and idle status" : "reply"} to ${msgType} ${msg.msg_id} within ${timeout} ms`),
        );
      }
      if (this.#dead) {
        pending.fail(new KernelDiedError(`cannot wait for a reply to ${msgType}: the kernel is dead (its heartbeat stopped)`));
      }
    }
    this.session.send(socket, msg).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (pending) pending.fail(failure);
      else this.#logger.warn(`jupyter-ts client: sending ${msgType} on ${channel} failed`, failure);
    });
    if (!pending) return msg.msg_id as RequestResult<T, O>;
    return (opts.handle ? pending : pending.reply) as RequestResult<T, O>;
  }

  /**
   * Runs code (`execute_request` on shell).
   *
   * @example
   * const msgId = kc.execute("x = 1");
   * const reply = await kc.execute("x + 1", { reply: true, timeout: 10_000 });
   * const h = kc.execute("print(x)", { handle: true });
   * for await (const m of h) console.log(m.msg_type);
   */
  execute<O extends ExecuteOptions = Record<never, never>>(code: string, options?: O): RequestResult<"execute_request", O> {
    const o: ExecuteOptions = options ?? {};
    const silent = o.silent ?? false;
    const content: ContentOf<"execute_request"> = {
      code,
      silent,
      store_history: o.storeHistory ?? !silent,
      user_expressions: o.userExpressions ?? {},
      allow_stdin: o.allowStdin ?? this.allowStdin,
      stop_on_error: o.stopOnError ?? true,
    };
    return this.sendRequest("shell", "execute_request", content, o) as RequestResult<"execute_request", O>;
  }

  /** Asks for completions at `cursorPos` (code points; default the end). */
  complete<O extends CompleteOptions = Record<never, never>>(code: string, options?: O): RequestResult<"complete_request", O> {
    const o: CompleteOptions = options ?? {};
    const content = { code, cursor_pos: o.cursorPos ?? codePointLength(code) };
    return this.sendRequest("shell", "complete_request", content, o) as RequestResult<"complete_request", O>;
  }

  /** Asks what is at `cursorPos` (code points; default the end). */
  inspect<O extends InspectOptions = Record<never, never>>(code: string, options?: O): RequestResult<"inspect_request", O> {
    const o: InspectOptions = options ?? {};
    const content = { code, cursor_pos: o.cursorPos ?? codePointLength(code), detail_level: o.detailLevel ?? 0 };
    return this.sendRequest("shell", "inspect_request", content, o) as RequestResult<"inspect_request", O>;
  }

  /** Asks for history; defaults as Python: `{ raw: true, output: false, histAccessType: "range" }`. */
  history<O extends HistoryOptions = Record<never, never>>(options?: O): RequestResult<"history_request", O> {
    const o: HistoryOptions = options ?? {};
    const base = { raw: o.raw ?? true, output: o.output ?? false };
    const type = o.histAccessType ?? "range";
    let content: HistoryRequestContent;
    if (type === "tail") content = { ...base, hist_access_type: "tail", n: o.n ?? 10 };
    else if (type === "search") {
      content = { ...base, hist_access_type: "search", pattern: o.pattern ?? "*" };
      if (o.n !== undefined) content.n = o.n;
      if (o.unique !== undefined) content.unique = o.unique;
    } else content = { ...base, hist_access_type: "range", session: o.session ?? 0, start: o.start ?? 0, stop: o.stop ?? 0 };
    return this.sendRequest("shell", "history_request", content, o) as RequestResult<"history_request", O>;
  }

  /** Asks for the kernel's info (`kernel_info_request` on shell). */
  kernelInfo<O extends RequestOptions = Record<never, never>>(options?: O): RequestResult<"kernel_info_request", O> {
    return this.sendRequest("shell", "kernel_info_request", {}, options);
  }

  /** Asks which comms are open (of `targetName`, or all). */
  commInfo<O extends CommInfoOptions = Record<never, never>>(options?: O): RequestResult<"comm_info_request", O> {
    const o: CommInfoOptions = options ?? {};
    const content = o.targetName === undefined ? {} : { target_name: o.targetName };
    return this.sendRequest("shell", "comm_info_request", content, o) as RequestResult<"comm_info_request", O>;
  }

  /** Asks whether `code` is complete (for a console deciding to run or add a line). */
  isComplete<O extends RequestOptions = Record<never, never>>(code: string, options?: O): RequestResult<"is_complete_request", O> {
    return this.sendRequest("shell", "is_complete_request", { code }, options);
  }

  /** Asks the kernel to shut down (on control); `restart: true` tells it a restart follows. */
  shutdown<O extends ShutdownOptions = Record<never, never>>(options?: O): RequestResult<"shutdown_request", O> {
    const o: ShutdownOptions = options ?? {};
    return this.sendRequest("control", "shutdown_request", { restart: o.restart ?? false }, o) as RequestResult<"shutdown_request", O>;
  }

  /** Asks the kernel to interrupt what it runs (`interrupt_request` on control). */
  interrupt<O extends RequestOptions = Record<never, never>>(options?: O): RequestResult<"interrupt_request", O> {
    return this.sendRequest("control", "interrupt_request", {}, options);
  }

  /** Sends a Debug Adapter Protocol request (`debug_request` on control), as JupyterLab's debugger does. */
  debugRequest<O extends RequestOptions = Record<never, never>>(dap: DebugRequestContent, options?: O): RequestResult<"debug_request", O> {
    return this.sendRequest("control", "debug_request", dap, options);
  }

  /** Asks the kernel for a new subshell (JEP 91); the reply carries its `subshell_id`. */
  createSubshell<O extends RequestOptions = Record<never, never>>(options?: O): RequestResult<"create_subshell_request", O> {
    return this.sendRequest("control", "create_subshell_request", {}, options);
  }

  /** Asks the kernel to delete a subshell (JEP 91). */
  deleteSubshell<O extends RequestOptions = Record<never, never>>(subshellId: string, options?: O): RequestResult<"delete_subshell_request", O> {
    return this.sendRequest("control", "delete_subshell_request", { subshell_id: subshellId }, options);
  }

  /** Asks the kernel which subshells exist (JEP 91). */
  listSubshells<O extends RequestOptions = Record<never, never>>(options?: O): RequestResult<"list_subshell_request", O> {
    return this.sendRequest("control", "list_subshell_request", {}, options);
  }

  /**
   * Answers the kernel's `input_request` (an `input_reply` on stdin); returns
   * the msg_id. There is no reply to it.
   */
  input(value: string): string {
    const socket = this.#sockets.stdin;
    if (!socket) throw new ChannelsNotRunningError("stdin", "cannot send input_reply: the stdin channel is not running (call startChannels() first)");
    const msg = this.session.msg("input_reply", { content: { value } });
    this.session.send(socket, msg).catch((error: unknown) => this.#logger.warn("jupyter-ts client: sending input_reply failed", error));
    return msg.msg_id;
  }

  // ------------------------------------------------------------------------
  // Pull API
  // ------------------------------------------------------------------------

  /**
   * The next shell message nobody waited for (a reply to a request sent
   * without `reply`/`handle`, ...).
   *
   * @throws KernelTimeoutError when none came within `timeout` ms (default: wait forever).
   */
  getShellMsg(options: { timeout?: number } = {}): Promise<Message> {
    return this.#queues.shell.get(options);
  }

  /** The next iopub message not taken by a handle or by `comms`; see {@link getShellMsg}. */
  getIopubMsg(options: { timeout?: number } = {}): Promise<Message> {
    return this.#queues.iopub.get(options);
  }

  /** The next stdin message (`input_request`) not taken by `executeInteractive`; see {@link getShellMsg}. */
  getStdinMsg(options: { timeout?: number } = {}): Promise<Message> {
    return this.#queues.stdin.get(options);
  }

  /** The next control message nobody waited for; see {@link getShellMsg}. */
  getControlMsg(options: { timeout?: number } = {}): Promise<Message> {
    return this.#queues.control.get(options);
  }

  // ------------------------------------------------------------------------
  // Higher level
  // ------------------------------------------------------------------------

  /**
   * Waits until the kernel answers `kernel_info_request` on shell and iopub
   * is seen to deliver (any message), asking again every second (every
   * 100 ms once shell has answered). Then, as Python, empties the iopub pull
   * queue. Stopping the channels ends the wait (ChannelsNotRunningError).
   *
   * @throws KernelTimeoutError after `timeout` ms (default 60000); KernelDiedError when the heartbeat declares the kernel dead.
   * @example
   * await kc.startChannels();
   * const info = await kc.waitForReady({ timeout: 30_000 });
   * console.log(info.content.implementation);
   */
  async waitForReady(options: { timeout?: number } = {}): Promise<ReplyMessage<"kernel_info_request">> {
    const timeout = options.timeout ?? 60_000;
    if (!this.#sockets.shell) throw new ChannelsNotRunningError("shell", "waitForReady needs the shell channel: call startChannels() first");
    if (this.#dead) throw new KernelDiedError("the kernel is dead (its heartbeat stopped) before it was ready");
    const deadline = Date.now() + timeout;
    let reply: ReplyMessage<"kernel_info_request"> | undefined;
    const handles: RequestHandle<"kernel_info_request">[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const offDead = this.on("dead", (error) => {
      failure = error;
      wake?.();
    });
    const onIopub = (): void => wake?.();
    this.#iopubListeners.add(onIopub);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      let lastSend = 0;
      for (;;) {
        if (failure) throw failure;
        if (!this.#sockets.shell) throw new ChannelsNotRunningError("shell", "the client's channels were stopped while waiting for the kernel to be ready");
        if (reply && (this.#iopubSeen || !this.#sockets.iopub)) break;
        const now = Date.now();
        if (now >= deadline) {
          throw new KernelTimeoutError(
            timeout,
            `the kernel did not become ready within ${timeout} ms (${reply ? "it replied on shell but nothing came on iopub" : "no kernel_info_reply on shell"}); is it running, and is the connection info right?`,
          );
        }
        // A SUB socket misses what was published before it joined: ask again
        // until a request's status shows up on iopub too; soon once the kernel
        // has answered on shell (the SUB is then at most a reconnect behind).
        const interval = reply ? 100 : 1000;
        if (now - lastSend >= interval) {
          lastSend = now;
          const h = this.kernelInfo({ handle: true });
          handles.push(h);
          h.reply.then((r) => {
            reply ??= r;
            wake?.();
          }, () => undefined);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(Math.max(0, interval - (Date.now() - lastSend)), Math.max(0, deadline - Date.now())));
        });
        clearTimeout(timer);
        wake = undefined;
      }
    } finally {
      clearTimeout(timer);
      offDead();
      this.#iopubListeners.delete(onIopub);
      // Replies to the extra requests go nowhere; their iopub messages neither.
      for (const h of handles) {
        this.#ignored.add(h.msgId);
        (h as PendingRequest).fail(new KernelTimeoutError(0, "superseded kernel_info_request"));
      }
    }
    // Nothing on stdin answers a request, so readiness there is the socket's
    // own handshake: an input_request sent before it would be lost.
    if (this.#stdinConnected) {
      const left = Math.max(0, deadline - Date.now());
      let stdinTimer: ReturnType<typeof setTimeout> | undefined;
      const connected = await Promise.race([
        this.#stdinConnected.then(() => true),
        new Promise<false>((resolve) => (stdinTimer = setTimeout(() => resolve(false), left))),
      ]);
      clearTimeout(stdinTimer);
      if (!connected) {
        throw new KernelTimeoutError(timeout, `the kernel answered on shell and iopub but its stdin channel (${this.connection.makeUrl("stdin")}) did not connect within ${timeout} ms`);
      }
    }
    this.#queues.iopub.drain();
    return reply;
  }

  /**
   * Runs code and shows its output as it comes, answering input requests:
   * Python's `execute_interactive`. Resolves with the `execute_reply`.
   *
   * @throws KernelTimeoutError when the reply and idle status did not come within `timeout` ms.
   * @example
   * const reply = await kc.executeInteractive("name = input('who? '); print(name)", {
   *   stdinHook: () => "Ada",
   * });
   */
  async executeInteractive(code: string, options: ExecuteInteractiveOptions = {}): Promise<ReplyMessage<"execute_request">> {
    const { outputHook = defaultOutputHook, stdinHook = defaultStdinHook, timeout, ...rest } = options;
    const allowStdin = rest.allowStdin ?? this.allowStdin;
    if (!this.#sockets.iopub) throw new ChannelsNotRunningError("iopub", "executeInteractive needs the iopub channel: call startChannels() first");
    if (allowStdin && !this.#sockets.stdin) {
      throw new ChannelsNotRunningError("stdin", "executeInteractive with allowStdin needs the stdin channel; start it or pass allowStdin: false");
    }
    const handle = this.execute(code, { ...rest, allowStdin, handle: true, ...(timeout === undefined ? {} : { timeout }) });
    let hookError: Error | undefined;
    if (allowStdin) {
      this.#stdinHooks.set(handle.msgId, (msg) => {
        Promise.resolve()
          .then(() => stdinHook(msg as unknown as Message<"input_request">))
          .then((value) => this.input(value))
          .catch((error: unknown) => {
            hookError = error instanceof Error ? error : new Error(String(error));
            (handle as PendingRequest).fail(hookError);
          });
      });
    }
    try {
      for await (const msg of handle) await outputHook(msg);
      return await handle.done;
    } finally {
      this.#stdinHooks.delete(handle.msgId);
    }
  }
}
