import type { JupyterMessage } from "@jupyter-ts/protocol";
import type { Comm } from "./comm.js";

/** The three comm message types. */
export type CommMessageType = "comm_open" | "comm_msg" | "comm_close";

/** Any comm message: `comm_open`, `comm_msg` or `comm_close`. */
export type CommMessage = JupyterMessage<CommMessageType>;

/** Metadata and binary buffers that travel with a comm message. */
export interface CommSendOptions {
  metadata?: Record<string, unknown>;
  /** Sent as they are: the same views, never copied. */
  buffers?: Uint8Array[];
}

/**
 * Where a comm manager sends its messages. A client sends them on the shell
 * channel, a kernel publishes them on IOPub; this interface does not care.
 */
export interface CommTransport {
  /** Sends comm_open / comm_msg / comm_close with this content (snake_case, per the spec). */
  send(msgType: CommMessageType, content: Record<string, unknown>, options?: CommSendOptions): void;
}

/** Where handler failures and ignored messages are reported. */
export interface CommLogger {
  error(message: string, error?: unknown): void;
  /** Unknown comm ids and the like; not reported when absent. */
  warn?(message: string): void;
}

/** Called for each `comm_open` of its target, with the new comm and the open message. */
export type CommTargetHandler = (comm: Comm, openMsg: JupyterMessage<"comm_open">) => void | Promise<void>;

/** Called for each `comm_msg` of a comm, in the order they arrived. */
export type CommMsgHandler = (msg: JupyterMessage<"comm_msg">) => void | Promise<void>;

/** Called once when a comm closes: with the `comm_close` of the other side, or `undefined` when closed here. */
export type CommCloseHandler = (msg: JupyterMessage<"comm_close"> | undefined) => void | Promise<void>;
