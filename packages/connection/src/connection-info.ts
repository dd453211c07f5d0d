import { readFile } from "node:fs/promises";
import { ConnectionFileError, InvalidConnectionInfoError } from "./errors.js";

/** How the kernel's sockets are reached: TCP ports, or Unix domain sockets (`ipc`). */
export type Transport = "tcp" | "ipc";

/** The five channels of a kernel. */
export type SocketChannel = "shell" | "iopub" | "stdin" | "hb" | "control";

/** The channels in the order of Python's `port_names`. */
export const CHANNELS: readonly SocketChannel[] = ["shell", "stdin", "iopub", "hb", "control"];

/** The port fields of a connection file, e.g. `shell_port`. */
export type PortName = `${SocketChannel}_port`;

/**
 * A kernel's connection info, as it is on disk (snake_case, `key` a string).
 * Fields other than these (some kernels and launchers add their own) are kept.
 *
 * For `ipc` the "ports" are numeric suffixes: the socket of the shell channel
 * is the file `<ip>-<shell_port>`.
 */
export interface ConnectionInfo {
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** The kernel's address (tcp), or the path prefix of its socket files (ipc). */
  ip: string;
  /** The HMAC key; empty means messages are not signed. */
  key: string;
  transport: Transport;
  /** `hmac-<hash>`; `hmac-sha256` when the file has none. */
  signature_scheme: string;
  /** The kernelspec name; `""` or absent when unknown. */
  kernel_name?: string;
  [extra: string]: unknown;
}

/** The port fields in the order jupyter_client writes them. */
export const PORT_NAMES: readonly PortName[] = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"];

const STANDARD_FIELDS = new Set<string>([...PORT_NAMES, "ip", "key", "transport", "signature_scheme", "kernel_name"]);

/** Whether `name` is one of the fields every connection file has (not an extra one). */
export function isStandardField(name: string): boolean {
  return STANDARD_FIELDS.has(name);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** Options of {@link validateConnectionInfo}. */
export interface ValidateConnectionInfoOptions {
  /** Where the info came from, for error messages; default `"connection info"`. */
  source?: string;
}

/**
 * Checks connection info and returns a normalized copy: `transport`
 * lower-cased (`"tcp"` when absent), `signature_scheme` defaulted to
 * `hmac-sha256`, other fields kept. Accepts everything jupyter_client and
 * ipykernel write, including an empty key.
 *
 * @throws InvalidConnectionInfoError naming the source, the field, the bad
 *   value and what it should be.
 *
 * @example
 * const info = validateConnectionInfo(JSON.parse(text), { source: `connection file ${path}` });
 */
export function validateConnectionInfo(info: unknown, options: ValidateConnectionInfoOptions = {}): ConnectionInfo {
  const source = options.source ?? "connection info";
  const fail = (field: string, message: string): never => {
    throw new InvalidConnectionInfoError(source, field, `${source}: ${message}`);
  };
  if (typeof info !== "object" || info === null || Array.isArray(info)) {
    return fail("", `must be a JSON object with shell_port, iopub_port, ..., ip and key; got ${show(info)}`);
  }
  const raw = info as Record<string, unknown>;

  const rawTransport = raw["transport"] ?? "tcp";
  const transport = typeof rawTransport === "string" ? rawTransport.toLowerCase() : rawTransport;
  if (transport !== "tcp" && transport !== "ipc") {
    fail("transport", `transport must be "tcp" or "ipc", got ${show(rawTransport)}`);
  }
  const tcp = transport === "tcp";

  const ports: Record<string, number> = {};
  for (const name of PORT_NAMES) {
    const value = raw[name];
    if (value === undefined) {
      fail(name, `${name} is missing; a connection file has shell_port, iopub_port, stdin_port, control_port and hb_port (is this a kernel connection file?)`);
    }
    const ok = typeof value === "number" && Number.isInteger(value) && value >= 1 && (!tcp || value <= 65535);
    if (!ok) {
      fail(name, tcp
        ? `${name} must be an integer 1-65535, got ${show(value)}`
        : `${name} must be a positive integer (the suffix of the ipc socket file), got ${show(value)}`);
    }
    ports[name] = value as number;
  }

  const ip = raw["ip"];
  if (typeof ip !== "string") fail("ip", `ip must be a string (e.g. "127.0.0.1"), got ${show(ip)}`);
  if (ip === "") fail("ip", tcp ? `ip must not be empty; use "127.0.0.1" for this machine` : `ip must not be empty; for ipc it is the path prefix of the socket files`);

  const key = raw["key"];
  if (typeof key !== "string") fail("key", `key must be a string (empty for unsigned messages), got ${show(key)}`);

  const scheme = raw["signature_scheme"] ?? "hmac-sha256";
  if (typeof scheme !== "string" || !/^hmac-[\w-]+$/.test(scheme)) {
    fail("signature_scheme", `signature_scheme must be "hmac-<hash>" such as "hmac-sha256", got ${show(scheme)}`);
  }

  const kernelName = raw["kernel_name"];
  if (kernelName !== undefined && typeof kernelName !== "string") {
    fail("kernel_name", `kernel_name must be a string (a kernelspec name such as "python3"), got ${show(kernelName)}`);
  }

  const out: ConnectionInfo = {
    shell_port: ports["shell_port"] as number,
    iopub_port: ports["iopub_port"] as number,
    stdin_port: ports["stdin_port"] as number,
    control_port: ports["control_port"] as number,
    hb_port: ports["hb_port"] as number,
    ip: ip as string,
    key: key as string,
    transport: transport as Transport,
    signature_scheme: scheme as string,
  };
  if (kernelName !== undefined) out.kernel_name = kernelName as string;
  for (const [name, value] of Object.entries(raw)) if (!STANDARD_FIELDS.has(name)) out[name] = value;
  return out;
}

/**
 * Reads and validates a connection file.
 *
 * @throws ConnectionFileError when the file cannot be read or is not JSON;
 *   InvalidConnectionInfoError when a field is missing or wrong.
 *
 * @example
 * const info = await readConnectionFile("/run/user/1000/jupyter/kernel-1234.json");
 * info.shell_port; // 53794
 */
export async function readConnectionFile(fname: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(fname, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist (is the kernel still running? findConnectionFile() lists what is there)"
        : code === "EACCES"
          ? "is not readable by this user (connection files are owner-only: read it as the user who started the kernel)"
          : `cannot be read (${code ?? String(cause)})`;
    throw new ConnectionFileError(fname, `connection file ${fname} ${why}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = text.trim() === "" ? "it is empty (is it still being written?)" : reason;
    throw new ConnectionFileError(fname, `connection file ${fname} is not valid JSON: ${hint}`, { cause });
  }
  return validateConnectionInfo(parsed, { source: `connection file ${fname}` });
}

/**
 * The text of a connection file exactly as jupyter_client writes it:
 * `json.dumps(cfg, indent=2)`, non-ASCII characters escaped, no final newline.
 */
export function formatConnectionInfo(info: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(info, null, 2).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
