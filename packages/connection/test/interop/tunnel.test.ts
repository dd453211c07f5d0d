// SSH tunnels against a real OpenSSH server: the test starts its own sshd on
// 127.0.0.1 with throwaway keys, and the tunnels run the real `ssh` client.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Reply, Request } from "zeromq";
import { requirePeer } from "@jupyter-ts/testing";
import { SshTunnelError, selectRandomPorts, sshTunnel, tunnelToKernel, type SshTunnelOptions } from "../../src/tunnel.js";

const run = promisify(execFile);

const sshd = requirePeer(
  existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : undefined,
  "OpenSSH server (/usr/sbin/sshd)",
  "apt-get install openssh-server openssh-client",
);

const CHANNELS = ["shell", "iopub", "stdin", "hb", "control"] as const;

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = await listen(createServer());
  const port = portOf(server);
  await closeServer(server);
  return port;
}

function listen(server: Server, port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1" }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** True while `port` on 127.0.0.1 can be bound by someone else: nothing of ours holds it. */
async function isFree(port: number): Promise<boolean> {
  try {
    await closeServer(await listen(createServer(), port));
    return true;
  } catch {
    return false;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Connects, sends `payload`, half-closes, and returns everything read until the peer closes. */
function exchange(port: number, payload: Uint8Array = new Uint8Array()): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect({ port, host: "127.0.0.1" }, () => socket.end(payload));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", reject);
    socket.once("close", () => resolve(Buffer.concat(chunks)));
  });
}

/** Alive means a running process; a zombie (exited, not yet reaped by init) counts as dead. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
    } catch {
      return false;
    }
  }).map(Number);
}

function sshdZombies(): number[] {
  return readdirSync("/proc").filter((entry) => {
    try {
      return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/stat`, "utf8").includes("(sshd) Z");
    } catch {
      return false;
    }
  }).map(Number);
}

/** Running ssh clients whose command line mentions `needle` (our temp dir is in every one of ours). */
function sshClientsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (/(^|\/)ssh$/.test(argv[0] ?? "") && argv.some((arg) => arg.includes(needle)) && isAlive(Number(entry))) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe("ssh tunnel arguments that fail before any connection", () => {
  it("rejects a password with a clear error instead of prompting", async () => {
    const error = await sshTunnel("me@example.invalid", { localPort: 0, remotePort: 80, password: "hunter2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshTunnelError);
    expect(error).toMatchObject({ code: "ERR_SSH_PASSWORD_UNSUPPORTED" });
    expect((error as Error).message).toMatch(/key/);
  });

  it("names the missing ssh client", async () => {
    const error = await sshTunnel("me@example.invalid", { localPort: 0, remotePort: 80, sshPath: "/nonexistent/ssh" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SSH_NOT_FOUND" });
    expect((error as Error).message).toContain("/nonexistent/ssh");
  });

  it("names a key file that does not exist", async () => {
    const error = await sshTunnel("me@example.invalid", { localPort: 0, remotePort: 80, keyfile: "/nonexistent/id_ed25519" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SSH_KEY_NOT_FOUND" });
    expect((error as Error).message).toContain("/nonexistent/id_ed25519");
  });

  it("refuses a server string that ssh would read as an option", async () => {
    await expect(sshTunnel("-oProxyCommand=touch /tmp/pwned", { localPort: 0, remotePort: 80 })).rejects.toMatchObject({ code: "ERR_SSH_INVALID_OPTIONS" });
  });

  it("refuses connection info without ports, and ipc kernels", async () => {
    const info = { ip: "127.0.0.1", transport: "tcp", shell_port: 1, iopub_port: 2, stdin_port: 3, hb_port: 4, control_port: 0 };
    await expect(tunnelToKernel(info, { sshServer: "me@example.invalid" })).rejects.toMatchObject({
      code: "ERR_SSH_CONNECTION_INFO",
      message: expect.stringContaining("control_port"),
    });
    await expect(tunnelToKernel({ ...info, control_port: 5, transport: "ipc" }, { sshServer: "me@example.invalid" })).rejects.toMatchObject({
      code: "ERR_SSH_CONNECTION_INFO",
    });
  });

  it("selectRandomPorts returns distinct free ports", async () => {
    const ports = await selectRandomPorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(await isFree(port)).toBe(true);
  });
});

describe.skipIf(!sshd)("ssh tunnels through a real sshd", () => {
  let dir: string;
  let sshdProcess: ChildProcess | undefined;
  let sshdLog = "";
  let server: string;
  let userKey: string;
  let wrongKey: string;
  let ssh: SshTunnelOptions;
  const servers: Server[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jupyter-ts-ssh-"));
    const keygen = (file: string) => run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "jupyter-ts test", "-f", join(dir, file)]);
    await Promise.all([keygen("host_key"), keygen("user_key"), keygen("wrong_key")]);
    userKey = join(dir, "user_key");
    wrongKey = join(dir, "wrong_key");
    await writeFile(join(dir, "authorized_keys"), readFileSync(`${userKey}.pub`));
    const port = await freePort();
    const config = [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "AllowTcpForwarding yes",
      "PermitRootLogin prohibit-password",
      "UseDNS no",
      "",
    ].join("\n");
    await writeFile(join(dir, "sshd_config"), config);
    // sshd's privilege separation needs this directory (root only).
    if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const child = spawn(sshd!, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    sshdProcess = child;
    child.stderr!.on("data", (chunk: Buffer) => (sshdLog += chunk.toString()));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${sshdLog}`);
      return canConnect(port);
    }, "sshd to listen");

    server = `${userInfo().username}@127.0.0.1:${port}`;
    ssh = {
      knownHostsFile: join(dir, "known_hosts"),
      strictHostKeyChecking: "no",
      // Ignore the machine's ssh config and agent: only the keys made here count.
      extraArgs: ["-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"],
    };
  });

  afterAll(async () => {
    const leftovers = dir ? sshClientsMentioning(dir) : [];
    try {
      if (sshdProcess && sshdProcess.exitCode === null) {
        // Let sshd reap its per-connection children first, so none is left a zombie.
        const sshdPid = sshdProcess.pid!;
        await waitFor(() => childrenOf(sshdPid).length === 0, "sshd's connections to end", 5_000).catch(() => {});
        const exited = new Promise((resolve) => sshdProcess!.once("exit", resolve));
        sshdProcess.kill("SIGTERM");
        await exited;
        // sshd's privilege-separated helpers end as orphans; give init a moment to reap them.
        await waitFor(() => sshdZombies().length === 0, "sshd zombies to be reaped", 10_000).catch(() => {});
      }
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map(closeServer));
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
    expect(leftovers, "ssh clients still running after the tests").toEqual([]);
  });

  const sockets = new Set<Socket>();
  async function serve(handler: (socket: Socket) => void): Promise<number> {
    const s = await listen(
      createServer((socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
        handler(socket);
      }),
    );
    servers.push(s);
    return portOf(s);
  }

  it("forwards bytes both ways to an echo server, then frees the port and the process", async () => {
    const echoPort = await serve((socket) => socket.pipe(socket));
    const tunnel = await sshTunnel(server, { localPort: 0, remotePort: echoPort, ...ssh, keyfile: userKey });
    expect(tunnel.localPort).toBeGreaterThan(0);
    expect(tunnel.localPort).not.toBe(echoPort);

    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) % 256;
    const echoed = await exchange(tunnel.localPort, payload);
    expect(echoed.equals(payload)).toBe(true);

    const pid = tunnel.process.pid!;
    expect(isAlive(pid)).toBe(true);
    await tunnel.close();
    await tunnel.close(); // idempotent
    expect(isAlive(pid)).toBe(false);
    expect(await isFree(tunnel.localPort)).toBe(true);
  });

  it("uses the local port it is given, and reports one that is taken", async () => {
    const echoPort = await serve((socket) => socket.pipe(socket));
    const lport = await freePort();
    {
      await using tunnel = await sshTunnel(server, { localPort: lport, remotePort: echoPort, ...ssh, keyfile: userKey, remoteIp: "127.0.0.1" });
      expect(tunnel.localPort).toBe(lport);
      expect((await exchange(lport, Buffer.from("hi"))).toString()).toBe("hi");
    }
    expect(await isFree(lport)).toBe(true);

    const taken = await listen(createServer());
    try {
      const error = await sshTunnel(server, { localPort: portOf(taken), remotePort: echoPort, ...ssh, keyfile: userKey }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshTunnelError);
      expect(error).toMatchObject({ code: "ERR_SSH_PORT_IN_USE", stderr: expect.stringMatching(/Address already in use/) });
      expect((error as Error).message).toContain(String(portOf(taken)));
    } finally {
      await closeServer(taken);
    }
  });

  it("carries a ZeroMQ REQ/REP round trip", async () => {
    const rep = new Reply();
    await rep.bind("tcp://127.0.0.1:*");
    const repPort = Number(new URL(rep.lastEndpoint!).port);
    const req = new Request();
    const tunnel = await sshTunnel(server, { localPort: 0, remotePort: repPort, ...ssh, keyfile: userKey });
    try {
      req.connect(`tcp://127.0.0.1:${tunnel.localPort}`);
      await req.send("ping");
      const [got] = await rep.receive();
      await rep.send(`pong ${got!.toString()}`);
      const [answer] = await req.receive();
      expect(answer!.toString()).toBe("pong ping");
    } finally {
      req.close();
      rep.close();
      await tunnel.close();
    }
  });

  it("tunnelToKernel forwards the five channels in Python's order (shell, iopub, stdin, hb, control)", async () => {
    // A fake kernel: each channel's server names itself to whoever connects.
    const remote: Record<string, number> = {};
    for (const channel of CHANNELS) remote[`${channel}_port`] = await serve((socket) => socket.end(channel));
    const file = join(dir, "kernel-fake.json");
    await writeFile(file, JSON.stringify({ ...remote, ip: "127.0.0.1", transport: "tcp", key: "k", signature_scheme: "hmac-sha256" }));

    const tunnels = await tunnelToKernel(file, { ...ssh, sshServer: server, sshKey: userKey });
    try {
      expect(tunnels.ports).toHaveLength(5);
      expect(new Set(tunnels.ports).size).toBe(5);
      expect(tunnels.ports).toEqual([tunnels.shellPort, tunnels.iopubPort, tunnels.stdinPort, tunnels.hbPort, tunnels.controlPort]);
      for (const port of tunnels.ports) expect(Object.values(remote)).not.toContain(port);
      const answers = await Promise.all(tunnels.ports.map(async (port) => (await exchange(port)).toString()));
      expect(answers).toEqual([...CHANNELS]);
    } finally {
      await tunnels.close();
    }
    expect(isAlive(tunnels.process.pid!)).toBe(false);
    for (const port of tunnels.ports) expect(await isFree(port)).toBe(true);
  });

  it("tunnelToKernel takes the info object, and reads a wildcard ip as the server's loopback", async () => {
    const remote: Record<string, number> = {};
    for (const channel of CHANNELS) remote[`${channel}_port`] = await serve((socket) => socket.end(channel));
    // Typed as an interface with more fields than the tunnel reads, as a connection file's type would be.
    interface FullInfo {
      ip: string; transport: string; key: string; signature_scheme: string; kernel_name: string;
      shell_port: number; iopub_port: number; stdin_port: number; hb_port: number; control_port: number;
    }
    const info: FullInfo = { ip: "0.0.0.0", transport: "tcp", key: "k", signature_scheme: "hmac-sha256", kernel_name: "fake",
      shell_port: remote["shell_port"]!, iopub_port: remote["iopub_port"]!, stdin_port: remote["stdin_port"]!,
      hb_port: remote["hb_port"]!, control_port: remote["control_port"]! };
    await using tunnels = await tunnelToKernel(info, { ...ssh, sshServer: server, sshKey: userKey });
    expect((await exchange(tunnels.hbPort)).toString()).toBe("hb");
    expect((await exchange(tunnels.controlPort)).toString()).toBe("control");
  });

  it("rejects a wrong key with an authentication error carrying ssh's stderr, and leaves no ssh behind", async () => {
    const error = await sshTunnel(server, { localPort: 0, remotePort: 22, ...ssh, keyfile: wrongKey }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshTunnelError);
    const tunnelError = error as SshTunnelError;
    expect(tunnelError.code).toBe("ERR_SSH_AUTH");
    expect(tunnelError.message).toMatch(/authentication/i);
    expect(tunnelError.stderr).toMatch(/Permission denied/);
    expect(tunnelError.exitCode).toBe(255);

    await expect(tunnelToKernel({ ip: "127.0.0.1", shell_port: 1, iopub_port: 2, stdin_port: 3, hb_port: 4, control_port: 5 }, {
      ...ssh,
      sshServer: server,
      sshKey: wrongKey,
    })).rejects.toMatchObject({ code: "ERR_SSH_AUTH" });
    expect(sshClientsMentioning(wrongKey)).toEqual([]);
  });

  it("refuses a server whose host key changed, with the default StrictHostKeyChecking", async () => {
    const knownHosts = join(dir, "known_hosts_changed");
    const port = server.slice(server.lastIndexOf(":") + 1);
    // Another key recorded for this host: what a man in the middle looks like.
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${wrongKey}.pub`, "utf8")}`);
    const error = await sshTunnel(server, { localPort: 0, remotePort: 22, keyfile: userKey, knownHostsFile: knownHosts, extraArgs: ssh.extraArgs })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SSH_HOST_KEY", stderr: expect.stringMatching(/IDENTIFICATION HAS CHANGED/) });
  });

  it("gives up after timeout on a server that never speaks SSH", async () => {
    const silent = await serve(() => {}); // accepts and never sends a banner
    const started = Date.now();
    const error = await sshTunnel(`${userInfo().username}@127.0.0.1:${silent}`, { localPort: 0, remotePort: 22, ...ssh, keyfile: userKey, timeout: 500 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SSH_TIMEOUT", message: expect.stringContaining("500 ms") });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports an sshd that is not there as unreachable", async () => {
    const closed = await freePort();
    const error = await sshTunnel(`${userInfo().username}@127.0.0.1:${closed}`, { localPort: 0, remotePort: 22, ...ssh, keyfile: userKey }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SSH_UNREACHABLE", stderr: expect.stringMatching(/Connection refused/) });
  });

  it("an open tunnel neither keeps Node alive nor outlives it", async () => {
    // Bundle the module, then let a separate Node process open a tunnel and
    // simply end without close(): Node must exit on its own, killing ssh.
    const packageDir = resolve(import.meta.dirname, "../..");
    const bundle = join(dir, "tunnel.mjs");
    await run(join(packageDir, "node_modules/.bin/esbuild"), [
      join(packageDir, "src/tunnel.ts"), "--bundle", "--platform=node", "--format=esm", "--conditions=@jupyter-ts/source",
      `--outfile=${bundle}`, "--log-level=warning",
    ], { cwd: packageDir });
    const echoPort = await serve((socket) => socket.pipe(socket));
    const script = join(dir, "leave-open.mjs");
    await writeFile(script, [
      `import { sshTunnel } from ${JSON.stringify(bundle)};`,
      `const t = await sshTunnel(${JSON.stringify(server)}, ${JSON.stringify({ remotePort: echoPort, ...ssh, keyfile: userKey })});`,
      "console.log(JSON.stringify({ pid: t.process.pid, port: t.localPort }));",
    ].join("\n"));
    const started = Date.now();
    const { stdout } = await run(process.execPath, [script], { timeout: 15_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    const { pid, port } = JSON.parse(stdout) as { pid: number; port: number };
    await waitFor(() => !isAlive(pid), `ssh ${pid} to end with its Node process`, 5_000);
    await waitFor(() => isFree(port), `port ${port} to be released`, 5_000);
  });
});
