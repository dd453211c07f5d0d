import type { ReplyTypeOf, RequestType } from "@jupyter-ts/protocol";
import type { Message } from "@jupyter-ts/session";

/** The reply message of a request type, e.g. `ReplyMessage<"execute_request">` is an `execute_reply`. */
export type ReplyMessage<T extends RequestType> = Message<ReplyTypeOf<T>>;

/**
 * One request in flight, as the push API returns it: the request's
 * `msgId`, its `reply`, the iopub messages whose parent it is (an async
 * iterator that ends after the kernel's `status: idle` for it), and `done`.
 *
 * `reply` and `done` reject with `KernelTimeoutError` (the `timeout` given),
 * `KernelDiedError` (heartbeat) or `ChannelsNotRunningError` (channels
 * stopped); the iterator then ends. Neither rejection is reported as
 * unhandled when you only await one of them.
 *
 * @example
 * const h = kc.execute("print('hi'); 1 + 1", { handle: true });
 * for await (const msg of h) if (msg.msg_type === "stream") console.log(msg.content);
 * const reply = await h.done;
 */
export interface RequestHandle<T extends RequestType = RequestType> extends AsyncIterable<Message> {
  /** The request's `msg_id`. */
  readonly msgId: string;
  /** The request as sent. */
  readonly request: Message<T>;
  /** Resolves with the reply (on shell or control). */
  readonly reply: Promise<ReplyMessage<T>>;
  /** Resolves with the reply once both the reply and the `status: idle` for the request arrived. */
  readonly done: Promise<ReplyMessage<T>>;
}

interface Deferred<V> {
  promise: Promise<V>;
  resolve(value: V): void;
  reject(error: Error): void;
}

function deferred<V>(): Deferred<V> {
  let resolve!: (value: V) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Marked handled: callers often await only one of reply/done.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * The client's side of a request in flight: where its reply and iopub
 * messages are delivered. Internal; users see it as a {@link RequestHandle}.
 */
export class PendingRequest<T extends RequestType = RequestType> implements RequestHandle<T> {
  readonly msgId: string;
  readonly request: Message<T>;
  /** Whether iopub messages are collected for an iterator (handles) or left to the pull queue. */
  readonly wantsIopub: boolean;
  #reply = deferred<ReplyMessage<T>>();
  #done = deferred<ReplyMessage<T>>();
  #replyMsg: ReplyMessage<T> | undefined;
  #idle = false;
  #settled = false;
  #error: Error | undefined;
  #buffer: Message[] = [];
  #readers: Array<(r: IteratorResult<Message>) => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onSettled: (p: PendingRequest<T>) => void;

  constructor(request: Message<T>, options: { wantsIopub: boolean; onSettled: (p: PendingRequest<T>) => void }) {
    this.request = request;
    this.msgId = request.header.msg_id;
    this.wantsIopub = options.wantsIopub;
    this.#onSettled = options.onSettled;
    // A request only waiting for its reply is settled by it.
    if (!options.wantsIopub) this.#idle = true;
  }

  get reply(): Promise<ReplyMessage<T>> {
    return this.#reply.promise;
  }

  get done(): Promise<ReplyMessage<T>> {
    return this.#done.promise;
  }

  /** Whether the reply (and, for handles, the idle status) arrived or it failed. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Fails the request after `ms` unless it settled before. */
  setTimeout(ms: number, error: () => Error): void {
    this.#timer = setTimeout(() => this.fail(error()), ms);
  }

  deliverReply(msg: Message): void {
    if (this.#settled || this.#replyMsg) return;
    this.#replyMsg = msg as ReplyMessage<T>;
    this.#reply.resolve(this.#replyMsg);
    this.#maybeDone();
  }

  deliverIopub(msg: Message): void {
    if (this.#settled && this.#idle) return;
    this.#push(msg);
    if (msg.msg_type === "status" && (msg.content as { execution_state?: string }).execution_state === "idle") {
      this.#idle = true;
      this.#endIterator();
      this.#maybeDone();
    }
  }

  fail(error: Error): void {
    if (this.#settled) return;
    this.#error = error;
    this.#finish();
    if (!this.#replyMsg) this.#reply.reject(error);
    this.#done.reject(error);
    this.#endIterator();
  }

  #maybeDone(): void {
    if (!this.#replyMsg || !this.#idle || this.#settled) return;
    this.#finish();
    this.#done.resolve(this.#replyMsg);
  }

  #finish(): void {
    this.#settled = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onSettled(this);
  }

  #push(msg: Message): void {
    if (!this.wantsIopub) return;
    const reader = this.#readers.shift();
    if (reader) reader({ value: msg, done: false });
    else this.#buffer.push(msg);
  }

  #endIterator(): void {
    const readers = this.#readers;
    this.#readers = [];
    for (const r of readers) r({ value: undefined, done: true });
  }

  get #ended(): boolean {
    return this.#idle || this.#error !== undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return {
      next: (): Promise<IteratorResult<Message>> => {
        const msg = this.#buffer.shift();
        if (msg) return Promise.resolve({ value: msg, done: false });
        if (this.#ended || !this.wantsIopub) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#readers.push(resolve));
      },
    };
  }
}
