import { createHmac, createSecretKey, getHashes, timingSafeEqual, type KeyObject } from "node:crypto";
import {
  adapt,
  extractHeader,
  msgHeader,
  newId,
  type ContentOf,
  type JupyterMessage,
  type MessageHeader,
  type ParentHeader,
} from "@jupyter-ts/protocol";
import {
  MalformedMessageError,
  MessageDecodeError,
  MessageEncodeError,
  ReplayError,
  SessionConfigError,
  SignatureError,
  UnsignedMessageError,
} from "./errors.js";
import { jsonPacker, jsonUnpacker, type Packer, type Unpacker } from "./packers.js";
import { sendQueued, type ReceiveSocket, type SendSocket } from "./socket.js";

/** The frame that separates routing identities from the message. */
export const DELIM: Uint8Array = Buffer.from("<IDS|MSG>", "latin1");

/** A message as a Session makes and returns it: the header copies and buffers are always there. */
export type Message<T extends string = string> = JupyterMessage<T> & {
  msg_id: string;
  msg_type: T;
  buffers: Uint8Array[];
};

/** A message read with `{ content: false }`: the content frame left as bytes. */
export type PeekedMessage<T extends string = string> = Omit<Message<T>, "content"> & { content: Uint8Array };

/** Binary data a message can carry: any view or buffer; only the viewed bytes travel. */
export type BufferLike = ArrayBufferView | ArrayBuffer;

/** A routing identity: bytes, or a string sent as UTF-8. */
export type Ident = Uint8Array | string;

/** Options of {@link Session}. */
export interface SessionOptions {
  /**
   * The HMAC key. An empty key means messages are neither signed nor checked.
   * Without this option a random key is made, as Python does.
   */
  key?: string | Uint8Array;
  /** `hmac-<hash>` for any hash Node's crypto knows; default `hmac-sha256`. */
  signatureScheme?: string;
  /** The username in headers; default `$USER`, else `username`. */
  username?: string;
  /** The session id in headers; default a new UUID. */
  session?: string;
  /** How message parts become bytes; default {@link jsonPacker}. */
  packer?: Packer;
  /** How bytes become message parts; default {@link jsonUnpacker}. */
  unpacker?: Unpacker;
  /** How many accepted signatures to remember against replays; default 65536 (Python's). */
  digestHistorySize?: number;
  /** Metadata merged into every message this session makes. */
  metadata?: Record<string, unknown>;
  /** Adapt every sent message to this major protocol version (for v4 peers). */
  adaptVersion?: 4 | 5;
}

/** Options of {@link Session.msg}. */
export interface MsgOptions<T extends string> {
  content?: ContentOf<T>;
  /** The message (or header) this one answers. */
  parent?: { header: MessageHeader } | MessageHeader | ParentHeader | null;
  /** A ready-made header instead of a new one. */
  header?: MessageHeader<T>;
  metadata?: Record<string, unknown>;
  buffers?: BufferLike[];
  /** The subshell a shell request is for (JEP 91). */
  subshellId?: string | null;
}

/** Options of {@link Session.send}. */
export interface SendOptions<T extends string> extends MsgOptions<T> {
  /** Routing identities put before the delimiter (ROUTER sockets). */
  ident?: Ident | Ident[];
}

/** What {@link Session.recv} returns. */
export interface Received<M> {
  idents: Uint8Array[];
  msg: M;
}

const MIN_FRAMES = 5;
const EMPTY = new Uint8Array(0);

function toBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === "string" ? Buffer.from(key, "utf8") : key;
}

function asView(buffer: BufferLike, index: number): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new MessageEncodeError(`buffers[${index}] is ${typeof buffer}; buffers must be Uint8Array, another ArrayBuffer view, or ArrayBuffer`);
}

function describe(frame: Uint8Array): string {
  const text = Buffer.from(frame.buffer, frame.byteOffset, Math.min(frame.byteLength, 24)).toString("latin1");
  return `${JSON.stringify(text)}${frame.byteLength > 24 ? "..." : ""} (${frame.byteLength} bytes)`;
}

function isDelim(frame: Uint8Array): boolean {
  if (frame.byteLength !== 9) return false;
  for (let i = 0; i < 9; i++) if (frame[i] !== DELIM[i]) return false;
  return true;
}

const EMPTY_OBJECT: Uint8Array = Buffer.from("{}");

function isEmptyObject(obj: object): boolean {
  for (const _ in obj) return false;
  return Object.getPrototypeOf(obj) === Object.prototype;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Makes, signs, serializes and reads Jupyter messages: Python's
 * `jupyter_client.session.Session` for Node.
 *
 * @example
 * const session = new Session({ key: "secret" });
 * const msg = session.msg("kernel_info_request");
 * const frames = session.serialize(msg);
 * const [, rest] = session.feedIdentities(frames);
 * session.deserialize(rest).header.msg_type; // "kernel_info_request"
 */
export class Session {
  /** The session id put in every header. */
  readonly session: string;
  readonly username: string;
  readonly signatureScheme: string;
  readonly digestHistorySize: number;
  readonly metadata: Record<string, unknown>;
  readonly adaptVersion: 4 | 5 | undefined;
  readonly pack: Packer;
  readonly unpack: Unpacker;
  /** Signatures already accepted, oldest first; a repeat is a replay. */
  readonly digestHistory: Set<string> = new Set();

  #key: Uint8Array;
  #hmacKey: KeyObject | undefined;
  #hash: string;

  constructor(options: SessionOptions = {}) {
    this.signatureScheme = options.signatureScheme ?? "hmac-sha256";
    if (!this.signatureScheme.startsWith("hmac-")) {
      throw new SessionConfigError(
        `signature scheme ${JSON.stringify(this.signatureScheme)} is not supported; use "hmac-<hash>", e.g. "hmac-sha256"`,
      );
    }
    this.#hash = this.signatureScheme.slice(5);
    if (!getHashes().includes(this.#hash)) {
      throw new SessionConfigError(
        `signature scheme ${JSON.stringify(this.signatureScheme)} names a hash Node does not have; use one of hmac-sha256, hmac-sha512, ...`,
      );
    }
    this.#key = toBytes(options.key ?? newId());
    this.#hmacKey = this.#key.byteLength > 0 ? createSecretKey(this.#key) : undefined;
    this.session = options.session ?? newId();
    this.username = options.username ?? process.env["USER"] ?? "username";
    this.digestHistorySize = options.digestHistorySize ?? 2 ** 16;
    this.metadata = options.metadata ?? {};
    this.adaptVersion = options.adaptVersion;
    this.pack = options.packer ?? jsonPacker;
    this.unpack = options.unpacker ?? jsonUnpacker;
    if (options.packer && !options.unpacker) {
      throw new SessionConfigError("a custom packer needs its unpacker too (option `unpacker`)");
    }
  }

  /** The signing key (empty when messages are unsigned). */
  get key(): Uint8Array {
    return this.#key;
  }

  /** Whether this session signs and checks messages. */
  get signed(): boolean {
    return this.#hmacKey !== undefined;
  }

  /** A new header for a message of this session. */
  msgHeader<T extends string>(msgType: T, options: { subshellId?: string | null } = {}): MessageHeader<T> {
    return msgHeader(msgType, { username: this.username, session: this.session, ...options });
  }

  /** Makes a message (nothing is sent). */
  msg<T extends string>(msgType: T, options: MsgOptions<T> = {}): Message<T> {
    const header =
      options.header ??
      this.msgHeader(msgType, options.subshellId === undefined ? {} : { subshellId: options.subshellId });
    return {
      header,
      msg_id: header.msg_id,
      msg_type: header.msg_type,
      parent_header: extractHeader(options.parent ?? null),
      content: (options.content ?? {}) as ContentOf<T>,
      metadata: options.metadata ? { ...this.metadata, ...options.metadata } : { ...this.metadata },
      buffers: options.buffers ? options.buffers.map(asView) : [],
    };
  }

  /**
   * The hex HMAC of message parts (header, parent, metadata, content); an
   * empty string for an unsigned session.
   */
  sign(parts: readonly Uint8Array[]): string {
    if (!this.#hmacKey) return "";
    const hmac = createHmac(this.#hash, this.#hmacKey);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  /**
   * The frames of a message: `[...idents, DELIM, signature, header, parent,
   * metadata, content, ...buffers]`. Buffers go out as the same views (no
   * copy) and are not signed.
   */
  serialize(msg: JupyterMessage, options: { ident?: Ident | Ident[] } = {}): Uint8Array[] {
    const content = msg.content as unknown;
    const parts: Uint8Array[] = [
      this.pack(msg.header),
      this.#packObject(msg.parent_header),
      this.#packObject(msg.metadata),
      content == null
        ? this.#packObject(undefined)
        : content instanceof Uint8Array
          ? content
          : typeof content === "string"
            ? Buffer.from(content, "utf8")
            : this.pack(content),
    ];
    const frames: Uint8Array[] = [];
    const { ident } = options;
    if (ident !== undefined) {
      for (const id of Array.isArray(ident) ? ident : [ident]) frames.push(toBytes(id));
    }
    frames.push(DELIM, this.#hmacKey ? Buffer.from(this.sign(parts), "latin1") : EMPTY);
    for (const part of parts) frames.push(part);
    const buffers = msg.buffers;
    if (buffers) for (let i = 0; i < buffers.length; i++) frames.push(asView(buffers[i] as BufferLike, i));
    return frames;
  }

  // Most messages have an empty parent or metadata: with the JSON packer
  // those are always the same two bytes.
  #packObject(obj: object | null | undefined): Uint8Array {
    if (this.pack === jsonPacker && (obj == null || isEmptyObject(obj))) return EMPTY_OBJECT;
    return this.pack(obj ?? {});
  }

  /**
   * Splits received frames into routing identities and the message frames
   * that follow the delimiter.
   *
   * @throws MalformedMessageError when there is no delimiter.
   */
  feedIdentities(frames: readonly Uint8Array[]): [idents: Uint8Array[], rest: Uint8Array[]] {
    for (let i = 0; i < frames.length; i++) {
      if (isDelim(frames[i] as Uint8Array)) return [frames.slice(0, i), frames.slice(i + 1)];
    }
    throw new MalformedMessageError(
      `no <IDS|MSG> delimiter among ${frames.length} frames; this is not a Jupyter message (is the peer speaking the Jupyter protocol on this port?)`,
    );
  }

  /**
   * Reads the frames after the delimiter: checks the signature and replays,
   * parses the parts, adapts old protocol versions. With `{ content: false }`
   * the content stays bytes and the signature is not recorded, so the same
   * frames can be read again in full.
   *
   * @throws MalformedMessageError | MessageDecodeError | UnsignedMessageError | SignatureError | ReplayError
   */
  deserialize(frames: readonly Uint8Array[], options?: { content?: true }): Message;
  deserialize(frames: readonly Uint8Array[], options: { content: false }): PeekedMessage;
  deserialize(frames: readonly Uint8Array[], options: { content?: boolean }): Message | PeekedMessage;
  deserialize(frames: readonly Uint8Array[], options: { content?: boolean } = {}): Message | PeekedMessage {
    const withContent = options.content ?? true;
    if (frames.length < MIN_FRAMES) {
      throw new MalformedMessageError(
        `a message needs at least ${MIN_FRAMES} frames after the delimiter (signature, header, parent, metadata, content); got ${frames.length}`,
      );
    }
    if (this.#hmacKey) this.#verify(frames, withContent);
    const header = this.#unpackPart(frames[1] as Uint8Array, "header");
    if (typeof header["msg_id"] !== "string" || typeof header["msg_type"] !== "string") {
      const field = typeof header["msg_id"] !== "string" ? "msg_id" : "msg_type";
      throw new MalformedMessageError(
        `header.${field} must be a string, got ${JSON.stringify(header[field]) ?? "nothing"}; not a Jupyter message header`,
      );
    }
    const message = {
      header: header as unknown as MessageHeader,
      msg_id: header["msg_id"],
      msg_type: header["msg_type"],
      parent_header: this.#unpackPart(frames[2] as Uint8Array, "parent_header") as ParentHeader,
      metadata: this.#unpackPart(frames[3] as Uint8Array, "metadata"),
      content: withContent ? this.#unpackPart(frames[4] as Uint8Array, "content") : (frames[4] as Uint8Array),
      buffers: frames.length > MIN_FRAMES ? frames.slice(MIN_FRAMES) : [],
    };
    if (!withContent) return message as PeekedMessage;
    const version = header["version"];
    if (typeof version === "string" && version.startsWith("5.")) return message as Message;
    return adapt(message as Message, 5);
  }

  #verify(frames: readonly Uint8Array[], record: boolean): void {
    const signature = frames[0] as Uint8Array;
    if (signature.byteLength === 0) {
      throw new UnsignedMessageError("unsigned message: this session has a key, so every message must carry an HMAC signature (is the peer using the same connection file?)");
    }
    const text = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString("latin1");
    if (this.digestHistory.has(text)) {
      throw new ReplayError(`duplicate signature ${text.slice(0, 16)}...: this message was already received (replayed)`);
    }
    const expected = Buffer.from(this.sign(frames.slice(1, MIN_FRAMES)), "latin1");
    if (expected.byteLength !== signature.byteLength || !timingSafeEqual(expected, signature)) {
      throw new SignatureError(
        `invalid ${this.signatureScheme} signature ${JSON.stringify(text.slice(0, 16))}${text.length > 16 ? "..." : ""}: the key or signature scheme differs from the sender's, or the frames were altered`,
      );
    }
    // Only accepted signatures are remembered: a forged message must not be
    // able to make a later genuine one look like a replay.
    if (record) this.#addDigest(text);
  }

  #addDigest(signature: string): void {
    this.digestHistory.add(signature);
    if (this.digestHistory.size <= this.digestHistorySize) return;
    // Over the limit: forget the oldest tenth at once, so culling is rare.
    let drop = Math.max(Math.floor(this.digestHistory.size / 10), this.digestHistory.size - this.digestHistorySize);
    for (const old of this.digestHistory) {
      if (drop-- <= 0) break;
      this.digestHistory.delete(old);
    }
  }

  #unpackPart(frame: Uint8Array, part: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = this.unpack(frame);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new MessageDecodeError(part, `cannot decode the ${part} frame ${describe(frame)}: ${reason}`, { cause });
    }
    if (!isPlainObject(value)) {
      throw new MessageDecodeError(part, `the ${part} frame must hold a JSON object, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)?.slice(0, 40)}`);
    }
    return value;
  }

  /**
   * Makes (when given a type) and sends a message through the socket's send
   * queue; resolves with the message once zeromq has taken the frames.
   */
  async send<T extends string>(
    socket: SendSocket,
    msgOrType: T | JupyterMessage<T>,
    options: SendOptions<T> = {},
  ): Promise<Message<T>> {
    let msg = (typeof msgOrType === "string" ? this.msg(msgOrType, options) : msgOrType) as Message<T>;
    if (typeof msgOrType !== "string" && options.buffers) msg = { ...msg, buffers: options.buffers.map(asView) };
    if (this.adaptVersion !== undefined) msg = adapt(msg, this.adaptVersion);
    const frames = this.serialize(msg, options.ident === undefined ? {} : { ident: options.ident });
    await sendQueued(socket, frames);
    return msg;
  }

  /**
   * Signs and sends frames that are already packed: `[header, parent,
   * metadata, content, ...buffers]` (a relay's fast path).
   */
  async sendRaw(socket: SendSocket, parts: readonly Uint8Array[], options: { ident?: Ident | Ident[] } = {}): Promise<void> {
    if (parts.length < 4) {
      throw new MalformedMessageError(`sendRaw needs at least 4 packed parts (header, parent, metadata, content); got ${parts.length}`);
    }
    const frames: Uint8Array[] = [];
    const { ident } = options;
    if (ident !== undefined) for (const id of Array.isArray(ident) ? ident : [ident]) frames.push(toBytes(id));
    frames.push(DELIM, this.#hmacKey ? Buffer.from(this.sign(parts.slice(0, 4)), "latin1") : EMPTY, ...parts);
    await sendQueued(socket, frames);
  }

  /**
   * Receives one message. Frames that are not a valid message reject with
   * one of the Session's error classes, and the socket stays usable.
   */
  async recv(socket: ReceiveSocket, options?: { content?: true }): Promise<Received<Message>>;
  async recv(socket: ReceiveSocket, options: { content: false }): Promise<Received<PeekedMessage>>;
  async recv(socket: ReceiveSocket, options: { content?: boolean }): Promise<Received<Message | PeekedMessage>>;
  async recv(socket: ReceiveSocket, options: { content?: boolean } = {}): Promise<Received<Message | PeekedMessage>> {
    const frames = await socket.receive();
    const [idents, rest] = this.feedIdentities(frames);
    const msg = options.content === false ? this.deserialize(rest, { content: false }) : this.deserialize(rest);
    return { idents, msg };
  }

  /**
   * A new Session with the same settings and id and a copy of the digest
   * history: for a second connection to the same kernel from this process.
   */
  clone(): Session {
    const copy = new Session({
      key: this.#key,
      signatureScheme: this.signatureScheme,
      username: this.username,
      session: this.session,
      packer: this.pack,
      unpacker: this.unpack,
      digestHistorySize: this.digestHistorySize,
      metadata: { ...this.metadata },
      ...(this.adaptVersion === undefined ? {} : { adaptVersion: this.adaptVersion }),
    });
    for (const digest of this.digestHistory) copy.digestHistory.add(digest);
    return copy;
  }
}

/**
 * Python's `SessionFactory`: a base for objects that own a Session (clients,
 * managers, kernels). Pass a Session to share one, or options to make one.
 */
export class SessionFactory {
  readonly session: Session;
  constructor(session: Session | SessionOptions = {}) {
    this.session = session instanceof Session ? session : new Session(session);
  }
}
