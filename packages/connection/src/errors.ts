import { JupyterTsError } from "@jupyter-ts/protocol";

/** A connection file that cannot be read, parsed or written. */
export class ConnectionFileError extends JupyterTsError {
  /** The path of the file. */
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_CONNECTION_FILE", message, options);
    this.file = file;
  }
}

/**
 * Connection info (from a file, a dict or the options of
 * `writeConnectionFile`) with a missing or bad field.
 */
export class InvalidConnectionInfoError extends JupyterTsError {
  /** The offending field, e.g. `shell_port`. */
  readonly field: string;
  /** Where the info came from, e.g. `connection file /tmp/kernel-1.json`. */
  readonly source: string;
  constructor(source: string, field: string, message: string, options?: { cause?: unknown }) {
    super("ERR_INVALID_CONNECTION_INFO", message, options);
    this.field = field;
    this.source = source;
  }
}

/** `findConnectionFile` found nothing: neither by name nor by pattern. */
export class ConnectionFileNotFoundError extends JupyterTsError {
  /** What was asked for. */
  readonly filename: string;
  /** The directories searched, absolute. */
  readonly searched: readonly string[];
  constructor(filename: string, searched: readonly string[], message: string) {
    super("ERR_CONNECTION_FILE_NOT_FOUND", message);
    this.filename = filename;
    this.searched = searched;
  }
}

/** A channel whose port is not set (0): there is nothing to connect to. Python's `InvalidPortNumber`. */
export class InvalidPortNumberError extends JupyterTsError {
  /** The channel: `shell`, `iopub`, `stdin`, `hb` or `control`. */
  readonly channel: string;
  constructor(channel: string, message: string) {
    super("ERR_INVALID_PORT_NUMBER", message);
    this.channel = channel;
  }
}

/** No free port could be found on an ip (the ip is not on this machine, or ports ran out). */
export class PortAllocationError extends JupyterTsError {
  /** The ip a port was wanted on. */
  readonly ip: string;
  constructor(ip: string, message: string, options?: { cause?: unknown }) {
    super("ERR_PORT_ALLOCATION", message, options);
    this.ip = ip;
  }
}
