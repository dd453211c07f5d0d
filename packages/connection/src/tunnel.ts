import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { homedir } from "node:os";
import { JupyterTsError, newId } from "@jupyter-ts/protocol";

/** Every `code` a {@link SshTunnelError} can carry. Match on these, not on the message. */
export type SshTunnelErrorCode =
  | "ERR_SSH_NOT_FOUND"
  | "ERR_SSH_AUTH"
  | "ERR_SSH_HOST_KEY"
  | "ERR_SSH_UNREACHABLE"
  | "ERR_SSH_PORT_IN_USE"
  | "ERR_SSH_TIMEOUT"
  | "ERR_SSH_KEY_NOT_FOUND"
  | "ERR_SSH_PASSWORD_UNSUPPORTED"
  | "ERR_SSH_INVALID_OPTIONS"
  | "ERR_SSH_CONNECTION_INFO"
  | "ERR_SSH_TUNNEL";

/** What a {@link SshTunnelError} knows besides its message. */
export interface SshTunnelErrorOptions {
  code: SshTunnelErrorCode;
  /** What `ssh` wrote to stderr before it failed (empty when it never ran). */
  stderr?: string | undefined;
  /** The ssh server as given, e.g. `user@host:2222`. */
  server?: string | undefined;
  /** `ssh`'s exit code, or `null` when it did not exit on its own. */
  exitCode?: number | null | undefined;
  cause?: unknown;
}

/**
 * An SSH tunnel that could not be opened: `ssh` missing, the server unreachable,
 * the key refused, the local port taken, or no readiness within the timeout.
 * `stderr` holds what `ssh` said.
 */
export class SshTunnelError extends JupyterTsError {
  declare readonly code: SshTunnelErrorCode;
  /** What `ssh` wrote to stderr (empty when it never ran). */
  readonly stderr: string;
  /** The ssh server as given. */
  readonly server: string | undefined;
  /** `ssh`'s exit code, or `null` when it was stopped or never ran. */
  readonly exitCode: number | null;

  constructor(message: string, options: SshTunnelErrorOptions) {
    super(options.code, message, { cause: options.cause });
    this.stderr = options.stderr ?? "";
    this.server = options.server;
    this.exitCode = options.exitCode ?? null;
  }
}

/** Options of {@link sshTunnel}; {@link tunnelToKernel} takes the same, minus `remoteIp` and `keyfile`. */
export interface SshTunnelOptions {
  /** The address the tunnel reaches, as seen from the ssh server. Default `127.0.0.1`: the server's own loopback. */
  remoteIp?: string | undefined;
  /** Private key file for `ssh -i`. Without it, ssh's config, agent and default keys apply. */
  keyfile?: string | undefined;
  /**
   * Not supported: the tunnel runs `ssh` in batch mode and never answers a
   * prompt. Use a key (`keyfile`, ssh-agent or `~/.ssh/config`). Passing a
   * value rejects with `ERR_SSH_PASSWORD_UNSUPPORTED` rather than hanging.
   */
  password?: string | undefined;
  /** How long to wait for the forward to listen, in ms. Default 20 000. */
  timeout?: number | undefined;
  /** The OpenSSH client to run. Default `ssh` (from `PATH`). */
  sshPath?: string | undefined;
  /** `UserKnownHostsFile` for this tunnel. Default: ssh's own (`~/.ssh/known_hosts`). */
  knownHostsFile?: string | undefined;
  /**
   * `StrictHostKeyChecking`. Default `accept-new`: trust a host seen for the
   * first time and remember it, refuse a host whose key changed.
   */
  strictHostKeyChecking?: "yes" | "accept-new" | "no" | undefined;
  /**
   * More arguments for `ssh`, placed before the ones set here; for `-o`
   * options the first value wins, so these override the defaults.
   */
  extraArgs?: readonly string[] | undefined;
}

/** Options of {@link sshTunnel}: which ports to join, and how to run ssh. */
export interface SshForwardOptions extends SshTunnelOptions {
  /** The port on this machine (127.0.0.1); default 0, a free one. */
  localPort?: number | undefined;
  /** The port at `remoteIp`, as seen from the server. */
  remotePort: number;
}

/** An open tunnel from `127.0.0.1:localPort` on this machine, through an ssh server. */
export interface SshTunnel extends AsyncDisposable {
  /** The port on 127.0.0.1 that is forwarded. */
  readonly localPort: number;
  /** The `ssh` child process that carries the forward. */
  readonly process: ChildProcess;
  /** Ends `ssh` (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. Idempotent. */
  close(): Promise<void>;
}

/**
 * The connection-info fields {@link tunnelToKernel} reads. A full connection
 * file's object fits: the function is generic so other fields pass.
 */
export interface TunnelConnectionInfo {
  ip?: string | undefined;
  transport?: string | undefined;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  hb_port: number;
  control_port: number;
}

/** Options of {@link tunnelToKernel}. */
export interface TunnelToKernelOptions extends Omit<SshTunnelOptions, "remoteIp" | "keyfile"> {
  /** The ssh server: `host`, `user@host`, `user@host:port`, `user@[::1]:port` or an ssh config alias. */
  sshServer: string;
  /** Private key file. Only needed when ssh's config does not already pick a key for the host. */
  sshKey?: string | undefined;
}

/** The five forwarded kernel ports on 127.0.0.1, and the means to close them. */
export interface KernelTunnels extends AsyncDisposable {
  /** `[shell, iopub, stdin, hb, control]`: the order of Python's `tunnel_to_kernel` tuple. */
  readonly ports: readonly [shell: number, iopub: number, stdin: number, hb: number, control: number];
  readonly shellPort: number;
  readonly iopubPort: number;
  readonly stdinPort: number;
  readonly hbPort: number;
  readonly controlPort: number;
  /** The one `ssh` child process that carries all five forwards. */
  readonly process: ChildProcess;
  /** Ends `ssh` and resolves once it has exited. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT = 20_000;
const KILL_GRACE = 3_000;
const STDERR_LIMIT = 64 * 1024;
const PORT_ATTEMPTS = 3;

/**
 * Picks `n` distinct free TCP ports, as Python's `select_random_ports`: binds
 * `n` sockets to port 0 at once, then releases them all. Another process may
 * still take a port before it is used; the tunnels here retry when that happens.
 *
 * @example
 * const [a, b] = await selectRandomPorts(2); // e.g. [41237, 39011]
 */
export async function selectRandomPorts(n: number, options: { host?: string } = {}): Promise<number[]> {
  if (!Number.isInteger(n) || n < 0) {
    throw new SshTunnelError(`selectRandomPorts: n must be a non-negative integer, got ${String(n)}`, {
      code: "ERR_SSH_INVALID_OPTIONS",
    });
  }
  const host = options.host ?? "127.0.0.1";
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: 0, host }, () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error(`no TCP address for ${host}`);
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

/**
 * Opens an SSH tunnel with the system OpenSSH client: `127.0.0.1:localPort` on
 * this machine reaches `remoteIp:remotePort` as seen from `server`, like
 * `ssh -N -L 127.0.0.1:localPort:remoteIp:remotePort server`. Resolves once the local
 * port is listening (ssh reports it through a `LocalCommand`, no polling).
 * `localPort` 0 (the default) picks a free port. Python's
 * `ssh_tunnel(lport, rport, server, ...)` becomes `sshTunnel(server, { localPort, remotePort, ... })`. Authentication must need no prompt: a key file,
 * ssh-agent or `~/.ssh/config`. The tunnel does not keep Node alive; close it,
 * or it ends with this process.
 *
 * Python's `openssh_tunnel` runs `ssh -f ... sleep 60`, a tunnel that outlives
 * the caller; this one lives until `close()` or the end of this process.
 *
 * @example
 * await using tunnel = await sshTunnel("me@gateway:2222", { remotePort: 8888, keyfile: "~/.ssh/id_ed25519" });
 * console.log(tunnel.localPort); // 127.0.0.1:<localPort> now reaches gateway's 127.0.0.1:8888
 */
export async function sshTunnel(server: string, options: SshForwardOptions): Promise<SshTunnel> {
  const { localPort: lport = 0, remotePort: rport } = options;
  checkPort(lport, "localPort", true);
  checkPort(rport, "remotePort", false);
  const remoteIp = options.remoteIp ?? "127.0.0.1";
  if (!/^[^\s/]+$/.test(remoteIp)) {
    throw new SshTunnelError(`remoteIp ${JSON.stringify(remoteIp)} is not a host; use an address as seen from the server, e.g. 127.0.0.1`, {
      code: "ERR_SSH_INVALID_OPTIONS",
      server,
    });
  }
  for (let attempt = 1; ; attempt++) {
    const localPort = lport === 0 ? (await selectRandomPorts(1))[0]! : lport;
    try {
      const ssh = await startSsh([{ localPort, remoteIp, remotePort: rport }], server, options);
      return { localPort, process: ssh.child, close: ssh.close, [Symbol.asyncDispose]: ssh.close };
    } catch (error) {
      // A port we picked was taken between picking and binding: pick again.
      if (lport !== 0 || attempt >= PORT_ATTEMPTS || !isPortInUse(error)) throw error;
    }
  }
}

/**
 * Tunnels the five channels of a remote kernel through an ssh server, as
 * Python's `tunnel_to_kernel`: picks five free local ports and forwards each
 * to the kernel's `ip` and port as seen from the server (a kernel on
 * 127.0.0.1 is reached on the server's own loopback; a wildcard ip such as
 * `0.0.0.0` is treated the same). `connectionInfo` is the connection-file
 * object or its path. One `ssh` process carries all five forwards.
 *
 * @example
 * const tunnels = await tunnelToKernel("kernel-1234.json", { sshServer: "me@host", sshKey: "~/.ssh/id_ed25519" });
 * const [shell, iopub, stdin, hb, control] = tunnels.ports; // connect to tcp://127.0.0.1:<port>
 * await tunnels.close();
 */
export async function tunnelToKernel<Info extends TunnelConnectionInfo>(
  connectionInfo: string | Info,
  options: TunnelToKernelOptions,
): Promise<KernelTunnels> {
  const info: TunnelConnectionInfo = typeof connectionInfo === "string" ? await readInfo(connectionInfo) : connectionInfo;
  const names = ["shell_port", "iopub_port", "stdin_port", "hb_port", "control_port"] as const;
  const remotePorts = names.map((name) => {
    const port = info[name];
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new SshTunnelError(
        `connection info ${name} is ${JSON.stringify(port)}; a kernel to tunnel to needs all five ports set (1-65535)`,
        { code: "ERR_SSH_CONNECTION_INFO" },
      );
    }
    return port;
  });
  const transport = info.transport ?? "tcp";
  if (transport !== "tcp") {
    throw new SshTunnelError(`connection info transport is '${transport}'; only 'tcp' kernels can be tunnelled over ssh`, {
      code: "ERR_SSH_CONNECTION_INFO",
    });
  }
  const remoteIp = kernelIpAsSeenFromServer(info.ip);
  const { sshServer, sshKey, ...sshOptions } = options;

  for (let attempt = 1; ; attempt++) {
    const localPorts = await selectRandomPorts(5);
    const forwards = localPorts.map((localPort, i) => ({ localPort, remoteIp, remotePort: remotePorts[i]! }));
    try {
      const ssh = await startSsh(forwards, sshServer, { ...sshOptions, keyfile: sshKey });
      const [shellPort, iopubPort, stdinPort, hbPort, controlPort] = localPorts as [number, number, number, number, number];
      return {
        ports: [shellPort, iopubPort, stdinPort, hbPort, controlPort],
        shellPort,
        iopubPort,
        stdinPort,
        hbPort,
        controlPort,
        process: ssh.child,
        close: ssh.close,
        [Symbol.asyncDispose]: ssh.close,
      };
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !isPortInUse(error)) throw error;
    }
  }
}

interface Forward {
  localPort: number;
  remoteIp: string;
  remotePort: number;
}

interface RunningSsh {
  child: ChildProcess;
  close: () => Promise<void>;
}

// Every ssh child that is still running, so that none outlives this process.
const liveChildren = new Set<ChildProcess>();

function killLiveChildren(): void {
  for (const child of liveChildren) child.kill("SIGTERM");
}

function track(child: ChildProcess): void {
  if (liveChildren.size === 0) process.on("exit", killLiveChildren);
  liveChildren.add(child);
}

function untrack(child: ChildProcess): void {
  if (liveChildren.delete(child) && liveChildren.size === 0) process.off("exit", killLiveChildren);
}

async function startSsh(forwards: readonly Forward[], server: string, options: SshTunnelOptions): Promise<RunningSsh> {
  if (options.password !== undefined) {
    throw new SshTunnelError(
      `password authentication to '${server}' is not supported: ssh runs in batch mode and never answers a prompt; ` +
        "use a key (keyfile / sshKey), ssh-agent or an IdentityFile in ~/.ssh/config",
      { code: "ERR_SSH_PASSWORD_UNSUPPORTED", server },
    );
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new SshTunnelError(`timeout must be a positive number of ms, got ${String(timeout)}`, {
      code: "ERR_SSH_INVALID_OPTIONS",
      server,
    });
  }
  const { destination, port } = parseServer(server);
  const keyfile = options.keyfile === undefined ? undefined : expandHome(options.keyfile);
  if (keyfile !== undefined) {
    try {
      await access(keyfile, constants.R_OK);
    } catch (cause) {
      throw new SshTunnelError(`ssh key file '${keyfile}' cannot be read; pass the path of an existing private key`, {
        code: "ERR_SSH_KEY_NOT_FOUND",
        server,
        cause,
      });
    }
  }

  // ssh runs LocalCommand once every local forward is bound, so this line on
  // stdout means the tunnel listens.
  const marker = `jupyter-ts-tunnel-ready-${newId()}`;
  const args = [
    ...(options.extraArgs ?? []),
    "-N",
    "-T",
    "-o", "BatchMode=yes",
    "-o", "ExitOnForwardFailure=yes",
    "-o", `StrictHostKeyChecking=${options.strictHostKeyChecking ?? "accept-new"}`,
    "-o", `ConnectTimeout=${Math.max(1, Math.ceil(timeout / 1000))}`,
    // Our own connection, never a shared ControlMaster we could not stop.
    "-o", "ControlMaster=no",
    "-o", "ControlPath=none",
    "-o", "PermitLocalCommand=yes",
    "-o", `LocalCommand=echo ${marker}`,
    ...(options.knownHostsFile === undefined ? [] : ["-o", `UserKnownHostsFile=${quoteOption(options.knownHostsFile)}`]),
    ...(keyfile === undefined ? [] : ["-i", keyfile]),
    ...(port === undefined ? [] : ["-p", String(port)]),
    ...forwards.flatMap((f) => ["-L", `127.0.0.1:${f.localPort}:${bracket(f.remoteIp)}:${f.remotePort}`]),
    "--",
    destination,
  ];
  const sshPath = options.sshPath ?? "ssh";
  const child = spawn(sshPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    // LocalCommand runs in $SHELL: make it a POSIX shell whatever the user's is.
    env: { ...process.env, SHELL: "/bin/sh", SSH_ASKPASS_REQUIRE: "never" },
    windowsHide: true,
  });
  track(child);

  let stderr = "";
  child.stderr!.setEncoding("utf8");
  // Read stderr for as long as ssh runs: a full pipe would block it.
  child.stderr!.on("data", (chunk: string) => {
    stderr = (stderr + chunk.replace(/\r/g, "")).slice(-STDERR_LIMIT);
  });

  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      untrack(child);
      resolve();
    };
    child.once("exit", done);
    child.once("error", () => {
      if (child.pid === undefined) done();
    });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill("SIGTERM");
        const escalate = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE);
        await exited;
        clearTimeout(escalate);
      }
      await exited;
    })();
    return closing;
  };

  try {
    await waitUntilReady(child, marker, timeout);
  } catch (error) {
    await close();
    throw toTunnelError(error, { server, sshPath, forwards, stderr: () => stderr, child, timeout });
  }
  // An open tunnel must not keep Node alive on its own: whatever uses it does.
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);
  return { child, close };
}

type ReadyFailure = { kind: "spawn"; error: Error } | { kind: "exit" } | { kind: "timeout" };

function waitUntilReady(child: ChildProcess, marker: string, timeout: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stdout = "";
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.off("error", onError);
      child.off("close", onClose);
      // Keep draining stdout so ssh never blocks on it.
      child.stdout!.resume();
    };
    const fail = (failure: ReadyFailure): void => {
      cleanup();
      reject(failure);
    };
    const onData = (chunk: string): void => {
      stdout = (stdout + chunk).slice(-4096);
      if (stdout.includes(marker)) {
        cleanup();
        resolve();
      }
    };
    const onError = (error: Error): void => fail({ kind: "spawn", error });
    // "close", not "exit": stderr has been read to the end by then.
    const onClose = (): void => fail({ kind: "exit" });
    const timer = setTimeout(() => fail({ kind: "timeout" }), timeout);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", onData);
    child.once("error", onError);
    child.once("close", onClose);
  });
}

interface FailureContext {
  server: string;
  sshPath: string;
  forwards: readonly Forward[];
  stderr: () => string;
  child: ChildProcess;
  timeout: number;
}

function toTunnelError(failure: unknown, context: FailureContext): SshTunnelError {
  const { server, sshPath, forwards } = context;
  const stderr = context.stderr().trim();
  const exitCode = context.child.exitCode;
  const base = { server, stderr, exitCode };
  const said = stderr === "" ? "" : `; ssh said: ${lastLines(stderr)}`;
  const target = forwards.map((f) => `127.0.0.1:${f.localPort} -> ${bracket(f.remoteIp)}:${f.remotePort}`).join(", ");
  const kind = (failure as Partial<ReadyFailure>).kind;

  if (kind === "spawn") {
    const error = (failure as { error: NodeJS.ErrnoException }).error;
    if (error.code === "ENOENT") {
      return new SshTunnelError(
        `the OpenSSH client '${sshPath}' was not found; install it (apt-get install openssh-client, brew install openssh) or pass sshPath`,
        { ...base, code: "ERR_SSH_NOT_FOUND", cause: error },
      );
    }
    return new SshTunnelError(`could not run '${sshPath}': ${error.message}`, { ...base, code: "ERR_SSH_TUNNEL", cause: error });
  }
  if (kind === "timeout") {
    return new SshTunnelError(
      `ssh tunnel via '${server}' (${target}) was not ready within ${context.timeout} ms${said}; ` +
        "check that the server is reachable, or raise timeout",
      { ...base, code: "ERR_SSH_TIMEOUT" },
    );
  }
  if (kind !== "exit") return new SshTunnelError(`ssh tunnel via '${server}' failed`, { ...base, code: "ERR_SSH_TUNNEL", cause: failure });

  if (/Address already in use|cannot listen to port|Could not request local forwarding/i.test(stderr)) {
    const port = /cannot listen to port: (\d+)/.exec(stderr)?.[1] ?? forwards.map((f) => f.localPort).join(", ");
    return new SshTunnelError(`local port ${port} is already in use, so ssh could not forward it${said}; pick a free port (or pass 0)`, {
      ...base,
      code: "ERR_SSH_PORT_IN_USE",
    });
  }
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key is known/i.test(stderr)) {
    return new SshTunnelError(
      `ssh refused the host key of '${server}'${said}; add the host to known_hosts (ssh ${server} once) or check for a changed key`,
      { ...base, code: "ERR_SSH_HOST_KEY" },
    );
  }
  if (/Permission denied|Too many authentication failures|no mutual signature|Authentication failed/i.test(stderr)) {
    return new SshTunnelError(
      `ssh authentication to '${server}' was refused${said}; pass the right private key (keyfile / sshKey), ` +
        "load it into ssh-agent, or add its public key to the server's authorized_keys (password login is not supported)",
      { ...base, code: "ERR_SSH_AUTH" },
    );
  }
  if (/Could not resolve hostname|Connection refused|timed out|No route to host|Network is unreachable|Connection closed|Connection reset/i.test(stderr)) {
    return new SshTunnelError(`cannot reach ssh server '${server}'${said}; check the host name and port, and that sshd runs there`, {
      ...base,
      code: "ERR_SSH_UNREACHABLE",
    });
  }
  return new SshTunnelError(
    `ssh tunnel via '${server}' (${target}) exited with code ${String(exitCode ?? context.child.signalCode)}${said}`,
    { ...base, code: "ERR_SSH_TUNNEL" },
  );
}

function isPortInUse(error: unknown): boolean {
  return error instanceof SshTunnelError && error.code === "ERR_SSH_PORT_IN_USE";
}

function checkPort(port: number, name: string, zeroOk: boolean): void {
  if (!Number.isInteger(port) || port < (zeroOk ? 0 : 1) || port > 65535) {
    throw new SshTunnelError(`${name} must be an integer port in ${zeroOk ? "0" : "1"}-65535, got ${String(port)}`, {
      code: "ERR_SSH_INVALID_OPTIONS",
    });
  }
}

/** `user@host:port` -> destination `user@host` and `-p port`; aliases, `ssh://` URLs and bare IPv6 pass through. */
function parseServer(server: string): { destination: string; port: number | undefined } {
  const trimmed = server.trim();
  if (trimmed === "" || trimmed.startsWith("-") || /\s/.test(trimmed)) {
    throw new SshTunnelError(`ssh server ${JSON.stringify(server)} is not a host; use host, user@host or user@host:port`, {
      code: "ERR_SSH_INVALID_OPTIONS",
      server,
    });
  }
  if (trimmed.startsWith("ssh://")) return { destination: trimmed, port: undefined };
  const at = trimmed.lastIndexOf("@");
  const user = trimmed.slice(0, at + 1);
  const hostPort = trimmed.slice(at + 1);
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:]+):(\d+)$/.exec(hostPort);
  if (match === null) return { destination: trimmed, port: undefined };
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new SshTunnelError(`ssh server '${server}' has port ${port}; use a port in 1-65535`, {
      code: "ERR_SSH_INVALID_OPTIONS",
      server,
    });
  }
  return { destination: `${user}${match[1]!}`, port };
}

/** The kernel's `ip` as the ssh server should dial it: wildcards mean the server's own loopback. */
function kernelIpAsSeenFromServer(ip: string | undefined): string {
  if (ip === undefined || ip === "" || ip === "*" || ip === "0.0.0.0" || ip === "localhost") return "127.0.0.1";
  if (ip === "::") return "::1";
  return ip;
}

async function readInfo(file: string): Promise<TunnelConnectionInfo> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new SshTunnelError(`cannot read connection file '${file}'; pass an existing kernel-*.json path or the info object`, {
      code: "ERR_SSH_CONNECTION_INFO",
      cause,
    });
  }
  try {
    const info: unknown = JSON.parse(text);
    if (typeof info !== "object" || info === null || Array.isArray(info)) throw new Error("not a JSON object");
    return info as TunnelConnectionInfo;
  } catch (cause) {
    throw new SshTunnelError(`connection file '${file}' is not a JSON object; pass a kernel connection file`, {
      code: "ERR_SSH_CONNECTION_INFO",
      cause,
    });
  }
}

function bracket(ip: string): string {
  return ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

// ssh splits -o values on whitespace (UserKnownHostsFile takes a list).
function quoteOption(value: string): string {
  return /[\s"'\\]/.test(value) ? `"${value.replace(/(["\\])/g, "\\$1")}"` : value;
}

function lastLines(text: string): string {
  return text.split("\n").filter((line) => line.trim() !== "").slice(-3).join(" | ");
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}
