/**
 * The one base class of every error jupyter-ts throws. `name` and `code` are
 * stable (match on `code`, not on the message text); `cause` carries the
 * underlying error where there is one.
 */
export class JupyterTsError extends Error {
  /** A stable, machine-readable code such as `ERR_INVALID_SIGNATURE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A message, frame set or wire payload that breaks the Jupyter protocol. */
export class ProtocolError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_PROTOCOL", message, options);
  }
}

/**
 * A message whose header or content does not have the shape its type needs.
 * `field` is the dotted path of the offending field (`content.code`).
 */
export class MessageValidationError extends ProtocolError {
  /** Dotted path of the bad field, e.g. `header.msg_id` or `content.cursor_pos`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_INVALID_MESSAGE" });
    this.field = field;
  }
}

/** A WebSocket payload that is not in the format it claims to be. */
export class WireFormatError extends ProtocolError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: "ERR_WIRE_FORMAT" });
  }
}
