/**
 * What a Session needs of a socket: zeromq v6 sockets fit, and so does
 * anything else with the same two methods (a test double, another transport).
 */
export interface SendSocket {
  send(frames: Uint8Array[]): Promise<unknown>;
}
export interface ReceiveSocket {
  receive(): Promise<Uint8Array[]>;
}

// zeromq v6 allows one send in flight per socket: every send of ours goes
// through one queue per socket, shared by every Session that uses it.
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly socket: SendSocket) {}

  send(frames: Uint8Array[]): Promise<void> {
    const run = (): Promise<void> => this.socket.send(frames).then(() => undefined);
    // An idle socket sends at once, without waiting a microtask turn.
    const sent = this.pending === 0 ? run() : this.tail.then(run);
    this.pending++;
    const settle = (): void => {
      this.pending--;
    };
    this.tail = sent.then(settle, settle);
    return sent;
  }
}

const queues = new WeakMap<SendSocket, SendQueue>();

/**
 * Sends frames on a socket after every send already queued on it, so callers
 * never trip zeromq's "socket is busy writing" error.
 */
export function sendQueued(socket: SendSocket, frames: Uint8Array[]): Promise<void> {
  let queue = queues.get(socket);
  if (!queue) {
    queue = new SendQueue(socket);
    queues.set(socket, queue);
  }
  return queue.send(frames);
}
