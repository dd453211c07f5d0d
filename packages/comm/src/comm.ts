import { newId, type JupyterMessage } from "@jupyter-ts/protocol";
import { CommClosedError } from "./errors.js";
import type { CommManager } from "./manager.js";
import type { CommCloseHandler, CommMessageType, CommMsgHandler, CommSendOptions } from "./types.js";

/** A step of a comm's inbox; it resolves (never rejects) when its handlers are done. */
type Task = () => Promise<void> | undefined;

/** Runs every handler, logs what throws or rejects, and waits for the async ones. */
export function callHandlers<A extends unknown[]>(
  handlers: Iterable<(...args: A) => void | Promise<void>>,
  args: A,
  onError: (error: unknown) => void,
): Promise<void> | undefined {
  const pending: Promise<void>[] = [];
  for (const handler of handlers) {
    try {
      const result = handler(...args);
      if (isThenable(result)) pending.push(Promise.resolve(result).then(undefined, onError));
    } catch (error) {
      onError(error);
    }
  }
  return pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

// Set in Comm's static block: the manager's private access to a comm.
let enqueue: (comm: Comm, task: Task) => void;
let closeFromRemote: (comm: Comm, msg: JupyterMessage<"comm_close">) => Promise<void> | undefined;
let closeHere: (comm: Comm, notify: boolean) => void;
let dispatchMsg: (comm: Comm, msg: JupyterMessage<"comm_msg">) => Promise<void> | undefined;
let managerOf: (comm: Comm) => CommManager;

/** @internal The manager's side of a comm; not exported from the package. */
export const commInternals: {
  enqueue: (comm: Comm, task: Task) => void;
  closeFromRemote: (comm: Comm, msg: JupyterMessage<"comm_close">) => Promise<void> | undefined;
  closeHere: (comm: Comm, notify: boolean) => void;
  dispatchMsg: (comm: Comm, msg: JupyterMessage<"comm_msg">) => Promise<void> | undefined;
  managerOf: (comm: Comm) => CommManager;
} = {
  enqueue: (comm, task) => enqueue(comm, task),
  closeFromRemote: (comm, msg) => closeFromRemote(comm, msg),
  closeHere: (comm, notify) => closeHere(comm, notify),
  dispatchMsg: (comm, msg) => dispatchMsg(comm, msg),
  managerOf: (comm) => managerOf(comm),
};

/**
 * One end of a comm: a named, bidirectional channel between a frontend and a
 * kernel. The same class serves both sides; what differs is the transport of
 * its {@link CommManager}.
 *
 * Usually made by `manager.createComm(target)` (which sends `comm_open`) or
 * handed to a target handler when the other side opens one. The constructor
 * alone sends nothing and registers nothing.
 *
 * @example
 * const comm = manager.createComm("my_target", { data: { hello: 1 } });
 * comm.onMsg((msg) => console.log(msg.content.data));
 * comm.send({ x: 1 });
 * comm.close();
 */
export class Comm {
  /** The comm's id, unique per kernel. */
  readonly commId: string;
  /** The target the comm was opened for. */
  readonly targetName: string;
  /** The frontend module to load the target from, if the opener named one. */
  readonly targetModule: string | undefined;

  readonly #manager: CommManager;
  #closed = false;
  readonly #msgHandlers = new Set<{ fn: CommMsgHandler }>();
  readonly #closeHandlers = new Set<{ fn: CommCloseHandler }>();
  // Incoming messages wait here while an earlier handler's promise is pending.
  readonly #inbox: Task[] = [];
  #draining = false;

  constructor(manager: CommManager, targetName: string, options: { commId?: string; targetModule?: string } = {}) {
    this.#manager = manager;
    this.targetName = targetName;
    this.commId = options.commId ?? newId();
    this.targetModule = options.targetModule;
  }

  /** True once closed, by either side. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a `comm_msg` to the other side.
   *
   * @throws CommClosedError when the comm is closed.
   */
  send(data: Record<string, unknown> = {}, options: CommSendOptions = {}): void {
    if (this.#closed) throw new CommClosedError(this.commId, this.targetName);
    this.#send("comm_msg", { comm_id: this.commId, data }, options);
  }

  /**
   * Closes the comm: sends `comm_close` (once; later calls do nothing), leaves
   * the manager and calls the `onClose` handlers with `undefined`.
   */
  close(data: Record<string, unknown> = {}, options: CommSendOptions = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#send("comm_close", { comm_id: this.commId, data }, options);
    } finally {
      this.#finish(undefined);
    }
  }

  /** Calls `handler` for every `comm_msg` of this comm, in order. Returns an unsubscribe. */
  onMsg(handler: CommMsgHandler): () => void {
    const entry = { fn: handler };
    this.#msgHandlers.add(entry);
    return () => void this.#msgHandlers.delete(entry);
  }

  /** Calls `handler` once when the comm closes. Returns an unsubscribe. */
  onClose(handler: CommCloseHandler): () => void {
    const entry = { fn: handler };
    this.#closeHandlers.add(entry);
    return () => void this.#closeHandlers.delete(entry);
  }

  #send(msgType: CommMessageType, content: Record<string, unknown>, options: CommSendOptions): void {
    const sendOptions: CommSendOptions = {};
    if (options.metadata !== undefined) sendOptions.metadata = options.metadata;
    if (options.buffers !== undefined) sendOptions.buffers = options.buffers;
    this.#manager.transport.send(msgType, content, sendOptions);
  }

  /** Leaves the manager and runs the close handlers (after `#closed` is set). */
  #finish(msg: JupyterMessage<"comm_close"> | undefined): Promise<void> | undefined {
    this.#manager.unregisterComm(this);
    const handlers = [...this.#closeHandlers].map((entry) => entry.fn);
    this.#closeHandlers.clear();
    this.#msgHandlers.clear();
    return callHandlers(handlers, [msg], (error) =>
      this.#manager.logger.error(`comm ${this.commId} (target '${this.targetName}'): an onClose handler failed`, error),
    );
  }

  #drain(): void {
    this.#draining = true;
    let task: Task | undefined;
    while ((task = this.#inbox.shift()) !== undefined) {
      const pending = task();
      if (pending !== undefined) {
        void pending.then(() => this.#drain());
        return;
      }
    }
    this.#draining = false;
  }

  static {
    managerOf = (comm) => comm.#manager;
    enqueue = (comm, task) => {
      comm.#inbox.push(task);
      if (!comm.#draining) comm.#drain();
    };
    dispatchMsg = (comm, msg) => {
      if (comm.#closed) {
        comm.#manager.logger.warn?.(`comm_msg for closed comm ${comm.commId} (target '${comm.targetName}') ignored`);
        return undefined;
      }
      const handlers = [...comm.#msgHandlers].map((entry) => entry.fn);
      return callHandlers(handlers, [msg], (error) =>
        comm.#manager.logger.error(`comm ${comm.commId} (target '${comm.targetName}'): an onMsg handler failed`, error),
      );
    };
    closeFromRemote = (comm, msg) => {
      if (comm.#closed) return undefined;
      comm.#closed = true;
      return comm.#finish(msg);
    };
    closeHere = (comm, notify) => {
      if (notify) {
        comm.close();
        return;
      }
      if (comm.#closed) return;
      comm.#closed = true;
      void comm.#finish(undefined);
    };
  }
}
