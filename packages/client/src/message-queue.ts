import type { Message } from "@jupyter-ts/session";
import { KernelTimeoutError } from "./errors.js";

/** Where a client reports what it does not throw: dropped messages, rejected frames. */
export interface ClientLogger {
  warn(message: string, ...rest: unknown[]): void;
  debug?(message: string, ...rest: unknown[]): void;
}

/** Options of {@link MessageQueue}. */
export interface MessageQueueOptions {
  /** The channel name, for messages. */
  channel: string;
  /** How many messages are kept before the oldest are dropped. */
  capacity: number;
  logger: ClientLogger;
}

interface Waiter {
  resolve(msg: Message): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The pull side of a channel: messages nobody else took, oldest first.
 *
 * Policy when full: the oldest message is dropped, {@link dropped} counts it,
 * and the logger warns on the first drop and on every 1000th after it.
 */
export class MessageQueue {
  readonly channel: string;
  readonly capacity: number;
  /** How many messages were dropped because the queue was full. */
  dropped = 0;
  #items: Message[] = [];
  #head = 0;
  #waiters: Waiter[] = [];
  #logger: ClientLogger;

  constructor(options: MessageQueueOptions) {
    this.channel = options.channel;
    this.capacity = options.capacity;
    this.#logger = options.logger;
  }

  /** How many messages are waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Hands the message to the oldest waiter, else queues it. */
  push(msg: Message): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(msg);
      return;
    }
    this.#items.push(msg);
    if (this.size > this.capacity) {
      this.#head++;
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.#logger.warn(
          `jupyter-ts client: the ${this.channel} queue is full (${this.capacity} messages); dropped the oldest (${this.dropped} so far). Read it with get${this.channel[0]?.toUpperCase()}${this.channel.slice(1)}Msg() or raise maxQueued.`,
        );
      }
    }
    // Compact now and then, so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The next message without waiting, or undefined. */
  shift(): Message | undefined {
    if (this.size === 0) return undefined;
    const msg = this.#items[this.#head];
    this.#items[this.#head++] = undefined as unknown as Message;
    return msg;
  }

  /**
   * The next message; waits up to `timeout` ms (forever when undefined;
   * 0 means only what is already queued).
   *
   * @throws KernelTimeoutError when nothing came in time.
   */
  get(options: { timeout?: number } = {}): Promise<Message> {
    const ready = this.shift();
    if (ready) return Promise.resolve(ready);
    const { timeout } = options;
    if (timeout !== undefined && timeout <= 0) return Promise.reject(this.#timeoutError(0));
    return new Promise<Message>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeout !== undefined) {
        waiter.timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(this.#timeoutError(timeout));
        }, timeout);
      }
      this.#waiters.push(waiter);
    });
  }

  /** Every queued message, emptying the queue. */
  drain(): Message[] {
    const all = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return all;
  }

  /** Rejects everyone waiting (the channels stopped or the kernel died). */
  failWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(error);
    }
  }

  #timeoutError(timeout: number): KernelTimeoutError {
    return new KernelTimeoutError(timeout, `no ${this.channel} message arrived within ${timeout} ms`);
  }
}
