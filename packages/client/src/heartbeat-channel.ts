import type { Request } from "zeromq";
import { Emitter } from "./emitter.js";

/** Options of {@link HeartbeatChannel}. */
export interface HeartbeatOptions {
  /** How long a ping may go unanswered before the beat counts as missed, in ms; default 1000 (Python's `time_to_dead`). */
  timeToDead?: number;
  /**
   * Missed beats in a row, after the kernel has answered at least once,
   * that make it dead; default 3.
   */
  maxMissed?: number;
}

/** Events of {@link HeartbeatChannel}. */
export interface HeartbeatEvents extends Record<string, unknown[]> {
  /** The kernel answered after not beating (or for the first time). */
  beating: [];
  /** A ping went unanswered for `timeToDead` ms: `sinceLastBeat` in ms (Python's `call_handlers`). */
  stopped: [sinceLastBeat: number];
  /** `maxMissed` beats missed in a row after the kernel had been beating. */
  dead: [sinceLastBeat: number];
}

const PING = new TextEncoder().encode("ping");

/**
 * Pings the kernel's heartbeat socket once per `timeToDead` and says whether
 * it answers. Python's `HBChannel`.
 *
 * @example
 * const hb = new HeartbeatChannel(() => conn.connectHb(), { timeToDead: 1000 });
 * hb.on("dead", () => console.log("kernel died"));
 * hb.start();
 * // ...
 * hb.stop();
 */
export class HeartbeatChannel extends Emitter<HeartbeatEvents> {
  readonly timeToDead: number;
  readonly maxMissed: number;
  /** Missed beats in a row. */
  missed = 0;
  #connect: () => Request;
  #socket: Request | undefined;
  #running = false;
  #paused = false;
  #beating = false;
  #everBeat = false;
  #lastBeat = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(connect: () => Request, options: HeartbeatOptions = {}) {
    super();
    this.#connect = connect;
    this.timeToDead = options.timeToDead ?? 1000;
    this.maxMissed = options.maxMissed ?? 3;
  }

  /** Whether the loop runs (paused or not). */
  isAlive(): boolean {
    return this.#running;
  }

  /** Whether the kernel answered the last ping (false while paused or stopped). */
  isBeating(): boolean {
    return this.#running && !this.#paused && this.#beating;
  }

  /** Whether the kernel has answered at least once. */
  get everBeat(): boolean {
    return this.#everBeat;
  }

  /** Starts pinging. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops pinging and closes the socket; resolves when the loop has ended. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#socket?.close();
    this.#socket = undefined;
    this.#wakeUp();
    await this.#loop;
  }

  /** Stops pinging (the socket stays) until {@link unpause}. */
  pause(): void {
    this.#paused = true;
  }

  unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wakeUp();
  }

  #wakeUp(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      if (ms !== undefined) this.#timer = setTimeout(() => this.#wakeUp(), ms);
    });
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (this.#paused) {
        await this.#sleep(undefined);
        continue;
      }
      const started = Date.now();
      const ok = await this.#ping();
      if (!this.#running) break;
      if (ok) {
        this.#lastBeat = Date.now();
        this.missed = 0;
        const was = this.#beating;
        this.#beating = this.#everBeat = true;
        if (!was) this.emit("beating");
      } else {
        this.missed++;
        const since = this.#everBeat ? Date.now() - this.#lastBeat : Date.now() - started;
        const was = this.#beating;
        this.#beating = false;
        if (was || this.missed === 1) this.emit("stopped", since);
        if (this.#everBeat && this.missed === this.maxMissed) this.emit("dead", since);
      }
      const rest = this.timeToDead - (Date.now() - started);
      if (rest > 0 && this.#running) await this.#sleep(rest);
    }
  }

  /** One ping; false when no pong came within timeToDead. */
  async #ping(): Promise<boolean> {
    if (!this.#socket) {
      this.#socket = this.#connect();
      this.#socket.sendTimeout = this.timeToDead;
      this.#socket.receiveTimeout = this.timeToDead;
    }
    const socket = this.#socket;
    try {
      await socket.send(PING);
      await socket.receive();
      return true;
    } catch {
      // A REQ socket that missed its reply cannot send again: start afresh, as Python does.
      if (this.#socket === socket) {
        socket.close();
        this.#socket = undefined;
      }
      return false;
    }
  }
}
