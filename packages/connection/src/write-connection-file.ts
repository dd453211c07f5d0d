import { existsSync } from "node:fs";
import { chmod, stat } from "node:fs/promises";
import { getHashes } from "node:crypto";
import { dirname, join, sep } from "node:path";
import { ensureRuntimeDir, InsecureFileError, secureWrite } from "@jupyter-ts/paths";
import { newId } from "@jupyter-ts/protocol";
import {
  formatConnectionInfo,
  isStandardField,
  type ConnectionInfo,
  type PortName,
  type Transport,
} from "./connection-info.js";
import { ConnectionFileError, InvalidConnectionInfoError } from "./errors.js";
import { localhost } from "./local-interfaces.js";
import { LocalPortCache } from "./port-cache.js";

/** Options of {@link writeConnectionFile}. Every port left at 0 is picked. */
export interface WriteConnectionFileOptions {
  /** Where to write; default `<runtime dir>/kernel-<uuid>.json` (the runtime dir is made 0700 if missing). */
  fname?: string;
  shellPort?: number;
  iopubPort?: number;
  stdinPort?: number;
  hbPort?: number;
  controlPort?: number;
  /**
   * tcp: the address the kernel binds, default {@link localhost}() (`127.0.0.1`).
   * ipc: the path prefix of the socket files, default `<fname without .json>-ipc`.
   */
  ip?: string;
  /** The HMAC key (bytes must be UTF-8); default a new UUID. `""` means unsigned. */
  key?: string | Uint8Array;
  /** Default `"tcp"`. */
  transport?: Transport;
  /** Default `"hmac-sha256"`. */
  signatureScheme?: string;
  /** Default `""`, as jupyter_client writes it. */
  kernelName?: string;
  /** More fields for the file, written after the standard ones (Python's `**kwargs`). */
  extra?: Record<string, unknown>;
}

/** What {@link writeConnectionFile} returns. */
export interface WrittenConnectionFile {
  /** The path written. */
  fname: string;
  /** What the file holds. */
  info: ConnectionInfo;
}

const SOURCE = "writeConnectionFile options";
// The sticky bit; not in Node's fs.constants.
const S_ISVTX = 0o1000;
const PORT_OPTIONS: ReadonlyArray<[PortName, keyof WriteConnectionFileOptions]> = [
  ["shell_port", "shellPort"],
  ["iopub_port", "iopubPort"],
  ["stdin_port", "stdinPort"],
  ["control_port", "controlPort"],
  ["hb_port", "hbPort"],
];

// ipc "ports" handed out by this process whose socket files may not exist
// yet: parallel writes with the same ip must not pick the same suffix.
const reservedIpcPaths = new Set<string>();

/** Forgets an ipc socket path reserved by {@link writeConnectionFile} (once its files are cleaned up). */
export function releaseIpcPath(path: string): void {
  reservedIpcPaths.delete(path);
}

function invalid(field: string, message: string): never {
  throw new InvalidConnectionInfoError(SOURCE, field, `${SOURCE}: ${message}`);
}

function keyText(key: string | Uint8Array): string {
  if (typeof key === "string") return key;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(key);
  } catch (cause) {
    throw new InvalidConnectionInfoError(SOURCE, "key", `${SOURCE}: key bytes must be UTF-8 (connection files hold the key as text); use a string key such as a UUID`, { cause });
  }
}

/** `ip` for ipc when none is given: next to the connection file, as Python's ConnectionFileMixin does. */
export function defaultIpcIp(fname: string): string {
  return `${fname.endsWith(".json") ? fname.slice(0, -5) : fname}-ipc`;
}

async function pickPorts(transport: Transport, ip: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  if (transport === "tcp") {
    const cache = LocalPortCache.instance();
    const settled = await Promise.allSettled(Array.from({ length: count }, () => cache.findAvailablePort(ip)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      for (const r of settled) if (r.status === "fulfilled") cache.returnPort(r.value);
      throw failed.reason;
    }
    return settled.map((r) => (r as PromiseFulfilledResult<number>).value);
  }
  // ipc: the lowest suffixes N whose file `<ip>-<N>` does not exist.
  const ports: number[] = [];
  for (let n = 1; ports.length < count; n++) {
    const path = `${ip}-${n}`;
    if (existsSync(path) || reservedIpcPaths.has(path)) continue;
    reservedIpcPaths.add(path);
    ports.push(n);
  }
  return ports;
}

function unpick(transport: Transport, ip: string, picked: readonly number[]): void {
  for (const port of picked) {
    if (transport === "tcp") LocalPortCache.instance().returnPort(port);
    else releaseIpcPath(`${ip}-${port}`);
  }
}

/** jupyter_core's `secure_write` (file created 0600, an old one replaced), failures as ConnectionFileError. */
async function writeSecurely(fname: string, text: string): Promise<void> {
  try {
    await secureWrite(fname, text);
  } catch (error) {
    if (error instanceof InsecureFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const hint = code === "ENOENT" ? "; its directory does not exist" : code === "EACCES" ? "; this user may not write there" : "";
    throw new ConnectionFileError(fname, `cannot write connection file ${fname} (${code})${hint}`, { cause: error });
  }
}

// As jupyter_client does: the sticky bit on the file's directory lets only
// the owner remove or rename the file.
async function setStickyBit(fname: string): Promise<void> {
  if (process.platform === "win32" || !fname.includes(sep)) return;
  const dir = dirname(fname);
  try {
    const mode = (await stat(dir)).mode & 0o7777;
    if (!(mode & S_ISVTX)) await chmod(dir, mode | S_ISVTX);
  } catch {
    // Best effort, as in Python (which ignores EPERM): the file is written.
  }
}

/**
 * Writes a kernel connection file, picking free ports for the ones not
 * given, and returns its path and content. The file is created owner-only
 * (0600) and holds the JSON jupyter_client writes, byte for byte.
 *
 * TCP ports come from {@link LocalPortCache} and stay reserved there until
 * `LocalPortCache.instance().returnPort(port)` (ConnectionFileMixin's
 * `cleanupRandomPorts()` does this for the ports it had picked).
 *
 * @throws InvalidConnectionInfoError for a bad option, PortAllocationError
 *   when no port can be bound on `ip`, ConnectionFileError when the file
 *   cannot be written, InsecureFileError (from `@jupyter-ts/paths`) when it
 *   cannot be made owner-only.
 *
 * @example
 * const { fname, info } = await writeConnectionFile({ kernelName: "python3" });
 * // fname: ~/.local/share/jupyter/runtime/kernel-6f1c....json
 * // info:  { shell_port: 41255, iopub_port: 40413, stdin_port: 37069, control_port: 45349,
 * //          hb_port: 38447, ip: "127.0.0.1", key: "0a7e...", transport: "tcp",
 * //          signature_scheme: "hmac-sha256", kernel_name: "python3" }
 */
export async function writeConnectionFile(options: WriteConnectionFileOptions = {}): Promise<WrittenConnectionFile> {
  const rawTransport = options.transport ?? "tcp";
  const transport = (typeof rawTransport === "string" ? rawTransport.toLowerCase() : rawTransport) as Transport;
  if (transport !== "tcp" && transport !== "ipc") {
    invalid("transport", `transport must be "tcp" or "ipc", got ${JSON.stringify(rawTransport)}`);
  }
  const scheme = options.signatureScheme ?? "hmac-sha256";
  if (!scheme.startsWith("hmac-") || !getHashes().includes(scheme.slice(5))) {
    invalid("signatureScheme", `signatureScheme must be "hmac-<hash>" with a hash Node's crypto has (e.g. "hmac-sha256"), got ${JSON.stringify(scheme)}`);
  }
  const key = keyText(options.key ?? newId());
  const kernelName = options.kernelName ?? "";
  const extra = options.extra ?? {};
  for (const name of Object.keys(extra)) {
    if (isStandardField(name)) invalid(`extra.${name}`, `extra.${name} is a standard field; set it with its own option instead`);
  }

  const requested = new Map<PortName, number>();
  for (const [field, option] of PORT_OPTIONS) {
    const value = (options[option] as number | undefined) ?? 0;
    const max = transport === "tcp" ? 65535 : Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      invalid(option, `${option} must be an integer 0-${transport === "tcp" ? 65535 : "2^53"} (0 picks a free one), got ${JSON.stringify(value)}`);
    }
    requested.set(field, value);
  }

  let fname = options.fname;
  if (!fname) {
    fname = join(await ensureRuntimeDir(), `kernel-${newId()}.json`);
  }
  const ip = options.ip || (transport === "tcp" ? localhost() : defaultIpcIp(fname));

  const needed = [...requested.values()].filter((p) => p <= 0).length;
  const picked = await pickPorts(transport, ip, needed);
  const queue = [...picked];
  const port = (name: PortName): number => {
    const value = requested.get(name) as number;
    return value > 0 ? value : (queue.shift() as number);
  };
  const info: ConnectionInfo = {
    shell_port: port("shell_port"),
    iopub_port: port("iopub_port"),
    stdin_port: port("stdin_port"),
    control_port: port("control_port"),
    hb_port: port("hb_port"),
    ip,
    key,
    transport,
    signature_scheme: scheme,
    kernel_name: kernelName,
    ...extra,
  };
  try {
    await writeSecurely(fname, formatConnectionInfo(info));
    await setStickyBit(fname);
  } catch (error) {
    unpick(transport, ip, picked);
    throw error;
  }
  return { fname, info };
}
