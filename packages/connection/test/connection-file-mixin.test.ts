import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Publisher, Reply, Router } from "zeromq";
import { Session } from "@jupyter-ts/session";
import {
  ConnectionFileMixin,
  InvalidPortNumberError,
  LocalPortCache,
  readConnectionFile,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const cache = LocalPortCache.instance();

afterEach(() => {
  vi.unstubAllEnvs();
});

function portOf(endpoint: string | null): number {
  return Number(endpoint?.split(":").pop());
}

describe("ConnectionFileMixin: files", () => {
  it("writes a file with its session's key and scheme, picking the ports that are 0", async () => {
    const dir = await tempDir();
    vi.stubEnv("JUPYTER_RUNTIME_DIR", join(dir, "runtime"));
    const session = new Session({ key: "secret", signatureScheme: "hmac-sha512" });
    const conn = new ConnectionFileMixin({ session, kernelName: "python3", hbPort: 50999 });
    expect(conn.connectionFile).toBe("");
    await conn.writeConnectionFile({ extra: { note: "x" } });
    expect(conn.connectionFileWritten).toBe(true);
    expect(conn.connectionFile).toMatch(new RegExp(`^${join(dir, "runtime")}/kernel-[0-9a-f-]{36}\\.json$`));
    const info = await readConnectionFile(conn.connectionFile);
    expect(info).toEqual({
      shell_port: conn.shellPort, iopub_port: conn.iopubPort, stdin_port: conn.stdinPort, control_port: conn.controlPort, hb_port: 50999,
      ip: "127.0.0.1", key: "secret", transport: "tcp", signature_scheme: "hmac-sha512", kernel_name: "python3", note: "x",
    });
    expect(conn.ports).toEqual([conn.shellPort, conn.stdinPort, conn.iopubPort, 50999, conn.controlPort]);
    expect(conn.ports.every((p) => p > 0)).toBe(true);

    // A second write of a file that still exists changes nothing.
    const before = await stat(conn.connectionFile);
    await conn.writeConnectionFile();
    expect((await stat(conn.connectionFile)).ino).toBe(before.ino);

    const { kernel_name: _k, note: _n, ...expected } = info;
    expect(conn.getConnectionInfo()).toEqual(expected);
    const withSession = conn.getConnectionInfo({ session: true });
    expect(withSession.session).not.toBe(session);
    expect(withSession.session.session).toBe(session.session);
    expect([...withSession.session.key]).toEqual([...session.key]);
    expect("key" in withSession).toBe(false);

    // Only the ports it picked go back to the cache; the file goes away.
    const picked = [conn.shellPort, conn.iopubPort, conn.stdinPort, conn.controlPort];
    for (const p of picked) expect(cache.currentlyUsedPorts.has(p)).toBe(true);
    const file = conn.connectionFile;
    await conn.cleanupRandomPorts();
    for (const p of picked) expect(cache.currentlyUsedPorts.has(p)).toBe(false);
    expect([conn.shellPort, conn.iopubPort, conn.stdinPort, conn.controlPort, conn.hbPort]).toEqual([0, 0, 0, 0, 50999]);
    expect(existsSync(file)).toBe(false);
    expect(conn.connectionFileWritten).toBe(false);

    // A restart writes again with new ports.
    await conn.writeConnectionFile();
    expect(conn.shellPort).toBeGreaterThan(0);
    await conn.cleanupRandomPorts();
  });

  it("loads a file: ports not already set, ip, transport, key and scheme (same session id)", async () => {
    const dir = await tempDir();
    const writer = new ConnectionFileMixin({ connectionFile: join(dir, "k.json"), session: new Session({ key: "k1", signatureScheme: "hmac-sha384" }) });
    await writer.writeConnectionFile();

    const reader = new ConnectionFileMixin({ iopubPort: 40000 });
    const id = reader.session.session;
    const identity = reader.identity;
    await reader.loadConnectionFile(writer.connectionFile);
    expect(reader.shellPort).toBe(writer.shellPort);
    expect(reader.iopubPort).toBe(40000);
    expect(new TextDecoder().decode(reader.session.key)).toBe("k1");
    expect(reader.session.signatureScheme).toBe("hmac-sha384");
    expect(reader.session.session).toBe(id);
    expect(reader.identity).toEqual(identity);
    expect(reader.identity).toEqual(new TextEncoder().encode(id));

    // It did not write the file, so it does not remove it; it picked no ports.
    await reader.cleanupRandomPorts();
    await reader.cleanupConnectionFile();
    expect(existsSync(writer.connectionFile)).toBe(true);
    expect(reader.shellPort).toBe(writer.shellPort);

    // Loading from connectionFile itself, and info without ip resets it to the default.
    const again = new ConnectionFileMixin({ connectionFile: writer.connectionFile });
    await again.loadConnectionFile();
    expect(again.getConnectionInfo()).toEqual(writer.getConnectionInfo());
    again.loadConnectionInfo({ shell_port: 1 });
    expect(again.ip).toBe("127.0.0.1");
    expect(again.shellPort).toBe(writer.shellPort);

    await writer.cleanupRandomPorts();
    expect(existsSync(writer.connectionFile)).toBe(false);
  });

  it("ipc: default ip next to the connection file; cleanupIpcFiles removes the socket files", async () => {
    const dir = await tempDir();
    const conn = new ConnectionFileMixin({ transport: "ipc" });
    expect(conn.ip).toBe("kernel-ipc");
    conn.connectionFile = join(dir, "kernel-9.json");
    expect(conn.ip).toBe(join(dir, "kernel-9-ipc"));
    await conn.writeConnectionFile();
    expect(conn.ports).toEqual([1, 3, 2, 5, 4]);
    expect(conn.makeUrl("iopub")).toBe(`ipc://${join(dir, "kernel-9-ipc")}-2`);
    for (const p of conn.ports) await writeFile(`${conn.ip}-${p}`, "");
    await conn.cleanupIpcFiles();
    for (const p of conn.ports) expect(existsSync(`${conn.ip}-${p}`)).toBe(false);
    await conn.cleanupRandomPorts(); // ipc ports are not LocalPortCache's: nothing to do
    expect(conn.ports).toEqual([1, 3, 2, 5, 4]);
    await conn.cleanupConnectionFile();
    expect(existsSync(conn.connectionFile)).toBe(false);
  });

  it("urls, ip '*', transport case, and port 0", () => {
    const conn = new ConnectionFileMixin({ ip: "*", transport: "TCP" as never, shellPort: 5555 });
    expect(conn.ip).toBe("0.0.0.0");
    expect(conn.transport).toBe("tcp");
    expect(conn.makeUrl("shell")).toBe("tcp://0.0.0.0:5555");
    conn.ip = "::1";
    expect(conn.makeUrl("shell")).toBe("tcp://[::1]:5555");
    expect(() => conn.makeUrl("iopub")).toThrow(InvalidPortNumberError);
    expect(() => conn.connectIopub()).toThrow("the iopub port is 0: there is nothing to connect to; write or load a connection file first");
    expect(() => new ConnectionFileMixin({ transport: "udp" as never })).toThrow('transport must be "tcp" or "ipc", got "udp"');
  });
});

describe("ConnectionFileMixin: sockets", () => {
  for (const transport of ["tcp", "ipc"] as const) {
    it(`talks on every channel (${transport})`, async () => {
      const dir = await tempDir();
      const ip = transport === "tcp" ? "127.0.0.1" : join(dir, "k-ipc");
      const addr = (n: number) => (transport === "tcp" ? "tcp://127.0.0.1:0" : `ipc://${ip}-${n}`);
      const shell = new Router({ linger: 0 });
      const stdin = new Router({ linger: 0 });
      const control = new Router({ linger: 0 });
      const iopub = new Publisher({ linger: 0 });
      const hb = new Reply({ linger: 0 });
      const kernelSide = [shell, stdin, control, iopub, hb];
      await Promise.all(kernelSide.map((s, i) => s.bind(addr(i + 1))));
      const port = (s: { lastEndpoint: string | null }, n: number) => (transport === "tcp" ? portOf(s.lastEndpoint) : n);

      const session = new Session({ key: "k" });
      const conn = new ConnectionFileMixin({
        transport, ip, session,
        shellPort: port(shell, 1), stdinPort: port(stdin, 2), controlPort: port(control, 3), iopubPort: port(iopub, 4), hbPort: port(hb, 5),
      });
      const sockets = {
        shell: conn.connectShell(),
        stdin: conn.connectStdin(),
        control: conn.connectControl(),
        iopub: conn.connectIopub(),
        hb: conn.connectHb(),
        custom: conn.connectShell({ identity: "other" }),
      };
      try {
        expect(sockets.shell.linger).toBe(1000);
        expect(sockets.iopub.linger).toBe(1000);
        expect(sockets.shell.routingId).toBe(session.session);
        expect(sockets.hb.routingId).toBeNull();

        // DEALERs share the identity: the ROUTER sees it as the first frame.
        for (const [name, router] of [["shell", shell], ["stdin", stdin], ["control", control]] as const) {
          await session.send(sockets[name], "kernel_info_request");
          const [ident, ...rest] = await router.receive();
          expect(Buffer.from(ident!).toString()).toBe(session.session);
          const [, msgFrames] = session.feedIdentities(rest);
          expect(session.deserialize(msgFrames).msg_type).toBe("kernel_info_request");
        }
        await session.send(sockets.custom, "kernel_info_request");
        expect(Buffer.from((await shell.receive())[0]!).toString()).toBe("other");

        // SUB is subscribed to everything (publish until the late joiner hears it).
        sockets.iopub.receiveTimeout = 100;
        let got: Awaited<ReturnType<typeof session.recv>> | undefined;
        for (let i = 0; i < 50 && !got; i++) {
          await session.send(iopub, "status", { content: { execution_state: "idle" } });
          got = await session.recv(sockets.iopub).catch(() => undefined);
        }
        expect(got?.msg.msg_type).toBe("status");

        // REQ heartbeat: ping and echo.
        await sockets.hb.send("ping");
        const [ping] = await hb.receive();
        await hb.send(ping!);
        expect(Buffer.from((await sockets.hb.receive())[0]!).toString()).toBe("ping");
      } finally {
        for (const s of Object.values(sockets)) s.close();
        for (const s of kernelSide) s.close();
      }
    });
  }

  it("a connection file written by it is valid for readConnectionFile", async () => {
    const dir = await tempDir();
    const conn = new ConnectionFileMixin({ connectionFile: join(dir, "k.json") });
    await conn.writeConnectionFile();
    const text = await readFile(conn.connectionFile, "utf8");
    expect(JSON.parse(text).key).toBe(new TextDecoder().decode(conn.session.key));
    await conn.cleanupRandomPorts();
  });
});
