import { Dealer } from "zeromq";
import type { ContentOf, RequestType } from "@jupyter-ts/protocol";
import type { Message, Session } from "@jupyter-ts/session";
import type { ManagerLogger } from "./logger.js";

/**
 * The manager's own DEALER on the kernel's control channel (Python's
 * `_control_socket`): sends shutdown and interrupt requests and matches
 * their replies, so that the manager reacts to a reply at once. Its routing
 * id is random, never the clients' (a ROUTER drops a second peer with an id
 * already connected).
 *
 * While the kernel starts it retries its connection every 10 ms (zeromq's
 * default is 100), so that {@link listening} tells within a few ms that the
 * kernel has bound its ports: a client connected after that connects at
 * once instead of on its next 100 ms retry.
 */
export class ControlChannel {
  readonly #socket: Dealer;
  readonly #session: () => Session;
  readonly #logger: ManagerLogger;
  readonly #waiters = new Map<string, (msg: Message | undefined) => void>();
  readonly #loop: Promise<void>;
  #closed = false;
  /** Resolves when the connection to the kernel is made (or the channel closes). */
  readonly listening: Promise<void>;
  #listened: () => void = () => undefined;

  constructor(url: string, session: () => Session, logger: ManagerLogger) {
    this.#socket = new Dealer({ linger: 1000, reconnectInterval: 10 });
    this.listening = new Promise<void>((resolve) => (this.#listened = resolve));
    this.#socket.events.on("connect", () => this.#listened());
    this.#socket.connect(url);
    this.#session = session;
    this.#logger = logger;
    this.#loop = this.#receive();
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #receive(): Promise<void> {
    while (!this.#closed) {
      let frames: Uint8Array[];
      try {
        frames = await this.#socket.receive();
      } catch (error) {
        if (this.#closed || this.#socket.closed) return;
        this.#logger.warn(`jupyter-ts manager: receiving on control failed: ${String(error)}`);
        continue;
      }
      let msg: Message;
      try {
        const session = this.#session();
        const [, rest] = session.feedIdentities(frames);
        msg = session.deserialize(rest);
      } catch (error) {
        this.#logger.warn(`jupyter-ts manager: rejected a message on control: ${(error as Error).message}`);
        continue;
      }
      const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
      const waiter = parentId === undefined ? undefined : this.#waiters.get(parentId);
      if (waiter) {
        this.#waiters.delete(parentId as string);
        waiter(msg);
      }
    }
  }

  /**
   * Sends a request; the promise resolves with its reply, or with undefined
   * when the channel closes first. Never rejects: a failed send is logged and
   * also resolves undefined (the caller's escalation goes on).
   */
  request<T extends RequestType>(msgType: T, content: ContentOf<T>): { msgId: string; reply: Promise<Message | undefined> } {
    const session = this.#session();
    const msg = session.msg(msgType, { content });
    if (this.#closed) return { msgId: msg.msg_id, reply: Promise.resolve(undefined) };
    const reply = new Promise<Message | undefined>((resolve) => this.#waiters.set(msg.msg_id, resolve));
    session.send(this.#socket, msg).catch((error: unknown) => {
      this.#logger.warn(`jupyter-ts manager: sending ${msgType} on control failed: ${String(error)}`);
      this.#waiters.get(msg.msg_id)?.(undefined);
      this.#waiters.delete(msg.msg_id);
    });
    return { msgId: msg.msg_id, reply };
  }

  /** Closes the socket at once (nothing queued is worth delivering any more) and resolves every waiter with undefined. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.linger = 0;
    this.#socket.close();
    this.#listened();
    for (const waiter of this.#waiters.values()) waiter(undefined);
    this.#waiters.clear();
    await this.#loop;
  }
}
