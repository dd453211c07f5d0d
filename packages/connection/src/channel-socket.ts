import { Dealer, Request, Subscriber } from "zeromq";
import type { SocketChannel, Transport } from "./connection-info.js";
import { InvalidPortNumberError } from "./errors.js";

/** The zeromq socket a client uses on each channel (Python's `channel_socket_types`). */
export interface ChannelSockets {
  shell: Dealer;
  iopub: Subscriber;
  stdin: Dealer;
  hb: Request;
  control: Dealer;
}

/** Options of the `connect*` methods. */
export interface ConnectOptions {
  /** The socket's routing id (ZMQ identity). */
  identity?: string | Uint8Array;
  /**
   * Called with the new socket before it connects: the place to watch its
   * `events` (a connection to a peer already listening can complete before
   * a watcher added after `connect` would see it).
   */
  beforeConnect?: (socket: Dealer | Subscriber | Request) => void;
}

/** Where a channel's socket is: `tcp://ip:port`, or `ipc://ip-port` for ipc (Python's `_make_url`). */
export function channelUrl(transport: Transport, ip: string, channel: SocketChannel, port: number): string {
  if (!Number.isInteger(port) || port <= 0) {
    throw new InvalidPortNumberError(
      channel,
      `the ${channel} port is ${JSON.stringify(port)}: there is nothing to connect to; write or load a connection file first`,
    );
  }
  if (transport === "ipc") return `ipc://${ip}-${port}`;
  // zeromq wants IPv6 addresses in brackets.
  return ip.includes(":") && !ip.startsWith("[") ? `tcp://[${ip}]:${port}` : `tcp://${ip}:${port}`;
}

/**
 * A socket of the channel's type connected to `url`, with `linger` 1000 ms
 * (as Python: closing never hangs for long) and, for iopub, subscribed to
 * everything with no receive high-water mark (nothing is dropped silently). The caller owns it: `close()` it when done.
 */
export function connectChannel<C extends SocketChannel>(channel: C, url: string, options: ConnectOptions = {}): ChannelSockets[C] {
  const { identity } = options;
  // zeromq types routingId as a string; its setter also takes bytes.
  const routingId = (identity === undefined || identity.length === 0
    ? undefined
    : typeof identity === "string"
      ? identity
      : Buffer.from(identity.buffer, identity.byteOffset, identity.byteLength)) as string | undefined;
  const withId = routingId === undefined ? { linger: 1000 } : { linger: 1000, routingId };
  let socket: Dealer | Subscriber | Request;
  switch (channel) {
    case "iopub": {
      // No receive high-water mark: zeromq drops what overflows it without a
      // word, and output must never vanish (Python's default of 1000 loses
      // messages under bursts). The reader drains the socket continuously.
      const sub = new Subscriber({ linger: 1000, receiveHighWaterMark: 0 });
      sub.subscribe();
      socket = sub;
      break;
    }
    case "hb":
      socket = new Request(withId);
      break;
    default:
      socket = new Dealer(withId);
  }
  try {
    options.beforeConnect?.(socket);
    socket.connect(url);
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket as ChannelSockets[C];
}
