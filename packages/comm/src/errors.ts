import { JupyterTsError } from "@jupyter-ts/protocol";

/** The base class of the errors `@jupyter-ts/comm` throws. */
export class CommError extends JupyterTsError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_COMM", message, options);
  }
}

/** `send` on a comm that was closed (by this side or by the other one). */
export class CommClosedError extends CommError {
  /** The id of the closed comm. */
  readonly commId: string;
  /** Its target name. */
  readonly targetName: string;

  constructor(commId: string, targetName: string, options?: { cause?: unknown }) {
    super(
      `comm ${commId} (target '${targetName}') is closed and cannot send; open a new one with commManager.createComm('${targetName}')`,
      { ...options, code: "ERR_COMM_CLOSED" },
    );
    this.commId = commId;
    this.targetName = targetName;
  }
}
