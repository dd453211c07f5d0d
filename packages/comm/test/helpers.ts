import { msgHeader, newId, type JupyterMessage } from "@jupyter-ts/protocol";
import { CommManager, type CommLogger, type CommMessageType, type CommSendOptions, type CommTransport } from "../src/index.js";

/** A logger that records what it is told. */
export class RecordingLogger implements CommLogger {
  readonly errors: { message: string; error: unknown }[] = [];
  readonly warnings: string[] = [];
  error(message: string, error?: unknown): void {
    this.errors.push({ message, error });
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** One side: its manager, what it sent, its logger. */
export interface Side {
  manager: CommManager;
  sent: JupyterMessage<CommMessageType>[];
  logger: RecordingLogger;
}

/**
 * Two CommManagers back to back: `send` on one side becomes a message queued
 * for the other side's `handleMessage` (as a kernel and a client over sockets,
 * where delivery is never synchronous). `flush()` delivers until both queues
 * are empty, waiting a macrotask between rounds so async handlers settle.
 */
export function link(): { client: Side; kernel: Side; flush: () => Promise<void>; deliverNow: () => number } {
  const queues = { toKernel: [] as JupyterMessage[], toClient: [] as JupyterMessage[] };
  const makeSide = (outbox: JupyterMessage[], channel: "shell" | "iopub", username: string): Side => {
    const session = newId();
    const sent: JupyterMessage<CommMessageType>[] = [];
    const transport: CommTransport = {
      send(msgType, content, options: CommSendOptions = {}) {
        const msg = {
          header: msgHeader(msgType, { session, username }),
          parent_header: {},
          metadata: options.metadata ?? {},
          content,
          buffers: options.buffers ?? [],
          channel,
        } as unknown as JupyterMessage<CommMessageType>;
        sent.push(msg);
        outbox.push(msg);
      },
    };
    const logger = new RecordingLogger();
    return { manager: new CommManager(transport, { logger }), sent, logger };
  };
  const client = makeSide(queues.toKernel, "shell", "client");
  const kernel = makeSide(queues.toClient, "iopub", "kernel");
  const deliverNow = (): number => {
    let n = 0;
    for (;;) {
      const toKernel = queues.toKernel.shift();
      if (toKernel !== undefined) {
        kernel.manager.handleMessage(toKernel);
        n++;
        continue;
      }
      const toClient = queues.toClient.shift();
      if (toClient !== undefined) {
        client.manager.handleMessage(toClient);
        n++;
        continue;
      }
      return n;
    }
  };
  const flush = async (): Promise<void> => {
    for (let quiet = 0; quiet < 3; ) {
      quiet = deliverNow() === 0 ? quiet + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { client, kernel, flush, deliverNow };
}
