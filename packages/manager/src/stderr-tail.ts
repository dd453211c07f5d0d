import type { Readable, Writable } from "node:stream";

const KEEP_BYTES = 8192;
const KEEP_LINES = 20;

/**
 * Reads a kernel's piped stderr: passes it on to `forward` (when given) and
 * keeps its last few KB, so that an error can show why the kernel died.
 */
export class StderrTail {
  #chunks: Uint8Array[] = [];
  #size = 0;
  readonly #ended: Promise<void>;

  constructor(stream: Readable, forward: Writable | undefined) {
    this.#ended = new Promise((resolve) => {
      stream.once("close", resolve);
      stream.once("end", resolve);
      stream.once("error", () => resolve());
    });
    stream.on("data", (chunk: Uint8Array) => {
      forward?.write(chunk);
      this.#chunks.push(chunk);
      this.#size += chunk.byteLength;
      while (this.#size - (this.#chunks[0]?.byteLength ?? 0) >= KEEP_BYTES && this.#chunks.length > 1) {
        this.#size -= this.#chunks.shift()?.byteLength ?? 0;
      }
    });
  }

  /** Resolves when the stream has ended, or after `ms`, whichever is first. */
  async settled(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** The last lines kept (at most 20). */
  text(): string {
    const all = Buffer.concat(this.#chunks).toString("utf8");
    return all.split("\n").slice(-KEEP_LINES - 1).join("\n");
  }
}
