import { JupyterTsError } from "@jupyter-ts/protocol";

/** A path that must be a directory exists, but is something else (a file, a socket). */
export class NotADirectoryError extends JupyterTsError {
  /** The path that is not a directory. */
  readonly path: string;

  constructor(path: string, options?: { cause?: unknown }) {
    super(
      "ERR_NOT_A_DIRECTORY",
      `'${path}' exists but is not a directory; remove or rename it, or point Jupyter at another directory`,
      options,
    );
    this.path = path;
  }
}

/**
 * A file meant for secrets (a connection file) did not get owner-only
 * permissions, usually because the file system ignores modes (FAT, SMB
 * mounts) or, on Windows, because its access list could not be restricted.
 */
export class InsecureFileError extends JupyterTsError {
  /** The file that could not be secured. */
  readonly path: string;
  /** The permission bits it got (POSIX), if known. */
  readonly mode: number | undefined;

  constructor(path: string, message: string, options?: { cause?: unknown; mode?: number }) {
    super("ERR_INSECURE_FILE", message, options);
    this.path = path;
    this.mode = options?.mode;
  }
}
