import { v4 as uuidv4 } from "uuid";
import { ProtocolError } from "./errors.js";
import type { MessageHeader } from "./messages.js";

/** The protocol version this package speaks, put in every header it makes. */
export const PROTOCOL_VERSION = "5.5";

/** A new unique id (UUID v4) for messages, sessions, comms and kernels. */
export function newId(): string {
  return uuidv4();
}

/** The current time. Headers carry it as an ISO 8601 string ({@link formatDate}). */
export function utcnow(): Date {
  return new Date();
}

/** A date as the protocol writes it: ISO 8601 in UTC with a `Z`. */
export function formatDate(date: Date): string {
  return date.toISOString();
}

// ISO 8601 as Python's jupyter_client accepts it: date, time, optional
// fraction, optional zone. Without a zone Python assumes UTC, and so do we
// (Date.parse would assume local time).
const ISO8601 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a header date. Opt-in: headers keep strings on the wire and in
 * memory, so relaying a message never pays for dates it does not read.
 *
 * @throws ProtocolError when the text is not an ISO 8601 date-time.
 */
export function parseDate(text: string): Date {
  const m = ISO8601.exec(text);
  if (m) {
    let zone = m[3] ?? "Z";
    if (zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
    // JavaScript dates keep milliseconds: cut microseconds instead of rounding.
    const time = (m[2] ?? "").replace(/(\.\d{3})\d+$/, "$1");
    const date = new Date(`${m[1]}T${time}${zone.toUpperCase()}`);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new ProtocolError(`not an ISO 8601 date: ${JSON.stringify(text)}; expected e.g. "2024-01-31T12:00:00.000Z"`, {
    code: "ERR_INVALID_DATE",
  });
}

/** The `date` of a message or header as a `Date`, or `undefined` when it has none. */
export function headerDate(msgOrHeader: { header?: { date?: unknown } } | { date?: unknown }): Date | undefined {
  const header = "header" in msgOrHeader && msgOrHeader.header ? msgOrHeader.header : msgOrHeader;
  const date = (header as { date?: unknown }).date;
  if (date instanceof Date) return date;
  return typeof date === "string" ? parseDate(date) : undefined;
}

/** Options of {@link msgHeader}. */
export interface MsgHeaderOptions {
  /** Defaults to a new UUID. */
  msgId?: string;
  username?: string;
  session?: string;
  /** Defaults to now. */
  date?: Date | string;
  /** Defaults to {@link PROTOCOL_VERSION}. */
  version?: string;
  /** The subshell a shell request is for (JEP 91). */
  subshellId?: string | null;
}

/**
 * Makes a message header.
 *
 * @example
 * const header = msgHeader("kernel_info_request", { session: "s1", username: "me" });
 */
export function msgHeader<T extends string>(msgType: T, options: MsgHeaderOptions = {}): MessageHeader<T> {
  const date = options.date ?? utcnow();
  const header: MessageHeader<T> = {
    msg_id: options.msgId ?? newId(),
    msg_type: msgType,
    username: options.username ?? "username",
    session: options.session ?? newId(),
    date: typeof date === "string" ? date : formatDate(date),
    version: options.version ?? PROTOCOL_VERSION,
  };
  if (options.subshellId !== undefined) header.subshell_id = options.subshellId;
  return header;
}

/**
 * The header of a message, or the header itself when given one; `{}` for
 * nothing. Used to make a parent header out of whatever the caller holds.
 *
 * @throws ProtocolError when the object is neither a message nor a header.
 */
export function extractHeader(
  msgOrHeader: { header: MessageHeader } | MessageHeader | Record<string, never> | null | undefined,
): MessageHeader | Record<string, never> {
  if (!msgOrHeader) return {};
  if ("header" in msgOrHeader && msgOrHeader.header && typeof msgOrHeader.header === "object") {
    return msgOrHeader.header;
  }
  if ("msg_id" in msgOrHeader) return msgOrHeader as MessageHeader;
  if (Object.keys(msgOrHeader).length === 0) return {};
  throw new ProtocolError(
    `not a message or a header: an object with keys ${JSON.stringify(Object.keys(msgOrHeader).slice(0, 8))} has neither 'header' nor 'msg_id'`,
    { code: "ERR_NOT_A_HEADER" },
  );
}
