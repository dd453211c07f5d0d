import { JupyterTsError, ProtocolError } from "@jupyter-ts/protocol";

/**
 * Errors a {@link Session} throws for frames it will not accept. Every one is
 * a `ProtocolError` with its own class and `code`; none of them is a crash.
 */

/** Fewer frames than a message needs, or no `<IDS|MSG>` delimiter. */
export class MalformedMessageError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_MALFORMED_MESSAGE" });
  }
}

/** A frame that is not UTF-8 JSON of the expected shape (header, parent, metadata, content). */
export class MessageDecodeError extends ProtocolError {
  /** Which part failed: `header`, `parent_header`, `metadata` or `content`. */
  readonly part: string;
  constructor(part: string, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_MESSAGE_DECODE" });
    this.part = part;
  }
}

/** A message that could not be turned into frames (circular content, a BigInt, ...). */
export class MessageEncodeError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_MESSAGE_ENCODE" });
  }
}

/** The HMAC signature does not match: a wrong key, a different scheme, or tampered frames. */
export class SignatureError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, { code: "ERR_INVALID_SIGNATURE", ...options });
  }
}

/** A message with an empty signature arrived at a session that has a key. */
export class UnsignedMessageError extends SignatureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_UNSIGNED_MESSAGE" });
  }
}

/** A signature this session has already accepted: a replayed message. */
export class ReplayError extends SignatureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_REPLAYED_MESSAGE" });
  }
}

/** A session option that cannot work (an unknown signature scheme, a bad packer). */
export class SessionConfigError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_SESSION_CONFIG", message, options);
  }
}
