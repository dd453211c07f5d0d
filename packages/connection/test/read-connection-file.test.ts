import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConnectionFileError,
  InvalidConnectionInfoError,
  readConnectionFile,
  validateConnectionInfo,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const good = {
  shell_port: 53794, iopub_port: 53795, stdin_port: 53796, control_port: 53797, hb_port: 53798,
  ip: "127.0.0.1", key: "a0436f6c-1916-498b-8eb9-e81ab9368e84", transport: "tcp",
  signature_scheme: "hmac-sha256", kernel_name: "python3",
};

async function fileWith(content: unknown): Promise<string> {
  const dir = await tempDir();
  const fname = join(dir, "k.json");
  await writeFile(fname, typeof content === "string" ? content : JSON.stringify(content));
  return fname;
}

async function failure(content: unknown): Promise<{ fname: string; error: InvalidConnectionInfoError }> {
  const fname = await fileWith(content);
  const error = await readConnectionFile(fname).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidConnectionInfoError);
  return { fname, error: error as InvalidConnectionInfoError };
}

describe("readConnectionFile", () => {
  it("reads a jupyter_client file as is", async () => {
    expect(await readConnectionFile(await fileWith(good))).toEqual(good);
  });

  it("accepts what ipykernel and older writers leave out or add", async () => {
    const { signature_scheme: _s, kernel_name: _k, ...bare } = good;
    const info = await readConnectionFile(await fileWith({ ...bare, key: "", transport: "TCP", jupyter_session: "/x.ipynb" }));
    expect(info).toEqual({ ...bare, key: "", transport: "tcp", signature_scheme: "hmac-sha256", jupyter_session: "/x.ipynb" });
    const { transport: _t, ...noTransport } = good;
    expect((await readConnectionFile(await fileWith(noTransport))).transport).toBe("tcp");
    expect((await readConnectionFile(await fileWith({ ...good, transport: "ipc", ip: "/tmp/k-ipc", shell_port: 1 }))).shell_port).toBe(1);
  });

  it("names the file, the field and the value", async () => {
    const { fname, error } = await failure({ ...good, shell_port: "abc" });
    expect(error.message).toBe(`connection file ${fname}: shell_port must be an integer 1-65535, got "abc"`);
    expect(error).toMatchObject({ code: "ERR_INVALID_CONNECTION_INFO", field: "shell_port", source: `connection file ${fname}` });

    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...good, hb_port: 0 }, "hb_port", /hb_port must be an integer 1-65535, got 0/],
      [{ ...good, iopub_port: 65536 }, "iopub_port", /got 65536/],
      [{ ...good, stdin_port: 1.5 }, "stdin_port", /got 1.5/],
      [{ ...good, control_port: undefined }, "control_port", /control_port is missing; a connection file has shell_port/],
      [{ ...good, transport: "ipc", ip: "/tmp/x", iopub_port: -2 }, "iopub_port", /positive integer \(the suffix of the ipc socket file\), got -2/],
      [{ ...good, ip: 127 }, "ip", /ip must be a string \(e.g. "127.0.0.1"\), got 127/],
      [{ ...good, ip: "" }, "ip", /ip must not be empty; use "127.0.0.1"/],
      [{ ...good, key: null }, "key", /key must be a string \(empty for unsigned messages\), got null/],
      [{ ...good, key: undefined }, "key", /got nothing/],
      [{ ...good, transport: "udp" }, "transport", /transport must be "tcp" or "ipc", got "udp"/],
      [{ ...good, signature_scheme: "sha256" }, "signature_scheme", /"hmac-<hash>" such as "hmac-sha256", got "sha256"/],
      [{ ...good, kernel_name: 3 }, "kernel_name", /kernel_name must be a string/],
      [[1, 2], "", /must be a JSON object with shell_port.*got \[1,2\]/],
    ];
    for (const [content, field, message] of cases) {
      const { fname: f, error: e } = await failure(content);
      expect(e.field).toBe(field);
      expect(e.message.startsWith(`connection file ${f}: `)).toBe(true);
      expect(e.message).toMatch(message);
    }
  });

  it("says when the file is missing, empty or not JSON", async () => {
    const dir = await tempDir();
    const missing = join(dir, "nope.json");
    await expect(readConnectionFile(missing)).rejects.toMatchObject({
      name: "ConnectionFileError", code: "ERR_CONNECTION_FILE", file: missing,
      message: expect.stringMatching(new RegExp(`^connection file ${missing} does not exist \\(is the kernel still running\\?`)),
    });
    const empty = await fileWith("");
    await expect(readConnectionFile(empty)).rejects.toThrow(`connection file ${empty} is not valid JSON: it is empty (is it still being written?)`);
    const broken = await fileWith("{ shell_port: 1");
    const error = await readConnectionFile(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionFileError);
    expect((error as Error).message).toMatch(new RegExp(`^connection file ${broken} is not valid JSON: `));
  });
});

describe("validateConnectionInfo", () => {
  it("labels errors with the source (default 'connection info')", () => {
    expect(() => validateConnectionInfo({ ...good, shell_port: "1" })).toThrow('connection info: shell_port must be an integer 1-65535, got "1"');
    expect(() => validateConnectionInfo(null, { source: "kernel k1" })).toThrow(/^kernel k1: must be a JSON object/);
  });

  it("returns a normalized copy in jupyter_client's order", () => {
    const { hb_port, ...rest } = good;
    const info = validateConnectionInfo({ extra: 1, hb_port, ...rest });
    expect(Object.keys(info)).toEqual([
      "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port",
      "ip", "key", "transport", "signature_scheme", "kernel_name", "extra",
    ]);
  });
});
