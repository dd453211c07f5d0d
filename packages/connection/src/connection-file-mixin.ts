import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import type { Dealer, Request, Subscriber } from "zeromq";
import { Session } from "@jupyter-ts/session";
import { channelUrl, connectChannel, type ConnectOptions } from "./channel-socket.js";
import {
  CHANNELS,
  readConnectionFile,
  type SocketChannel,
  type ConnectionInfo,
  type PortName,
  type Transport,
} from "./connection-info.js";
import { InvalidConnectionInfoError } from "./errors.js";
import { localhost } from "./local-interfaces.js";
import { LocalPortCache } from "./port-cache.js";
import { defaultIpcIp, releaseIpcPath, writeConnectionFile } from "./write-connection-file.js";

/** Options of {@link ConnectionFileMixin}: the traits Python configures. */
export interface ConnectionFileMixinOptions {
  /** Where the connection file is or will be; default `<runtime dir>/kernel-<uuid>.json` on write. */
  connectionFile?: string;
  /** Default `"tcp"`. */
  transport?: Transport;
  /** Default `127.0.0.1` (tcp) or `<connection file without .json>-ipc` (ipc). `"*"` means `0.0.0.0`. */
  ip?: string;
  /** 0 (the default) means "pick one" when writing, "take the file's" when loading. */
  shellPort?: number;
  iopubPort?: number;
  stdinPort?: number;
  hbPort?: number;
  controlPort?: number;
  /** The session that signs messages; default a new one with a random key. */
  session?: Session;
  kernelName?: string;
}

/** Connection info with the session object instead of its key (`getConnectionInfo({ session: true })`). */
export interface ConnectionInfoWithSession {
  transport: Transport;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  control_port: number;
  /** A clone of the session: same key and id, its own replay history. */
  session: Session;
}

/** Options of {@link ConnectionFileMixin.writeConnectionFile}. */
export interface MixinWriteOptions {
  /** More fields for the file (Python's `**kwargs`). */
  extra?: Record<string, unknown>;
}

const PORT_PROPS: ReadonlyArray<[PortName, "shellPort" | "iopubPort" | "stdinPort" | "hbPort" | "controlPort"]> = [
  ["shell_port", "shellPort"],
  ["stdin_port", "stdinPort"],
  ["iopub_port", "iopubPort"],
  ["hb_port", "hbPort"],
  ["control_port", "controlPort"],
];
const PROP_OF: Record<SocketChannel, (typeof PORT_PROPS)[number][1]> = {
  shell: "shellPort",
  stdin: "stdinPort",
  iopub: "iopubPort",
  hb: "hbPort",
  control: "controlPort",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The connection side of a kernel: its connection file, transport, ip,
 * ports and session, and sockets connected to each channel. Python's
 * `ConnectionFileMixin`, as a class that kernel managers and clients own or
 * extend.
 *
 * @example
 * const conn = new ConnectionFileMixin({ kernelName: "python3" });
 * await conn.writeConnectionFile();          // picks ports, writes <runtime>/kernel-<uuid>.json
 * // ... start the kernel with `-f ${conn.connectionFile}`, then:
 * const shell = conn.connectShell();
 * await conn.session.send(shell, "kernel_info_request");
 * const { msg } = await conn.session.recv(shell);
 * shell.close();
 * await conn.cleanupRandomPorts();           // returns the ports, removes the file
 */
export class ConnectionFileMixin {
  /** The connection file's path; `""` until one is written or loaded. */
  connectionFile: string;
  shellPort: number;
  iopubPort: number;
  stdinPort: number;
  hbPort: number;
  controlPort: number;
  /** The session that signs messages. Replaced (same id) when loaded info brings another key or scheme. */
  session: Session;
  kernelName: string;

  #transport: Transport = "tcp";
  #ip: string | undefined;
  #written = false;
  /** TCP ports this instance took from LocalPortCache, by field. */
  #picked = new Map<PortName, number>();

  constructor(options: ConnectionFileMixinOptions = {}) {
    this.connectionFile = options.connectionFile ?? "";
    if (options.transport !== undefined) this.transport = options.transport;
    if (options.ip !== undefined) this.ip = options.ip;
    this.shellPort = options.shellPort ?? 0;
    this.iopubPort = options.iopubPort ?? 0;
    this.stdinPort = options.stdinPort ?? 0;
    this.hbPort = options.hbPort ?? 0;
    this.controlPort = options.controlPort ?? 0;
    this.session = options.session ?? new Session();
    this.kernelName = options.kernelName ?? "";
  }

  /** `"tcp"` or `"ipc"` (any case accepted). */
  get transport(): Transport {
    return this.#transport;
  }
  set transport(value: Transport) {
    const lower = String(value).toLowerCase();
    if (lower !== "tcp" && lower !== "ipc") {
      throw new InvalidConnectionInfoError("ConnectionFileMixin", "transport", `ConnectionFileMixin: transport must be "tcp" or "ipc", got ${JSON.stringify(value)}`);
    }
    this.#transport = lower;
  }

  /**
   * The kernel's address. Unless set: `127.0.0.1` for tcp, and for ipc
   * `<connection file without .json>-ipc` (or `kernel-ipc`).
   */
  get ip(): string {
    if (this.#ip !== undefined) return this.#ip;
    if (this.#transport === "tcp") return localhost();
    return this.connectionFile ? defaultIpcIp(this.connectionFile) : "kernel-ipc";
  }
  set ip(value: string) {
    this.#ip = value === "*" ? "0.0.0.0" : value;
  }

  /** The ports in Python's order: shell, stdin, iopub, hb, control. */
  get ports(): number[] {
    return PORT_PROPS.map(([, prop]) => this[prop]);
  }

  /**
   * The ZMQ identity that the shell, stdin and control sockets share (the
   * kernel sends `input_request` on stdin to the identity of the shell
   * request): the session id as bytes, Python's `session.bsession`.
   */
  get identity(): Uint8Array {
    return new TextEncoder().encode(this.session.session);
  }

  /** Whether this instance wrote the connection file (and so removes it on cleanup). */
  get connectionFileWritten(): boolean {
    return this.#written;
  }

  /**
   * The connection info. With `{ session: true }` the session itself (a
   * clone) replaces `key` and `signature_scheme`, as Python's `session=True`.
   */
  getConnectionInfo(options?: { session?: false }): ConnectionInfo;
  getConnectionInfo(options: { session: true }): ConnectionInfoWithSession;
  getConnectionInfo(options: { session?: boolean }): ConnectionInfo | ConnectionInfoWithSession;
  getConnectionInfo(options: { session?: boolean } = {}): ConnectionInfo | ConnectionInfoWithSession {
    const base = {
      transport: this.transport,
      ip: this.ip,
      shell_port: this.shellPort,
      iopub_port: this.iopubPort,
      stdin_port: this.stdinPort,
      hb_port: this.hbPort,
      control_port: this.controlPort,
    };
    if (options.session) return { ...base, session: this.session.clone() };
    return { ...base, signature_scheme: this.session.signatureScheme, key: this.#keyText() };
  }

  #keyText(): string {
    try {
      return utf8.decode(this.session.key);
    } catch (cause) {
      throw new InvalidConnectionInfoError("ConnectionFileMixin", "key", "ConnectionFileMixin: the session key is not UTF-8, so it cannot go in a connection file; use a text key (e.g. a UUID)", { cause });
    }
  }

  /**
   * Writes the connection file (unless this instance already wrote it and it
   * still exists), picking the ports that are 0, and sets them here.
   */
  async writeConnectionFile(options: MixinWriteOptions = {}): Promise<void> {
    if (this.#written && this.connectionFile && existsSync(this.connectionFile)) return;
    const wasPicked = PORT_PROPS.filter(([, prop]) => this[prop] <= 0).map(([name]) => name);
    // The ipc default ip derives from the file name: fix the name first.
    const ip = this.#ip ?? (this.transport === "tcp" ? localhost() : undefined);
    const { fname, info } = await writeConnectionFile({
      ...(this.connectionFile ? { fname: this.connectionFile } : {}),
      transport: this.transport,
      ...(ip === undefined ? {} : { ip }),
      key: this.session.key,
      shellPort: this.shellPort,
      iopubPort: this.iopubPort,
      stdinPort: this.stdinPort,
      hbPort: this.hbPort,
      controlPort: this.controlPort,
      signatureScheme: this.session.signatureScheme,
      kernelName: this.kernelName,
      ...(options.extra ? { extra: options.extra } : {}),
    });
    this.connectionFile = fname;
    this.#ip = info.ip;
    for (const [name, prop] of PORT_PROPS) this[prop] = info[name];
    if (this.transport === "tcp") for (const name of wasPicked) this.#picked.set(name, info[name]);
    this.#written = true;
  }

  /** Reads a connection file (default: {@link connectionFile}) into this instance, see {@link loadConnectionInfo}. */
  async loadConnectionFile(fname?: string): Promise<void> {
    const file = fname ?? this.connectionFile;
    const info = await readConnectionFile(file);
    this.loadConnectionInfo(info);
  }

  /**
   * Takes transport, ip, ports, key and signature scheme from connection
   * info. As in Python, a port already set (non-zero) here is kept. A new
   * key or scheme replaces {@link session} with one of the same id.
   */
  loadConnectionInfo(info: Partial<ConnectionInfo>): void {
    if (info.transport !== undefined) this.transport = info.transport;
    if (info.ip !== undefined) this.ip = info.ip;
    else this.#ip = undefined;
    for (const [name, prop] of PORT_PROPS) {
      const value = info[name];
      if (this[prop] === 0 && typeof value === "number") this[prop] = value;
    }
    const key = info.key;
    const scheme = info.signature_scheme;
    const keyChanged = key !== undefined && key !== this.#keyTextOrUndefined();
    const schemeChanged = scheme !== undefined && scheme !== this.session.signatureScheme;
    if (keyChanged || schemeChanged) {
      const old = this.session;
      this.session = new Session({
        key: key ?? old.key,
        signatureScheme: scheme ?? old.signatureScheme,
        username: old.username,
        session: old.session,
        packer: old.pack,
        unpacker: old.unpack,
        digestHistorySize: old.digestHistorySize,
        metadata: old.metadata,
        ...(old.adaptVersion === undefined ? {} : { adaptVersion: old.adaptVersion }),
      });
    }
  }

  #keyTextOrUndefined(): string | undefined {
    try {
      return utf8.decode(this.session.key);
    } catch {
      return undefined;
    }
  }

  /** Removes the connection file if this instance wrote it. Never throws for a file already gone. */
  async cleanupConnectionFile(): Promise<void> {
    if (!this.#written) return;
    this.#written = false;
    await unlink(this.connectionFile).catch(() => undefined);
  }

  /** Removes the ipc socket files (`<ip>-<port>`) of every channel; nothing for tcp. */
  async cleanupIpcFiles(): Promise<void> {
    if (this.transport !== "ipc") return;
    const ip = this.ip;
    await Promise.all(
      this.ports.map(async (port) => {
        const path = `${ip}-${port}`;
        await unlink(path).catch(() => undefined);
        releaseIpcPath(path);
      }),
    );
  }

  /**
   * Returns the ports this instance picked to {@link LocalPortCache}, sets
   * them back to 0 (so the next write picks new ones) and removes the
   * connection file. Ports given explicitly or loaded from a file are kept.
   */
  async cleanupRandomPorts(): Promise<void> {
    if (this.#picked.size === 0) return;
    const cache = LocalPortCache.instance();
    for (const [name, port] of this.#picked) {
      cache.returnPort(port);
      const prop = PORT_PROPS.find(([n]) => n === name)?.[1];
      if (prop) this[prop] = 0;
    }
    this.#picked.clear();
    await this.cleanupConnectionFile();
  }

  /** The ZeroMQ address of a channel, e.g. `tcp://127.0.0.1:53794` or `ipc:///run/k-ipc-1`. */
  makeUrl(channel: SocketChannel): string {
    if (!CHANNELS.includes(channel)) {
      throw new InvalidConnectionInfoError("ConnectionFileMixin", "channel", `unknown channel ${JSON.stringify(channel)}; channels are ${CHANNELS.join(", ")}`);
    }
    return channelUrl(this.transport, this.ip, channel, this[PROP_OF[channel]]);
  }

  /** A DEALER socket connected to the shell channel, with {@link identity} unless another is given. */
  connectShell(options: ConnectOptions = {}): Dealer {
    return connectChannel("shell", this.makeUrl("shell"), { ...options, identity: options.identity ?? this.identity });
  }

  /** A SUB socket connected to the iopub channel, subscribed to every message. */
  connectIopub(options: ConnectOptions = {}): Subscriber {
    return connectChannel("iopub", this.makeUrl("iopub"), options);
  }

  /** A DEALER socket connected to the stdin channel, with {@link identity} unless another is given. */
  connectStdin(options: ConnectOptions = {}): Dealer {
    return connectChannel("stdin", this.makeUrl("stdin"), { ...options, identity: options.identity ?? this.identity });
  }

  /** A REQ socket connected to the heartbeat channel. */
  connectHb(options: ConnectOptions = {}): Request {
    return connectChannel("hb", this.makeUrl("hb"), options);
  }

  /** A DEALER socket connected to the control channel, with {@link identity} unless another is given. */
  connectControl(options: ConnectOptions = {}): Dealer {
    return connectChannel("control", this.makeUrl("control"), { ...options, identity: options.identity ?? this.identity });
  }
}
