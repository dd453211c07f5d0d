import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { KernelLogger } from "./types.js";

/** What the worker needs to bind, sign and answer. */
export interface IoWorkerConfig {
  transport: "tcp" | "ipc";
  ip: string;
  hbPort: number;
  controlPort: number;
  key: string;
  signatureScheme: string;
  session: string;
  username: string;
  /**
   * Answer interrupt_request here and raise SIGINT; when false it goes to the
   * main thread like other control requests (for hosts that own SIGINT).
   */
  raiseSigint: boolean;
  /** The content of `kernel_info_reply`, answered on control by the worker itself. */
  kernelInfo: Record<string, unknown>;
}

/** Messages the worker posts to the main thread. */
type FromWorker =
  | { type: "bound"; hbPort: number; controlPort: number }
  | { type: "bind-error"; channel: string; url: string; message: string; code: string | undefined }
  | { type: "control"; frames: Uint8Array[] }
  | { type: "answered"; frames: Uint8Array[]; interrupt: number }
  | { type: "log"; level: "error" | "warn" | "debug"; message: string };

/** Events of {@link IoWorker} for the kernel. */
export interface IoWorkerHandlers {
  /** A control request for the main thread (raw frames, identities first). */
  control(frames: Uint8Array[]): void;
  /**
   * A control request the worker answered itself (interrupt_request,
   * kernel_info_request); `interrupt` is the sequence number of the SIGINT it
   * raised, 0 for none.
   */
  answered(frames: Uint8Array[], interrupt: number): void;
}

// The worker runs while the main thread may be blocked by user code: it
// answers heartbeats, and on control answers interrupt_request (raising
// SIGINT, which `vm` code run with `breakOnSigint` turns into an exception)
// and kernel_info_request. Everything else on control goes to the main
// thread. Plain CommonJS in a string: it must run as is under Node whether
// this package is loaded from its TypeScript source or from dist.
const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createHmac, randomUUID, timingSafeEqual } = require("node:crypto");
const { existsSync } = require("node:fs");
const zmq = require(workerData.zeromqPath);
const cfg = workerData.config;
const interruptSeq = new Int32Array(workerData.interruptBuffer);
const DELIM = Buffer.from("<IDS|MSG>", "latin1");
const hash = cfg.signatureScheme.slice(5);
const key = Buffer.from(cfg.key, "utf8");
const seen = new Set();
const log = (level, message) => parentPort.postMessage({ type: "log", level, message });

function sign(parts) {
  if (key.length === 0) return "";
  const h = createHmac(hash, key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

function url(port) {
  if (cfg.transport === "ipc") return "ipc://" + cfg.ip + "-" + port;
  const host = cfg.ip === "" || cfg.ip === "*" ? "*" : cfg.ip.includes(":") && !cfg.ip.startsWith("[") ? "[" + cfg.ip + "]" : cfg.ip;
  return "tcp://" + host + ":" + (port > 0 ? port : "*");
}

async function bind(socket, channel, port) {
  const address = url(port);
  for (let attempt = 1; ; attempt++) {
    try {
      await socket.bind(address);
      break;
    } catch (error) {
      if (error && error.code === "EADDRINUSE" && port > 0 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      const e = new Error((error && error.message) || String(error));
      e.channel = channel;
      e.url = address;
      e.code = error && error.code;
      throw e;
    }
  }
  if (port > 0) return port;
  const m = /:(\d+)$/.exec(socket.lastEndpoint || "");
  return m ? Number(m[1]) : port;
}

const hb = new zmq.Reply({ linger: 0 });
const control = new zmq.Router({ linger: 1000 });
let closing = false;
let sending = Promise.resolve();

function send(frames) {
  sending = sending.then(() => control.send(frames)).catch((error) => {
    if (!closing) log("error", "control send failed: " + ((error && error.message) || error));
  });
  return sending;
}

function reply(idents, header, msgType, content) {
  const parts = [
    Buffer.from(JSON.stringify({
      msg_id: randomUUID(), msg_type: msgType, username: cfg.username, session: cfg.session,
      date: new Date().toISOString(), version: "5.5",
    })),
    Buffer.from(JSON.stringify(header)),
    Buffer.from("{}"),
    Buffer.from(JSON.stringify(content)),
  ];
  return send([...idents, DELIM, Buffer.from(sign(parts), "latin1"), ...parts]);
}

// Checks the signature (and replays) of frames after the identities; returns the header or undefined.
function verify(rest) {
  if (rest.length < 5) return undefined;
  if (key.length > 0) {
    const sig = Buffer.from(rest[0]);
    const text = sig.toString("latin1");
    const expected = Buffer.from(sign(rest.slice(1, 5)), "latin1");
    if (expected.length !== sig.length || !timingSafeEqual(expected, sig)) {
      log("warn", "control message with an invalid signature dropped");
      return undefined;
    }
    if (seen.has(text)) {
      log("warn", "replayed control message dropped");
      return undefined;
    }
    seen.add(text);
    if (seen.size > 65536) for (const old of seen) { seen.delete(old); if (seen.size <= 60000) break; }
  }
  try {
    const header = JSON.parse(Buffer.from(rest[1]).toString("utf8"));
    return header && typeof header.msg_type === "string" ? header : undefined;
  } catch {
    log("warn", "control message with an unreadable header dropped");
    return undefined;
  }
}

async function serveHeartbeat() {
  try {
    for await (const frames of hb) await hb.send(frames);
  } catch (error) {
    if (!closing) log("error", "heartbeat stopped: " + ((error && error.message) || error));
  }
}

async function serveControl() {
  try {
    for await (const frames of control) {
      const at = frames.findIndex((f) => f.length === 9 && DELIM.equals(f));
      if (at < 0) {
        log("warn", "control frames without <IDS|MSG> dropped");
        continue;
      }
      const idents = frames.slice(0, at);
      const header = verify(frames.slice(at + 1));
      if (header === undefined) continue;
      if (header.msg_type === "interrupt_request" && cfg.raiseSigint) {
        await reply(idents, header, "interrupt_reply", { status: "ok" });
        const seq = Atomics.add(interruptSeq, 0, 1) + 1;
        process.kill(process.pid, "SIGINT");
        parentPort.postMessage({ type: "answered", frames, interrupt: seq });
      } else if (header.msg_type === "kernel_info_request") {
        await reply(idents, header, "kernel_info_reply", cfg.kernelInfo);
        parentPort.postMessage({ type: "answered", frames, interrupt: 0 });
      } else {
        parentPort.postMessage({ type: "control", frames });
      }
    }
  } catch (error) {
    if (!closing) log("error", "control stopped: " + ((error && error.message) || error));
  }
}

parentPort.on("message", async (m) => {
  if (m.type === "send") {
    send(m.frames);
  } else if (m.type === "stop") {
    closing = true;
    await sending;
    hb.close();
    control.close();
    parentPort.close();
  }
});

(async () => {
  try {
    const hbPort = await bind(hb, "hb", cfg.hbPort);
    const controlPort = await bind(control, "control", cfg.controlPort);
    parentPort.postMessage({ type: "bound", hbPort, controlPort });
  } catch (error) {
    closing = true;
    hb.close();
    control.close();
    parentPort.postMessage({ type: "bind-error", channel: error.channel, url: error.url, message: error.message, code: error.code });
    parentPort.close();
    return;
  }
  void serveHeartbeat();
  void serveControl();
})();
`;

const require = createRequire(import.meta.url);

/**
 * The kernel's second thread: heartbeat echo and the control socket. Owned
 * by a Kernel; `stop()` closes its sockets and ends the thread.
 */
export class IoWorker {
  readonly #worker: Worker;
  readonly #logger: KernelLogger;
  readonly #exited: Promise<void>;
  /** SIGINTs raised by the worker (shared with it). */
  readonly interruptSeq: Int32Array;
  #bound: Promise<{ hbPort: number; controlPort: number }>;

  constructor(config: IoWorkerConfig, handlers: IoWorkerHandlers, logger: KernelLogger) {
    this.#logger = logger;
    const interruptBuffer = new SharedArrayBuffer(4);
    this.interruptSeq = new Int32Array(interruptBuffer);
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { zeromqPath: require.resolve("zeromq"), config, interruptBuffer },
    });
    // The main thread's own sockets keep the process alive; this thread must not.
    this.#worker.unref();
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    this.#bound = new Promise((resolve, reject) => {
      this.#worker.once("error", reject);
      this.#worker.once("exit", (code) => reject(new Error(`the kernel's I/O thread exited (code ${code}) before binding`)));
      this.#worker.on("message", (m: FromWorker) => {
        switch (m.type) {
          case "bound":
            resolve({ hbPort: m.hbPort, controlPort: m.controlPort });
            break;
          case "bind-error":
            reject(Object.assign(new Error(m.message), { channel: m.channel, url: m.url, code: m.code }));
            break;
          case "control":
            handlers.control(m.frames);
            break;
          case "answered":
            handlers.answered(m.frames, m.interrupt);
            break;
          case "log":
            if (m.level === "debug") this.#logger.debug?.(m.message);
            else this.#logger[m.level](`kernel I/O thread: ${m.message}`);
            break;
        }
      });
    });
    this.#worker.on("error", (error) => this.#logger.error("kernel I/O thread failed", error));
  }

  /** Resolves with the bound ports; rejects with the bind error. */
  bound(): Promise<{ hbPort: number; controlPort: number }> {
    return this.#bound;
  }

  /** Sends frames on the control socket. */
  send(frames: Uint8Array[]): void {
    // Tight copies: a view onto a pooled buffer would clone the whole pool.
    this.#worker.postMessage({ type: "send", frames: frames.map((f) => new Uint8Array(f)) });
  }

  /** Flushes pending control sends, closes the sockets and ends the thread. */
  async stop(timeout = 3000): Promise<void> {
    this.#worker.postMessage({ type: "stop" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeout);
    });
    const outcome = await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.#logger.warn(`kernel I/O thread did not end within ${timeout} ms; terminating it`);
      await this.#worker.terminate();
    }
  }
}
