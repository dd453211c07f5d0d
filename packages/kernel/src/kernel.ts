import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Router, XPublisher, type Socket } from "zeromq";
import { CommManager, type CommLogger } from "@jupyter-ts/comm";
import { writeConnectionFile, type ConnectionInfo } from "@jupyter-ts/connection";
import { jupyterRuntimeDir } from "@jupyter-ts/paths";
import {
  PROTOCOL_VERSION,
  newId,
  type ExecuteRequestContent,
  type HistoryRequestContent,
  type MimeBundle,
} from "@jupyter-ts/protocol";
import { Session, type Message } from "@jupyter-ts/session";
import {
  KernelBindError,
  KernelError,
  KernelInterruptedError,
  KernelStoppedError,
  StdinNotAllowedError,
} from "./errors.js";
import { InMemoryHistory } from "./history.js";
import { IoWorker } from "./io-worker.js";
import { RequestQueue, type QueuedRequest } from "./request-queue.js";
import type {
  CompleteResult,
  DisplayDataOptions,
  ExecuteContext,
  ExecuteOutcome,
  HistoryResult,
  InputOptions,
  InspectResult,
  IsCompleteResult,
  KernelLogger,
  KernelOptions,
  LanguageInfo,
  PublishOptions,
  RequestContext,
} from "./types.js";

/** The optional protocol features this base class implements. */
const SUPPORTED_FEATURES = ["kernel subshells"];

const stderrLogger: KernelLogger = {
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
  warn: (message, error) => (error === undefined ? console.warn(message) : console.warn(message, error)),
};

type State = "new" | "starting" | "running" | "stopping" | "stopped";

interface PendingInput {
  msgId: string;
  idents: Uint8Array[];
  resolve: (value: string) => void;
  reject: (error: unknown) => void;
}

/** Where the connection file is: ipykernel's lookup (cwd, then the runtime dir for a bare name). */
function resolveConnectionFile(file: string | undefined): string {
  const runtime = jupyterRuntimeDir();
  if (!file) return join(runtime, `kernel-${process.pid}.json`);
  if (existsSync(file)) return resolve(file);
  if (basename(file) === file) return join(runtime, file);
  return resolve(file);
}

function errorOutcome(error: unknown): { status: "error"; ename: string; evalue: string; traceback: string[] } {
  if (error instanceof Error) {
    const stack = typeof error.stack === "string" && error.stack !== "" ? error.stack : `${error.name}: ${error.message}`;
    return { status: "error", ename: error.name, evalue: error.message, traceback: stack.split("\n") };
  }
  return { status: "error", ename: "Error", evalue: String(error), traceback: [] };
}

function sameIdents(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => Buffer.compare(x, b[i] as Uint8Array) === 0);
}

function url(transport: "tcp" | "ipc", ip: string, port: number): string {
  if (transport === "ipc") return `ipc://${ip}-${port}`;
  const host = ip === "" || ip === "*" ? "*" : ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip;
  return `tcp://${host}:${port > 0 ? port : "*"}`;
}

async function bindSocket(socket: Socket, channel: string, transport: "tcp" | "ipc", ip: string, port: number): Promise<number> {
  const address = url(transport, ip, port);
  for (let attempt = 1; ; attempt++) {
    try {
      await socket.bind(address);
      break;
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      // A port picked by a launcher may still be held for a moment by its probe.
      if (code === "EADDRINUSE" && port > 0 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      throw new KernelBindError(
        channel,
        address,
        `cannot bind the ${channel} socket to ${address} (${code ?? String(cause)}); ${
          code === "EADDRINUSE" ? "the port is taken: free it, or leave the port at 0 to pick a free one" : "use an ip of this machine"
        }`,
        { cause },
      );
    }
  }
  if (port > 0) return port;
  const match = /:(\d+)$/.exec(socket.lastEndpoint ?? "");
  return match ? Number(match[1]) : port;
}

/** The lowest ipc suffixes `<ip>-<n>` that have no socket file. */
function pickIpcPorts(ip: string, wanted: number[]): number[] {
  const taken = new Set(wanted.filter((p) => p > 0));
  let next = 1;
  return wanted.map((p) => {
    if (p > 0) return p;
    while (taken.has(next) || existsSync(`${ip}-${next}`)) next++;
    taken.add(next);
    return next;
  });
}

/**
 * The base class of a Jupyter kernel written in TypeScript: subclass it,
 * implement `execute` (and optionally `complete`, `inspect`, `isComplete`,
 * `history`, `shutdown`, `interrupt`), and the base speaks the protocol:
 * the five sockets, signatures, busy/idle, execution counting, replies,
 * stop_on_error, stdin, comms, subshells, interrupts and shutdown.
 *
 * The heartbeat and the control channel's interrupt_request and
 * kernel_info_request are served by a worker thread, so they keep working
 * while user code blocks the main thread.
 *
 * @example
 * class EchoKernel extends Kernel {
 *   readonly implementation = "echo";
 *   readonly implementationVersion = "1.0.0";
 *   readonly languageInfo = { name: "echo", version: "1.0", mimetype: "text/plain", file_extension: ".txt" };
 *   protected async execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome> {
 *     ctx.stream("stdout", code);
 *     return { status: "ok", result: { data: { "text/plain": code } } };
 *   }
 * }
 * await serveKernel((options) => new EchoKernel(options));
 */
export abstract class Kernel {
  /** The kernel's name in `kernel_info_reply` (`implementation`). */
  abstract readonly implementation: string;
  /** Its version (`implementation_version`). */
  abstract readonly implementationVersion: string;
  /** The language it runs (`language_info`). */
  abstract readonly languageInfo: LanguageInfo;
  /** Shown by consoles on connect. */
  readonly banner: string = "";
  /** Links for the frontend's help menu. */
  readonly helpLinks: Array<{ text: string; url: string }> = [];
  /**
   * The kernel's comms: register targets here; comms opened here publish on
   * IOPub. `comm_open`/`comm_msg`/`comm_close` and `comm_info_request` from
   * frontends are routed to it by the base class.
   */
  readonly comms: CommManager;
  /** Resolves when the kernel has stopped (shutdown_request, parent died, `stop()`). */
  readonly stopped: Promise<void>;

  static #current: Kernel | undefined;

  readonly #options: KernelOptions;
  readonly #logger: KernelLogger;
  readonly #connectionFile: string;
  readonly #als = new AsyncLocalStorage<Message>();
  readonly #history = new InMemoryHistory();
  readonly #running = new Set<AbortController>();
  readonly #pendingInputs: PendingInput[] = [];
  readonly #pendingSends = new Set<Promise<unknown>>();
  readonly #subshells = new Map<string, RequestQueue>();
  readonly #mainQueue: RequestQueue;
  readonly #controlQueue: RequestQueue;
  #resolveStopped!: () => void;
  #state: State = "new";
  #starting: Promise<void> | undefined;
  #session: Session | undefined;
  #info: ConnectionInfo | undefined;
  #ownsFile = false;
  #shell: Router | undefined;
  #stdin: Router | undefined;
  #iopub: XPublisher | undefined;
  #worker: IoWorker | undefined;
  #executionCount = 0;
  #lastParent: Message | undefined;
  #handledInterrupt = 0;
  #rejected = 0;
  #parentTimer: ReturnType<typeof setInterval> | undefined;
  #onSigint: (() => void) | undefined;
  #onSigterm: (() => void) | undefined;

  constructor(options: KernelOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? stderrLogger;
    this.#connectionFile = resolveConnectionFile(options.connectionFile);
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    const onError = (error: unknown): void => this.#logger.error("kernel: a request handler failed", error);
    this.#mainQueue = new RequestQueue(null, (item, queue) => this.#handleShell(item, queue), onError);
    this.#controlQueue = new RequestQueue(null, (item) => this.#handleControl(item), onError);
    const commLogger: CommLogger = {
      error: (message, error) => this.#logger.error(`kernel comms: ${message}`, error),
      warn: (message) => this.#logger.warn(`kernel comms: ${message}`),
    };
    this.comms = new CommManager(
      {
        send: (msgType, content, sendOptions) =>
          this.#publish(msgType, content, this.#als.getStore() ?? this.#lastParent, sendOptions),
      },
      { logger: commLogger },
    );
  }

  /** The running kernel of this process (the last one started and not stopped), if any. */
  static current(): Kernel | undefined {
    return Kernel.#current;
  }

  /** The connection file's absolute path (written at `start()` when it did not exist). */
  get connectionFile(): string {
    return this.#connectionFile;
  }

  /** The connection info with the bound ports; undefined before `start()`. */
  get connectionInfo(): ConnectionInfo | undefined {
    return this.#info;
  }

  /** True when this kernel wrote its connection file (it removes it again on stop). */
  get ownsConnectionFile(): boolean {
    return this.#ownsFile;
  }

  /** The session that signs this kernel's messages; undefined before `start()`. */
  get session(): Session | undefined {
    return this.#session;
  }

  /** The current execution count. */
  get executionCount(): number {
    return this.#executionCount;
  }

  /** Messages rejected as unreadable, badly signed or replayed. */
  get rejectedMessages(): number {
    return this.#rejected;
  }

  /** The ids of the open subshells. */
  get subshellIds(): string[] {
    return [...this.#subshells.keys()];
  }

  /** The content of `kernel_info_reply`. */
  kernelInfo(): Record<string, unknown> {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: this.implementation,
      implementation_version: this.implementationVersion,
      language_info: { ...this.languageInfo },
      banner: this.banner,
      help_links: this.helpLinks,
      debugger: false,
      supported_features: SUPPORTED_FEATURES,
    };
  }

  // ------------------------------------------------------------------------
  // Hooks
  // ------------------------------------------------------------------------

  /**
   * Runs `code`. Publish output through `ctx`; return the result. A thrown
   * error becomes an `error` outcome (its name, message and stack).
   */
  protected abstract execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome>;

  /** Completions at `cursorPos` (code points). Default: none. */
  protected complete(code: string, cursorPos: number, ctx: RequestContext): Promise<CompleteResult> {
    void code;
    void ctx;
    return Promise.resolve({ matches: [], cursor_start: cursorPos, cursor_end: cursorPos, metadata: {} });
  }

  /** Help on the object at `cursorPos`. Default: nothing found. */
  protected inspect(code: string, cursorPos: number, detailLevel: 0 | 1, ctx: RequestContext): Promise<InspectResult> {
    void code;
    void cursorPos;
    void detailLevel;
    void ctx;
    return Promise.resolve({ found: false, data: {}, metadata: {} });
  }

  /** Whether `code` is ready to run. Default: `unknown`. */
  protected isComplete(code: string, ctx: RequestContext): Promise<IsCompleteResult> {
    void code;
    void ctx;
    return Promise.resolve({ status: "unknown" });
  }

  /** Default: the base records every executed input (store_history) and answers tail/range/search itself. */
  protected history(request: HistoryRequestContent, ctx: RequestContext): Promise<HistoryResult> {
    void ctx;
    return Promise.resolve({ history: this.#history.query(request) });
  }

  /** Called on shutdown_request, before the reply is sent. */
  protected shutdown(restart: boolean): Promise<void> {
    void restart;
    return Promise.resolve();
  }

  /** Called on interrupt_request and SIGINT, after `ctx.signal` of running requests is aborted. */
  protected interrupt(): void {}

  // ------------------------------------------------------------------------
  // Lifecycle
  // ------------------------------------------------------------------------

  /**
   * Binds the five sockets (from the connection file, or free ports), writes
   * the connection file if it did not exist, and starts serving.
   *
   * @throws KernelBindError when a socket cannot be bound; KernelError when
   *   the kernel was already started or the connection file is unreadable.
   */
  start(): Promise<void> {
    if (this.#state !== "new") {
      return Promise.reject(new KernelError(`kernel already ${this.#state}; make a new Kernel to start another`, { code: "ERR_KERNEL_STARTED" }));
    }
    this.#state = "starting";
    this.#starting = this.#start().catch(async (error: unknown) => {
      await this.#teardown();
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { info, existed, complete } = await this.#loadConnectionInfo();
    const session = new Session({ key: info.key, signatureScheme: info.signature_scheme });
    this.#session = session;
    const transport = info.transport;
    if (transport === "ipc") {
      const ports = pickIpcPorts(info.ip, [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port]);
      [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port] = ports as [number, number, number, number, number];
    }
    this.#shell = new Router({ linger: 1000 });
    this.#stdin = new Router({ linger: 1000 });
    const iopub = new XPublisher({ linger: 1000 });
    // Every subscription, even to a topic someone already has, gets a welcome.
    iopub.verbosity = "allSubs";
    this.#iopub = iopub;
    info.shell_port = await bindSocket(this.#shell, "shell", transport, info.ip, info.shell_port);
    info.stdin_port = await bindSocket(this.#stdin, "stdin", transport, info.ip, info.stdin_port);
    info.iopub_port = await bindSocket(iopub, "iopub", transport, info.ip, info.iopub_port);
    this.#worker = new IoWorker(
      {
        transport,
        ip: info.ip,
        hbPort: info.hb_port,
        controlPort: info.control_port,
        key: info.key,
        signatureScheme: info.signature_scheme,
        session: session.session,
        username: session.username,
        raiseSigint: this.#options.handleSignals ?? true,
        kernelInfo: this.kernelInfo(),
      },
      {
        control: (frames) => this.#onControlFrames(frames),
        answered: (frames, interrupt) => this.#onAnswered(frames, interrupt),
      },
      this.#logger,
    );
    try {
      const ports = await this.#worker.bound();
      info.hb_port = ports.hbPort;
      info.control_port = ports.controlPort;
    } catch (error) {
      const e = error as Error & { channel?: string; url?: string; code?: string };
      throw new KernelBindError(
        e.channel ?? "control",
        e.url ?? "",
        `cannot bind the ${e.channel ?? "control"} socket to ${e.url ?? "?"} (${e.code ?? e.message})`,
        { cause: error },
      );
    }
    this.#info = info;
    if (!existed || !complete) {
      await mkdir(dirname(this.#connectionFile), { recursive: true, mode: 0o700 });
      await writeConnectionFile({
        fname: this.#connectionFile,
        shellPort: info.shell_port,
        iopubPort: info.iopub_port,
        stdinPort: info.stdin_port,
        controlPort: info.control_port,
        hbPort: info.hb_port,
        ip: info.ip,
        key: info.key,
        transport,
        signatureScheme: info.signature_scheme,
        kernelName: info.kernel_name ?? "",
      });
      this.#ownsFile = !existed;
    }
    void this.#serveShell(this.#shell);
    void this.#serveStdin(this.#stdin);
    void this.#serveIopub(iopub);
    this.#watchParent();
    if (this.#options.handleSignals ?? true) this.#installSignalHandlers();
    Kernel.#current = this;
    this.#state = "running";
    this.#logger.info?.(`kernel started: ${this.#connectionFile}`);
  }

  async #loadConnectionInfo(): Promise<{ info: ConnectionInfo; existed: boolean; complete: boolean }> {
    const file = this.#connectionFile;
    let fromFile: Record<string, unknown> = {};
    const existed = existsSync(file);
    if (existed) {
      try {
        const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
        fromFile = parsed as Record<string, unknown>;
      } catch (cause) {
        throw new KernelError(
          `connection file ${file} cannot be read as JSON (${cause instanceof Error ? cause.message : String(cause)}); remove it to let the kernel write a new one`,
          { cause, code: "ERR_CONNECTION_FILE" },
        );
      }
    }
    const merged: Record<string, unknown> = { ...fromFile, ...this.#options.connectionInfo };
    if (this.#options.ip !== undefined) merged["ip"] = this.#options.ip;
    if (this.#options.transport !== undefined) merged["transport"] = this.#options.transport;
    const transport = String(merged["transport"] ?? "tcp").toLowerCase();
    if (transport !== "tcp" && transport !== "ipc") {
      throw new KernelError(`transport must be "tcp" or "ipc", got ${JSON.stringify(merged["transport"])}`, { code: "ERR_INVALID_CONNECTION_INFO" });
    }
    const port = (name: string): number => {
      const value = Number(merged[name] ?? 0);
      return Number.isInteger(value) && value > 0 ? value : 0;
    };
    const ip = typeof merged["ip"] === "string" && merged["ip"] !== "" ? merged["ip"] : transport === "ipc" ? `${file.replace(/\.json$/, "")}-ipc` : "127.0.0.1";
    const key = typeof merged["key"] === "string" ? merged["key"] : existed ? "" : newId();
    const info: ConnectionInfo = {
      shell_port: port("shell_port"),
      iopub_port: port("iopub_port"),
      stdin_port: port("stdin_port"),
      control_port: port("control_port"),
      hb_port: port("hb_port"),
      ip,
      key,
      transport,
      signature_scheme: typeof merged["signature_scheme"] === "string" ? merged["signature_scheme"] : "hmac-sha256",
      kernel_name: typeof merged["kernel_name"] === "string" ? merged["kernel_name"] : "",
    };
    const complete = info.shell_port > 0 && info.iopub_port > 0 && info.stdin_port > 0 && info.control_port > 0 && info.hb_port > 0;
    return { info, existed, complete };
  }

  #watchParent(): void {
    const fromEnv = Number(process.env["JPY_PARENT_PID"]);
    const ppid = this.#options.parentPid ?? (Number.isInteger(fromEnv) ? fromEnv : 0);
    if (!Number.isInteger(ppid) || ppid <= 1 || ppid === process.pid) return;
    const wasChild = process.ppid === ppid;
    this.#parentTimer = setInterval(() => {
      let dead = false;
      try {
        process.kill(ppid, 0);
      } catch (error) {
        dead = (error as NodeJS.ErrnoException).code === "ESRCH";
      }
      // A dead parent that is not yet reaped still answers kill(0); being re-parented tells.
      if (!dead && wasChild && process.ppid !== ppid) dead = true;
      if (dead) {
        this.#logger.warn(`kernel: parent process ${ppid} is gone; stopping`);
        void this.stop();
      }
    }, 1000);
    this.#parentTimer.unref();
  }

  #installSignalHandlers(): void {
    this.#onSigint = () => {
      const worker = this.#worker;
      if (worker) this.#handledInterrupt = Atomics.load(worker.interruptSeq, 0);
      this.#interruptNow();
    };
    this.#onSigterm = () => {
      void this.stop().then(() => {
        // Exit even if user code left timers or sockets behind.
        setTimeout(() => process.exit(0), 1000).unref();
      });
    };
    process.on("SIGINT", this.#onSigint);
    process.on("SIGTERM", this.#onSigterm);
  }

  /**
   * Stops serving: aborts running requests, closes comms (without notifying),
   * closes the sockets, ends the I/O thread, and removes the connection file
   * if this kernel wrote it. Resolves {@link stopped}.
   */
  async stop(): Promise<void> {
    if (this.#state === "new") {
      this.#state = "stopped";
      this.#resolveStopped();
      return;
    }
    if (this.#state === "starting") {
      await this.#starting?.catch(() => undefined);
    }
    if (this.#state === "stopping" || this.#state === "stopped") return this.stopped;
    await this.#teardown();
  }

  /** Same as {@link stop}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #teardown(): Promise<void> {
    this.#state = "stopping";
    if (this.#parentTimer !== undefined) clearInterval(this.#parentTimer);
    if (this.#onSigterm) process.off("SIGTERM", this.#onSigterm);
    for (const controller of this.#running) controller.abort(new KernelStoppedError());
    this.comms.closeAll({ notify: false });
    // Let queued publishes (a shutdown_reply, the last idle) reach zeromq.
    await Promise.race([Promise.allSettled([...this.#pendingSends]), new Promise((r) => setTimeout(r, 1000).unref())]);
    for (const socket of [this.#shell, this.#stdin, this.#iopub]) {
      try {
        socket?.close();
      } catch (error) {
        this.#logger.warn("kernel: closing a socket failed", error);
      }
    }
    await this.#worker?.stop();
    // Only now: until the I/O thread is gone it may raise SIGINT, which must not kill us.
    if (this.#onSigint) process.off("SIGINT", this.#onSigint);
    if (this.#ownsFile) await rm(this.#connectionFile, { force: true }).catch(() => undefined);
    const info = this.#info;
    if (info?.transport === "ipc") {
      // zeromq leaves the socket files of bound ipc sockets behind; they are ours.
      const ports = [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port];
      await Promise.all(ports.map((port) => rm(`${info.ip}-${port}`, { force: true }).catch(() => undefined)));
    }
    if (Kernel.#current === this) Kernel.#current = undefined;
    this.#state = "stopped";
    this.#logger.info?.("kernel stopped");
    this.#resolveStopped();
  }

  // ------------------------------------------------------------------------
  // Sending
  // ------------------------------------------------------------------------

  #track(sent: Promise<unknown>, what: string): void {
    const tracked = sent.then(
      () => undefined,
      (error: unknown) => {
        if (this.#state === "running") this.#logger.error(`kernel: sending ${what} failed`, error);
      },
    );
    this.#pendingSends.add(tracked);
    void tracked.finally(() => this.#pendingSends.delete(tracked));
  }

  #publish(msgType: string, content: Record<string, unknown>, parent: Message | undefined, options: PublishOptions = {}): void {
    const session = this.#session;
    const iopub = this.#iopub;
    if (session === undefined || iopub === undefined || this.#state === "stopped") {
      this.#logger.warn(`kernel: ${msgType} not published: the kernel is not running`);
      return;
    }
    const msg = session.msg(msgType, {
      content,
      parent: parent ?? null,
      ...(options.metadata !== undefined && { metadata: options.metadata }),
      ...(options.buffers !== undefined && { buffers: options.buffers }),
    });
    this.#track(session.send(iopub, msg, { ident: `kernel.${session.session}.${msgType}` }), msgType);
  }

  #status(state: "busy" | "idle", parent: Message): void {
    this.#publish("status", { execution_state: state }, parent);
  }

  async #reply(
    channel: "shell" | "control",
    item: { msg: Message; idents: Uint8Array[] },
    msgType: string,
    content: Record<string, unknown>,
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    const msg = session.msg(msgType, { content, parent: item.msg, ...(metadata !== undefined && { metadata }) });
    if (channel === "control") {
      this.#worker?.send(session.serialize(msg, { ident: item.idents }));
      return;
    }
    const shell = this.#shell;
    if (shell === undefined) return;
    const sent = session.send(shell, msg, { ident: item.idents });
    this.#track(sent, msgType);
    await sent.catch(() => undefined);
  }

  // ------------------------------------------------------------------------
  // Receiving
  // ------------------------------------------------------------------------

  #read(frames: Uint8Array[], channel: string): { msg: Message; idents: Uint8Array[] } | undefined {
    const session = this.#session;
    if (session === undefined) return undefined;
    try {
      const [idents, rest] = session.feedIdentities(frames);
      return { msg: session.deserialize(rest), idents };
    } catch (error) {
      this.#rejected++;
      this.#logger.warn(`kernel: ${channel} message rejected: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  async #receiveLoop(socket: Router | XPublisher, channel: string, onFrames: (frames: Uint8Array[]) => void): Promise<void> {
    for (;;) {
      let frames: Uint8Array[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (this.#state === "running" || this.#state === "starting") this.#logger.error(`kernel: ${channel} socket failed; no longer reading it`, error);
        return;
      }
      try {
        onFrames(frames);
      } catch (error) {
        this.#logger.error(`kernel: handling a ${channel} message failed`, error);
      }
    }
  }

  #serveShell(shell: Router): Promise<void> {
    return this.#receiveLoop(shell, "shell", (frames) => {
      const read = this.#read(frames, "shell");
      if (read === undefined) return;
      const { msg, idents } = read;
      this.#logger.debug?.(`kernel: shell ${msg.header.msg_type} ${msg.header.msg_id}`);
      const subshellId = typeof msg.header.subshell_id === "string" ? msg.header.subshell_id : null;
      const queue = subshellId === null ? this.#mainQueue : this.#subshells.get(subshellId);
      if (queue === undefined) {
        void this.#unknownSubshell({ msg, idents, abort: false }, subshellId as string);
        return;
      }
      queue.push(msg, idents);
    });
  }

  #serveStdin(stdin: Router): Promise<void> {
    return this.#receiveLoop(stdin, "stdin", (frames) => {
      const read = this.#read(frames, "stdin");
      if (read === undefined) return;
      const { msg, idents } = read;
      if (msg.header.msg_type !== "input_reply") {
        this.#logger.warn(`kernel: unexpected ${msg.header.msg_type} on stdin ignored`);
        return;
      }
      const parentId = (msg.parent_header as { msg_id?: unknown }).msg_id;
      let index = this.#pendingInputs.findIndex((p) => p.msgId === parentId);
      if (index < 0) index = this.#pendingInputs.findIndex((p) => sameIdents(p.idents, idents));
      if (index < 0) index = this.#pendingInputs.length > 0 ? 0 : -1;
      if (index < 0) {
        this.#logger.warn("kernel: input_reply with no input_request waiting ignored");
        return;
      }
      const [pending] = this.#pendingInputs.splice(index, 1);
      const value = (msg.content as { value?: unknown }).value;
      pending?.resolve(typeof value === "string" ? value : String(value ?? ""));
    });
  }

  #serveIopub(iopub: XPublisher): Promise<void> {
    return this.#receiveLoop(iopub, "iopub", (frames) => {
      const frame = frames[0];
      if (frame === undefined || frame[0] !== 1) return;
      const topic = frame.subarray(1);
      const session = this.#session;
      if (session === undefined) return;
      // The welcome must match the new subscription's prefix to reach it.
      const ident = topic.byteLength > 0 ? new Uint8Array(topic) : `kernel.${session.session}.iopub_welcome`;
      const msg = session.msg("iopub_welcome", { content: { subscription: Buffer.from(topic).toString("utf8") } });
      this.#track(session.send(iopub, msg, { ident }), "iopub_welcome");
    });
  }

  #onControlFrames(frames: Uint8Array[]): void {
    const read = this.#read(frames, "control");
    if (read === undefined) return;
    this.#logger.debug?.(`kernel: control ${read.msg.header.msg_type} ${read.msg.header.msg_id}`);
    this.#controlQueue.push(read.msg, read.idents);
  }

  /** A control request the I/O thread already answered: publish its busy/idle, run the interrupt hook. */
  #onAnswered(frames: Uint8Array[], interrupt: number): void {
    const read = this.#read(frames, "control");
    if (read !== undefined) {
      this.#status("busy", read.msg);
      this.#status("idle", read.msg);
    }
    if (interrupt === 0) return;
    // The SIGINT the thread raised normally reaches our handler first; when
    // `vm` code run with breakOnSigint took it instead, run the hook here.
    setTimeout(() => {
      if (this.#handledInterrupt >= interrupt || this.#state !== "running") return;
      this.#handledInterrupt = interrupt;
      this.#interruptNow();
    }, 50).unref();
  }

  #interruptNow(): void {
    for (const controller of this.#running) controller.abort(new KernelInterruptedError());
    try {
      this.interrupt();
    } catch (error) {
      this.#logger.error("kernel: interrupt() failed", error);
    }
  }

  // ------------------------------------------------------------------------
  // Requests
  // ------------------------------------------------------------------------

  #context(item: QueuedRequest, subshellId: string | null): { ctx: RequestContext; done: () => void } {
    const controller = new AbortController();
    this.#running.add(controller);
    const { msg, idents } = item;
    const publish = (msgType: string, content: Record<string, unknown>, options?: PublishOptions): void =>
      this.#publish(msgType, content, msg, options);
    const ctx: RequestContext = {
      parent: msg,
      subshellId,
      signal: controller.signal,
      publish,
      stream: (name, text) => publish("stream", { name, text }),
      displayData: (data: MimeBundle, options: DisplayDataOptions = {}) => {
        if (options.update === true && options.displayId === undefined) {
          throw new KernelError("displayData with update: true needs a displayId (the id of the display to replace)", {
            code: "ERR_DISPLAY_ID_REQUIRED",
          });
        }
        const content: Record<string, unknown> = { data, metadata: options.metadata ?? {} };
        content["transient"] = options.displayId === undefined ? {} : { display_id: options.displayId };
        publish(options.update === true ? "update_display_data" : "display_data", content);
      },
      clearOutput: (options = {}) => publish("clear_output", { wait: options.wait ?? false }),
      input: (prompt = "", options: InputOptions = {}) => this.#input(msg, idents, controller.signal, prompt, options),
    };
    return { ctx, done: () => void this.#running.delete(controller) };
  }

  #input(parent: Message, idents: Uint8Array[], signal: AbortSignal, prompt: string, options: InputOptions): Promise<string> {
    const content = parent.content as Partial<ExecuteRequestContent>;
    if (parent.header.msg_type !== "execute_request" || content.allow_stdin !== true) {
      return Promise.reject(
        new StdinNotAllowedError(
          parent.header.msg_type === "execute_request"
            ? "input() was called, but this frontend does not take input: its execute_request has allow_stdin false"
            : `input() was called while handling ${parent.header.msg_type}; only execute requests with allow_stdin true can ask for input`,
        ),
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason instanceof KernelError ? signal.reason : new KernelInterruptedError());
    const session = this.#session;
    const stdin = this.#stdin;
    if (session === undefined || stdin === undefined) return Promise.reject(new KernelStoppedError());
    const request = session.msg("input_request", { content: { prompt, password: options.password === true }, parent });
    return new Promise<string>((resolvePromise, rejectPromise) => {
      const onAbort = (): void => {
        remove();
        rejectPromise(signal.reason instanceof KernelError ? signal.reason : new KernelInterruptedError("input() interrupted"));
      };
      const pending: PendingInput = {
        msgId: request.msg_id,
        idents,
        resolve: (value) => {
          signal.removeEventListener("abort", onAbort);
          resolvePromise(value);
        },
        reject: rejectPromise,
      };
      const remove = (): void => {
        const index = this.#pendingInputs.indexOf(pending);
        if (index >= 0) this.#pendingInputs.splice(index, 1);
      };
      this.#pendingInputs.push(pending);
      signal.addEventListener("abort", onAbort, { once: true });
      session.send(stdin, request, { ident: idents }).catch((error: unknown) => {
        remove();
        signal.removeEventListener("abort", onAbort);
        rejectPromise(error);
      });
    });
  }

  async #unknownSubshell(item: QueuedRequest, subshellId: string): Promise<void> {
    const type = item.msg.header.msg_type;
    this.#logger.warn(`kernel: ${type} for unknown subshell ${subshellId}`);
    this.#status("busy", item.msg);
    if (type.endsWith("_request")) {
      await this.#reply("shell", item, type.replace(/_request$/, "_reply"), {
        status: "error",
        ename: "SubshellNotFound",
        evalue: `no subshell with id ${subshellId}; create one with create_subshell_request (open: ${this.subshellIds.join(", ") || "none"})`,
        traceback: [],
      });
    }
    this.#status("idle", item.msg);
  }

  async #handleShell(item: QueuedRequest, queue: RequestQueue): Promise<void> {
    const { msg } = item;
    const type = msg.header.msg_type;
    this.#lastParent = msg;
    this.#status("busy", msg);
    try {
      switch (type) {
        case "execute_request":
          await this.#executeRequest(item, queue);
          break;
        case "comm_open":
        case "comm_msg":
        case "comm_close":
          this.#als.run(msg, () => this.comms.handleMessage(msg));
          break;
        case "comm_info_request": {
          const target = (msg.content as { target_name?: unknown }).target_name;
          const comms = this.comms.commInfo(typeof target === "string" ? target : undefined);
          await this.#reply("shell", item, "comm_info_reply", { status: "ok", comms });
          break;
        }
        case "kernel_info_request":
          await this.#reply("shell", item, "kernel_info_reply", this.kernelInfo());
          break;
        case "connect_request": {
          const info = this.#info;
          await this.#reply("shell", item, "connect_reply", {
            status: "ok",
            shell_port: info?.shell_port,
            iopub_port: info?.iopub_port,
            stdin_port: info?.stdin_port,
            hb_port: info?.hb_port,
            control_port: info?.control_port,
          });
          break;
        }
        case "shutdown_request":
          await this.#shutdownRequest("shell", item);
          break;
        case "complete_request":
        case "inspect_request":
        case "is_complete_request":
        case "history_request":
          await this.#hookRequest(item, queue.subshellId);
          break;
        default:
          this.#logger.warn(`kernel: unknown shell message type ${type} ignored`);
      }
    } finally {
      this.#status("idle", msg);
    }
  }

  async #hookRequest(item: QueuedRequest, subshellId: string | null): Promise<void> {
    const { msg } = item;
    const type = msg.header.msg_type;
    const content = msg.content as Record<string, unknown>;
    const { ctx, done } = this.#context(item, subshellId);
    const code = typeof content["code"] === "string" ? content["code"] : "";
    const cursorPos = typeof content["cursor_pos"] === "number" ? content["cursor_pos"] : [...code].length;
    let reply: Record<string, unknown>;
    try {
      reply = await this.#als.run(msg, async (): Promise<Record<string, unknown>> => {
        switch (type) {
          case "complete_request": {
            const r = await this.complete(code, cursorPos, ctx);
            return { status: "ok", matches: r.matches, cursor_start: r.cursor_start, cursor_end: r.cursor_end, metadata: r.metadata ?? {} };
          }
          case "inspect_request": {
            const level = content["detail_level"] === 1 ? 1 : 0;
            const r = await this.inspect(code, cursorPos, level, ctx);
            return { status: "ok", found: r.found, data: r.data ?? {}, metadata: r.metadata ?? {} };
          }
          case "is_complete_request": {
            const r = await this.isComplete(code, ctx);
            return r.status === "incomplete" ? { status: r.status, indent: r.indent ?? "" } : { status: r.status };
          }
          default: {
            const r = await this.history(content as unknown as HistoryRequestContent, ctx);
            return { status: "ok", history: r.history };
          }
        }
      });
    } catch (error) {
      const { ename, evalue, traceback } = errorOutcome(error);
      reply = { status: "error", ename, evalue, traceback };
    } finally {
      done();
    }
    await this.#reply("shell", item, type.replace(/_request$/, "_reply"), reply);
  }

  async #executeRequest(item: QueuedRequest, queue: RequestQueue): Promise<void> {
    const { msg } = item;
    const content = msg.content as Partial<ExecuteRequestContent>;
    const started = new Date().toISOString();
    const replyMetadata = (status: string): Record<string, unknown> => ({
      started,
      dependencies_met: true,
      engine: this.#session?.session,
      status,
    });
    if (item.abort) {
      await this.#reply("shell", item, "execute_reply", { status: "aborted" }, replyMetadata("aborted"));
      return;
    }
    const code = typeof content.code === "string" ? content.code : "";
    const silent = content.silent === true;
    const storeHistory = !silent && content.store_history !== false;
    if (!silent) {
      this.#executionCount++;
      this.#publish("execute_input", { code, execution_count: this.#executionCount }, msg);
    }
    const executionCount = this.#executionCount;
    const { ctx: base, done } = this.#context(item, queue.subshellId);
    const ctx: ExecuteContext = {
      ...base,
      executionCount,
      silent,
      storeHistory,
      userExpressions: (content.user_expressions ?? {}) as Record<string, string>,
    };
    let outcome: ExecuteOutcome;
    try {
      outcome = await this.#als.run(msg, () => this.execute(code, ctx));
      if (typeof outcome !== "object" || outcome === null || !["ok", "error", "aborted"].includes((outcome as { status?: unknown }).status as string)) {
        outcome = errorOutcome(new KernelError(`execute() returned ${JSON.stringify(outcome)}; return { status: "ok" | "error" | "aborted", ... }`, { code: "ERR_BAD_OUTCOME" }));
      }
    } catch (error) {
      outcome = errorOutcome(error);
    } finally {
      done();
    }
    let output: string | null = null;
    let reply: Record<string, unknown>;
    if (outcome.status === "ok") {
      if (outcome.result !== undefined && !silent) {
        this.#publish("execute_result", { execution_count: executionCount, data: outcome.result.data, metadata: outcome.result.metadata ?? {} }, msg);
        const text = outcome.result.data["text/plain"];
        if (typeof text === "string") output = text;
      }
      reply = { status: "ok", execution_count: executionCount, user_expressions: outcome.userExpressions ?? {}, payload: outcome.payload ?? [] };
    } else if (outcome.status === "error") {
      const error = { ename: String(outcome.ename), evalue: String(outcome.evalue), traceback: Array.isArray(outcome.traceback) ? outcome.traceback.map(String) : [] };
      this.#publish("error", error, msg);
      reply = { status: "error", execution_count: executionCount, ...error, user_expressions: {}, payload: [] };
    } else {
      reply = { status: "aborted", execution_count: executionCount };
    }
    if (storeHistory) this.#history.add(executionCount, code, output);
    if (outcome.status === "error" && content.stop_on_error !== false) queue.abortExecutes();
    await this.#reply("shell", item, "execute_reply", reply, replyMetadata(outcome.status));
  }

  async #shutdownRequest(channel: "shell" | "control", item: QueuedRequest): Promise<void> {
    const restart = (item.msg.content as { restart?: unknown }).restart === true;
    try {
      await this.shutdown(restart);
    } catch (error) {
      this.#logger.error("kernel: shutdown() failed", error);
    }
    const content = { status: "ok", restart };
    await this.#reply(channel, item, "shutdown_reply", content);
    // JupyterLab listens for it on IOPub as well.
    this.#publish("shutdown_reply", content, item.msg);
    // After the caller's idle status is queued.
    setImmediate(() => void this.stop());
  }

  async #handleControl(item: QueuedRequest): Promise<void> {
    const { msg } = item;
    const type = msg.header.msg_type;
    this.#status("busy", msg);
    try {
      switch (type) {
        case "kernel_info_request":
          await this.#reply("control", item, "kernel_info_reply", this.kernelInfo());
          break;
        case "interrupt_request":
          await this.#reply("control", item, "interrupt_reply", { status: "ok" });
          this.#interruptNow();
          break;
        case "shutdown_request":
          await this.#shutdownRequest("control", item);
          break;
        case "create_subshell_request": {
          const id = newId();
          const onError = (error: unknown): void => this.#logger.error(`kernel: a request of subshell ${id} failed`, error);
          this.#subshells.set(id, new RequestQueue(id, (queued, queue) => this.#handleShell(queued, queue), onError));
          await this.#reply("control", item, "create_subshell_reply", { status: "ok", subshell_id: id });
          break;
        }
        case "delete_subshell_request": {
          const id = (msg.content as { subshell_id?: unknown }).subshell_id;
          if (typeof id === "string" && this.#subshells.delete(id)) {
            await this.#reply("control", item, "delete_subshell_reply", { status: "ok" });
          } else {
            await this.#reply("control", item, "delete_subshell_reply", {
              status: "error",
              ename: "SubshellNotFound",
              evalue: `no subshell with id ${JSON.stringify(id)}; open: ${this.subshellIds.join(", ") || "none"}`,
              traceback: [],
            });
          }
          break;
        }
        case "list_subshell_request":
          await this.#reply("control", item, "list_subshell_reply", { status: "ok", subshell_id: this.subshellIds });
          break;
        case "debug_request":
          // No debugger (kernel_info says debugger: false): an empty reply, as ipykernel without debugpy.
          await this.#reply("control", item, "debug_reply", {});
          break;
        default:
          this.#logger.warn(`kernel: unknown control message type ${type} ignored`);
      }
    } finally {
      this.#status("idle", msg);
    }
  }
}
