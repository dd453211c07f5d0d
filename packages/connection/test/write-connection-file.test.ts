import { chmod, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  InvalidConnectionInfoError,
  LocalPortCache,
  formatConnectionInfo,
  readConnectionFile,
  writeConnectionFile,
  type ConnectionInfo,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const cache = LocalPortCache.instance();
const giveBack = (info: ConnectionInfo) => {
  for (const p of [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port]) cache.returnPort(p);
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("writeConnectionFile", () => {
  it("writes every field, in jupyter_client's order and format, and reads back equal", async () => {
    const dir = await tempDir();
    const fname = join(dir, "k.json");
    const { fname: written, info } = await writeConnectionFile({ fname, kernelName: "python3", extra: { jupyter_session: "/nb.ipynb" } });
    expect(written).toBe(fname);
    expect(Object.keys(info)).toEqual([
      "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port",
      "ip", "key", "transport", "signature_scheme", "kernel_name", "jupyter_session",
    ]);
    expect(info).toMatchObject({ ip: "127.0.0.1", transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: "python3", jupyter_session: "/nb.ipynb" });
    expect(info.key).toMatch(UUID);
    const ports = [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port];
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(cache.currentlyUsedPorts.has(p)).toBe(true);
    const text = await readFile(fname, "utf8");
    expect(text).toBe(formatConnectionInfo(info));
    expect(text).toMatch(/^\{\n {2}"shell_port": \d+,\n/);
    expect(text.endsWith("}")).toBe(true);
    expect(await readConnectionFile(fname)).toEqual(info);
    giveBack(info);
  });

  it("keeps explicit ports, key (string or UTF-8 bytes), ip and scheme; escapes non-ASCII as Python's json does", async () => {
    const dir = await tempDir();
    const { info } = await writeConnectionFile({
      fname: join(dir, "k.json"),
      shellPort: 50001, iopubPort: 50002, stdinPort: 50003, hbPort: 50004, controlPort: 50005,
      ip: "0.0.0.0", key: new TextEncoder().encode("clé 🔑"), signatureScheme: "hmac-sha512",
    });
    expect(info).toMatchObject({ shell_port: 50001, iopub_port: 50002, stdin_port: 50003, hb_port: 50004, control_port: 50005, ip: "0.0.0.0", key: "clé 🔑", signature_scheme: "hmac-sha512", kernel_name: "" });
    const text = await readFile(join(dir, "k.json"), "utf8");
    expect(text).toContain(String.raw`"key": "cl\u00e9 \ud83d\udd11"`);
    expect((await readConnectionFile(join(dir, "k.json"))).key).toBe("clé 🔑");
    expect((await writeConnectionFile({ fname: join(dir, "e.json"), key: "", shellPort: 1, iopubPort: 2, stdinPort: 3, hbPort: 4, controlPort: 5 })).info.key).toBe("");
  });

  it("creates the file 0600 (replacing an existing one) and sets the directory's sticky bit", async () => {
    const dir = await tempDir();
    const fname = join(dir, "k.json");
    await writeFile(fname, "old", { mode: 0o644 });
    await chmod(fname, 0o644);
    const { info } = await writeConnectionFile({ fname });
    const st = await stat(fname);
    expect(st.mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o1000).toBe(0o1000);
    giveBack(info);
  });

  it("defaults to <runtime dir>/kernel-<uuid>.json, making the runtime dir 0700", async () => {
    const dir = await tempDir();
    const runtime = join(dir, "a", "b", "runtime");
    vi.stubEnv("JUPYTER_RUNTIME_DIR", runtime);
    const { fname, info } = await writeConnectionFile();
    expect(fname.startsWith(`${runtime}/kernel-`)).toBe(true);
    expect(fname.slice(runtime.length + 8, -5)).toMatch(UUID);
    expect((await stat(runtime)).mode & 0o777).toBe(0o700);
    expect((await stat(fname)).mode & 0o777).toBe(0o600);
    expect(await readdir(runtime)).toEqual([fname.slice(runtime.length + 1)]);
    giveBack(info);
  });

  it("uses $JUPYTER_DATA_DIR/runtime, then $XDG_DATA_HOME/jupyter/runtime", async () => {
    const dir = await tempDir();
    vi.stubEnv("JUPYTER_RUNTIME_DIR", "");
    vi.stubEnv("JUPYTER_DATA_DIR", join(dir, "data"));
    const a = await writeConnectionFile();
    expect(a.fname.startsWith(join(dir, "data", "runtime", "kernel-"))).toBe(true);
    vi.stubEnv("JUPYTER_DATA_DIR", "");
    vi.stubEnv("XDG_DATA_HOME", join(dir, "xdg"));
    const b = await writeConnectionFile();
    expect(b.fname.startsWith(join(dir, "xdg", "jupyter", "runtime", "kernel-"))).toBe(true);
    giveBack(a.info);
    giveBack(b.info);
  });

  it("ipc: ports are the free suffixes of <ip>-<n>, ip defaults next to the file", async () => {
    const dir = await tempDir();
    const fname = join(dir, "kernel-x.json");
    const { info } = await writeConnectionFile({ fname, transport: "ipc" });
    expect(info.ip).toBe(join(dir, "kernel-x-ipc"));
    expect([info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port]).toEqual([1, 2, 3, 4, 5]);

    const ip = join(dir, "sock");
    await writeFile(`${ip}-1`, "");
    await writeFile(`${ip}-3`, "");
    const again = await writeConnectionFile({ fname: join(dir, "k2.json"), transport: "ipc", ip, stdinPort: 9 });
    expect([again.info.shell_port, again.info.iopub_port, again.info.stdin_port, again.info.control_port, again.info.hb_port]).toEqual([2, 4, 9, 5, 6]);

    // Parallel writes sharing an ip do not hand out the same suffix twice.
    const shared = join(dir, "shared");
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => writeConnectionFile({ fname: join(dir, `p${i}.json`), transport: "ipc", ip: shared })));
    const all = many.flatMap(({ info: c }) => [c.shell_port, c.iopub_port, c.stdin_port, c.control_port, c.hb_port]);
    expect(new Set(all).size).toBe(50);
  });

  it("200 parallel calls never share a port", async () => {
    const dir = await tempDir();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => writeConnectionFile({ fname: join(dir, `k${i}.json`) })));
    const ports = results.flatMap(({ info }) => [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port]);
    expect(ports).toHaveLength(1000);
    expect(new Set(ports).size).toBe(1000);
    for (const { info } of results) giveBack(info);
  });

  it("rejects bad options, naming the option, the value and the fix", async () => {
    const dir = await tempDir();
    const fname = join(dir, "bad.json");
    const cases: Array<[Parameters<typeof writeConnectionFile>[0], string, RegExp]> = [
      [{ fname, shellPort: -1 }, "shellPort", /shellPort must be an integer 0-65535 \(0 picks a free one\), got -1/],
      [{ fname, hbPort: 70000 }, "hbPort", /got 70000/],
      [{ fname, controlPort: 1.5 }, "controlPort", /got 1.5/],
      [{ fname, transport: "udp" as never }, "transport", /transport must be "tcp" or "ipc", got "udp"/],
      [{ fname, signatureScheme: "md5" }, "signatureScheme", /"hmac-<hash>".*got "md5"/],
      [{ fname, signatureScheme: "hmac-nope" }, "signatureScheme", /got "hmac-nope"/],
      [{ fname, key: new Uint8Array([0xff, 0xfe]) }, "key", /key bytes must be UTF-8/],
      [{ fname, extra: { ip: "1.2.3.4" } }, "extra.ip", /extra.ip is a standard field/],
    ];
    for (const [options, field, message] of cases) {
      const error = await writeConnectionFile(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidConnectionInfoError);
      expect(error).toMatchObject({ code: "ERR_INVALID_CONNECTION_INFO", field, source: "writeConnectionFile options" });
      expect((error as Error).message).toMatch(message);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("says when the directory is missing, and gives the picked ports back", async () => {
    const dir = await tempDir();
    const fname = join(dir, "missing", "k.json");
    const before = cache.currentlyUsedPorts.size;
    await expect(writeConnectionFile({ fname })).rejects.toMatchObject({
      name: "ConnectionFileError", code: "ERR_CONNECTION_FILE", file: fname,
      message: `cannot write connection file ${fname} (ENOENT); its directory does not exist`,
    });
    expect(cache.currentlyUsedPorts.size).toBe(before);
  });

  it("fails with PortAllocationError on an ip that is not this machine's, and leaks no port", async () => {
    const dir = await tempDir();
    const before = cache.currentlyUsedPorts.size;
    const error = await writeConnectionFile({ fname: join(dir, "k.json"), ip: "203.0.113.77" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "PortAllocationError", code: "ERR_PORT_ALLOCATION", ip: "203.0.113.77" });
    expect((error as Error).message).toMatch(/"203.0.113.77".*localIps\(\)/);
    expect(cache.currentlyUsedPorts.size).toBe(before);
  });
});
