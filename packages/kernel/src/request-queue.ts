import { parseDate } from "@jupyter-ts/protocol";
import type { Message } from "@jupyter-ts/session";

/** When the request was sent, by its header; undefined when the date is missing or unreadable. */
function sentAt(msg: Message): number | undefined {
  try {
    return typeof msg.header.date === "string" ? parseDate(msg.header.date).getTime() : undefined;
  } catch {
    return undefined;
  }
}

/** A received request waiting for its turn. */
export interface QueuedRequest {
  msg: Message;
  idents: Uint8Array[];
  /** Set when stop_on_error aborts it: it gets an `aborted` reply instead of running. */
  abort: boolean;
}

/**
 * One ordered line of requests: the main shell, a subshell or control. Its
 * requests run one after the other; different queues run concurrently.
 */
export class RequestQueue {
  /** `null` for the main shell (and control). */
  readonly subshellId: string | null;
  readonly #items: QueuedRequest[] = [];
  readonly #handle: (item: QueuedRequest, queue: RequestQueue) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #running = false;
  // After an error with stop_on_error: execute requests that arrive before
  // this window closes and were sent before the error are aborted too (they
  // were waiting on the socket, e.g. while user code blocked the thread).
  #aborting = false;
  #errorAt = 0;
  #idle: (() => void)[] = [];

  constructor(
    subshellId: string | null,
    handle: (item: QueuedRequest, queue: RequestQueue) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.subshellId = subshellId;
    this.#handle = handle;
    this.#onError = onError;
  }

  /** Requests waiting (not counting the running one). */
  get length(): number {
    return this.#items.length;
  }

  /** Whether a request is being handled. */
  get busy(): boolean {
    return this.#running;
  }

  push(msg: Message, idents: Uint8Array[]): void {
    const abort = this.#aborting && msg.header.msg_type === "execute_request" && (sentAt(msg) ?? 0) < this.#errorAt;
    this.#items.push({ msg, idents, abort });
    if (!this.#running) void this.#drain();
  }

  /**
   * Marks every waiting execute_request, and those received in the next turn
   * of the event loop that were sent before now, to be answered `aborted`
   * (ipykernel's stop_on_error).
   */
  abortExecutes(): void {
    for (const item of this.#items) if (item.msg.header.msg_type === "execute_request") item.abort = true;
    this.#errorAt = Date.now();
    if (this.#aborting) return;
    this.#aborting = true;
    // Messages already on the socket are read within a turn or two of the loop.
    setTimeout(() => {
      setImmediate(() => {
        this.#aborting = false;
      });
    }, 0);
  }

  /** Resolves once nothing runs or waits. */
  drained(): Promise<void> {
    if (!this.#running && this.#items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    let item: QueuedRequest | undefined;
    while ((item = this.#items.shift()) !== undefined) {
      try {
        await this.#handle(item, this);
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#running = false;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
