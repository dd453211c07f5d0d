import type { JupyterMessage } from "@jupyter-ts/protocol";
import { Comm, callHandlers, commInternals } from "./comm.js";
import { CommError } from "./errors.js";
import type { CommLogger, CommSendOptions, CommTargetHandler, CommTransport } from "./types.js";

const COMM_TYPES: ReadonlySet<string> = new Set(["comm_open", "comm_msg", "comm_close"]);

const consoleLogger: CommLogger = {
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
  warn: (message) => console.warn(message),
};

/** Options of {@link CommManager.createComm}. */
export interface CreateCommOptions extends CommSendOptions {
  /** The `data` of the `comm_open`. */
  data?: Record<string, unknown>;
  /** Defaults to a new UUID. */
  commId?: string;
  /** Sent as `target_module` when set. */
  targetModule?: string;
}

/**
 * Keeps the comms and comm targets of one side of a kernel connection, and
 * routes `comm_open` / `comm_msg` / `comm_close` to them. The same class
 * serves a client (sending on shell) and a kernel (publishing on IOPub).
 *
 * Handlers never throw into {@link handleMessage}: failures are logged, and a
 * target handler that fails gets its comm closed. Messages of one comm reach
 * its handlers in order; a handler's promise holds back that comm's next
 * message until it settles (as JupyterLab does).
 *
 * @example
 * const comms = new CommManager({ send: (type, content, opts) => kernel.sendShell(type, content, opts) });
 * comms.registerTarget("echo", (comm) => comm.onMsg((msg) => comm.send(msg.content.data)));
 * onMessage((msg) => comms.handleMessage(msg));
 */
export class CommManager {
  /** Where this manager's comms send. */
  readonly transport: CommTransport;
  /** Where failures are reported; `console` by default. */
  readonly logger: CommLogger;

  readonly #targets = new Map<string, CommTargetHandler>();
  readonly #comms = new Map<string, Comm>();

  constructor(transport: CommTransport, options: { logger?: CommLogger } = {}) {
    this.transport = transport;
    this.logger = options.logger ?? consoleLogger;
  }

  /** Target name to handler. */
  get targets(): ReadonlyMap<string, CommTargetHandler> {
    return this.#targets;
  }

  /** Comm id to open comm. */
  get comms(): ReadonlyMap<string, Comm> {
    return this.#comms;
  }

  /** Handles `comm_open`s for `name` from now on (replacing any earlier handler). */
  registerTarget(name: string, handler: CommTargetHandler): void {
    this.#targets.set(name, handler);
  }

  /** Stops handling `name`: later `comm_open`s for it are answered with `comm_close`. Open comms stay. */
  unregisterTarget(name: string): void {
    this.#targets.delete(name);
  }

  /**
   * Opens a comm to `targetName` on the other side: registers it and sends `comm_open`.
   *
   * @throws CommError (`ERR_COMM_EXISTS`) when `commId` is already in use.
   */
  createComm(targetName: string, options: CreateCommOptions = {}): Comm {
    if (options.commId !== undefined && this.#comms.has(options.commId)) {
      throw new CommError(`comm ${options.commId} already exists (target '${this.#comms.get(options.commId)?.targetName}'); leave commId out to get a new id`, {
        code: "ERR_COMM_EXISTS",
      });
    }
    const comm = new Comm(this, targetName, {
      ...(options.commId !== undefined && { commId: options.commId }),
      ...(options.targetModule !== undefined && { targetModule: options.targetModule }),
    });
    this.registerComm(comm);
    const content: Record<string, unknown> = { comm_id: comm.commId, target_name: targetName, data: options.data ?? {} };
    if (options.targetModule !== undefined) content["target_module"] = options.targetModule;
    const sendOptions: CommSendOptions = {};
    if (options.metadata !== undefined) sendOptions.metadata = options.metadata;
    if (options.buffers !== undefined) sendOptions.buffers = options.buffers;
    try {
      this.transport.send("comm_open", content, sendOptions);
    } catch (error) {
      this.unregisterComm(comm);
      throw error;
    }
    return comm;
  }

  /**
   * Adds a comm made with `new Comm(manager, ...)`; returns its id.
   *
   * @throws CommError (`ERR_COMM_FOREIGN`) for a comm of another manager.
   */
  registerComm(comm: Comm): string {
    if (commInternals.managerOf(comm) !== this) {
      throw new CommError(`comm ${comm.commId} (target '${comm.targetName}') belongs to another CommManager`, {
        code: "ERR_COMM_FOREIGN",
      });
    }
    this.#comms.set(comm.commId, comm);
    return comm.commId;
  }

  /** Removes a comm (without closing it). */
  unregisterComm(comm: Comm): void {
    if (this.#comms.get(comm.commId) === comm) this.#comms.delete(comm.commId);
  }

  /** The open comm with this id. */
  getComm(commId: string): Comm | undefined {
    return this.#comms.get(commId);
  }

  /**
   * Feed every received message here. Returns true for a comm message (it was
   * dispatched, answered or logged), false for any other type. Never throws.
   */
  handleMessage(msg: JupyterMessage): boolean {
    const msgType = msg.header?.msg_type ?? msg.msg_type;
    if (msgType === undefined || !COMM_TYPES.has(msgType)) return false;
    try {
      if (msgType === "comm_open") this.commOpen(msg as JupyterMessage<"comm_open">);
      else if (msgType === "comm_msg") this.commMsg(msg as JupyterMessage<"comm_msg">);
      else this.commClose(msg as JupyterMessage<"comm_close">);
    } catch (error) {
      this.logger.error(`failed to handle ${msgType}`, error);
    }
    return true;
  }

  /** Handles a `comm_open`: runs its target's handler, or answers `comm_close` when there is none. */
  commOpen(msg: JupyterMessage<"comm_open">): void {
    const content = this.#content(msg);
    if (content === undefined) return;
    const { comm_id: commId, target_name: targetName, target_module: targetModule } = content;
    if (typeof targetName !== "string") {
      this.logger.error(`comm_open for comm ${commId} has no target_name; ignored`);
      return;
    }
    if (this.#comms.has(commId)) this.logger.warn?.(`comm_open for comm ${commId}, which is already open; replacing it`);
    const comm = new Comm(this, targetName, {
      commId,
      ...(typeof targetModule === "string" && { targetModule }),
    });
    this.registerComm(comm);
    const handler = this.#targets.get(targetName);
    if (handler === undefined) {
      const known = [...this.#targets.keys()].join(", ") || "none";
      this.logger.error(`no comm target '${targetName}' for comm ${commId}; registered: ${known}. Closing it (call registerTarget first)`);
      this.#closeQuietly(comm);
      return;
    }
    commInternals.enqueue(comm, () => {
      const onError = (error: unknown): void => {
        this.logger.error(`comm target '${targetName}' failed to open comm ${commId}; closing it`, error);
        this.#closeQuietly(comm);
      };
      return callHandlers([handler], [comm, msg], onError);
    });
  }

  /** Handles a `comm_msg`: passes it to its comm's `onMsg` handlers. */
  commMsg(msg: JupyterMessage<"comm_msg">): void {
    const comm = this.#find(msg);
    if (comm !== undefined) commInternals.enqueue(comm, () => commInternals.dispatchMsg(comm, msg));
  }

  /** Handles a `comm_close`: closes its comm here without answering, and calls its `onClose` handlers. */
  commClose(msg: JupyterMessage<"comm_close">): void {
    const comm = this.#find(msg);
    if (comm !== undefined) commInternals.enqueue(comm, () => commInternals.closeFromRemote(comm, msg));
  }

  /**
   * The open comms as `comm_info_reply` lists them: `{ [commId]: { target_name } }`,
   * only those of `targetName` when given.
   */
  commInfo(targetName?: string): Record<string, { target_name: string }> {
    const info: Record<string, { target_name: string }> = {};
    for (const [commId, comm] of this.#comms) {
      if (targetName === undefined || comm.targetName === targetName) info[commId] = { target_name: comm.targetName };
    }
    return info;
  }

  /**
   * Closes every comm: sends `comm_close` for each (unless `notify: false`,
   * for when the other side is gone) and runs their `onClose` handlers.
   * Targets stay registered.
   */
  closeAll(options: { notify?: boolean } = {}): void {
    const notify = options.notify ?? true;
    for (const comm of [...this.#comms.values()]) {
      try {
        commInternals.closeHere(comm, notify);
      } catch (error) {
        this.logger.error(`failed to close comm ${comm.commId} (target '${comm.targetName}')`, error);
      }
      this.unregisterComm(comm);
    }
  }

  #content(msg: JupyterMessage): { comm_id: string; target_name?: unknown; target_module?: unknown } | undefined {
    const content = msg.content as { comm_id?: unknown } | null | undefined;
    if (typeof content?.comm_id !== "string") {
      this.logger.error(`${msg.header?.msg_type ?? "comm message"} without a comm_id ignored`, msg.content);
      return undefined;
    }
    return content as { comm_id: string };
  }

  #find(msg: JupyterMessage<"comm_msg" | "comm_close">): Comm | undefined {
    const content = this.#content(msg);
    if (content === undefined) return undefined;
    const comm = this.#comms.get(content.comm_id);
    if (comm === undefined) this.logger.warn?.(`${msg.header.msg_type} for unknown comm ${content.comm_id} ignored`);
    return comm;
  }

  #closeQuietly(comm: Comm): void {
    try {
      comm.close();
    } catch (error) {
      this.logger.error(`failed to send comm_close for comm ${comm.commId} (target '${comm.targetName}')`, error);
    }
  }
}
