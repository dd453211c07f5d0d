import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionFileNotFoundError, findConnectionFile } from "../src/index.js";
import { tempDir } from "./helpers.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

async function files(dir: string, names: Record<string, number>): Promise<void> {
  for (const [name, age] of Object.entries(names)) {
    const path = join(dir, name);
    await writeFile(path, "{}");
    const t = new Date(Date.now() - age * 1000);
    await utimes(path, t, t);
  }
}

describe("findConnectionFile", () => {
  it("returns an absolute path to an existing file as is", async () => {
    const dir = await tempDir();
    await files(dir, { "my.json": 0 });
    expect(await findConnectionFile(join(dir, "my.json"), { path: [] })).toBe(join(dir, "my.json"));
    expect(await findConnectionFile(`"${join(dir, "my.json")}"`, { path: [] })).toBe(join(dir, "my.json"));
  });

  it("finds an exact name in the search path before any pattern", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await files(a, { "kernel-1.json": 100 });
    await files(b, { "kernel-1.json": 50, "kernel-12.json": 0 });
    expect(await findConnectionFile("kernel-1.json", { path: [a, b] })).toBe(join(a, "kernel-1.json"));
    expect(await findConnectionFile("kernel-1.json", { path: b })).toBe(join(b, "kernel-1.json"));
  });

  it("expands $VARS and ~ in the search path", async () => {
    const dir = await tempDir();
    await files(dir, { "k.json": 0 });
    vi.stubEnv("JTS_CONN_DIR", dir);
    expect(await findConnectionFile("k.json", { path: "$JTS_CONN_DIR" })).toBe(join(dir, "k.json"));
    expect(await findConnectionFile("k.json", { path: "${JTS_CONN_DIR}" })).toBe(join(dir, "k.json"));
  });

  it("matches a glob, or *name* for a plain name, newest modification first", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await files(a, { "kernel-aaa111.json": 30, "kernel-bbb222.json": 10, ".kernel-hidden.json": 0, "other.json": 0 });
    await files(b, { "kernel-ccc333.json": 20 });
    await mkdir(join(b, "kernel-dir.json"));
    expect(await findConnectionFile("kernel-*.json", { path: [a, b] })).toBe(join(a, "kernel-bbb222.json"));
    expect(await findConnectionFile(undefined, { path: [b] })).toBe(join(b, "kernel-ccc333.json"));
    expect(await findConnectionFile("aaa", { path: [a, b] })).toBe(join(a, "kernel-aaa111.json"));
    expect(await findConnectionFile("ccc3", { path: [a, b] })).toBe(join(b, "kernel-ccc333.json"));
    expect(await findConnectionFile("kernel-[ab]??1*.json", { path: [a, b] })).toBe(join(a, "kernel-aaa111.json"));
    expect(await findConnectionFile("kernel-[!a]*", { path: [a] })).toBe(join(a, "kernel-bbb222.json"));
    expect(await findConnectionFile(".kernel-*", { path: [a] })).toBe(join(a, ".kernel-hidden.json"));
    expect(await findConnectionFile(join(a, "kernel-*.json"), { path: [] })).toBe(join(a, "kernel-bbb222.json"));
  });

  it("searches the current directory, then the runtime dir, by default", async () => {
    const runtime = await tempDir();
    vi.stubEnv("JUPYTER_RUNTIME_DIR", runtime);
    const name = `kernel-${process.pid}-only-here.json`;
    await files(runtime, { [name]: 0 });
    expect(await findConnectionFile(name)).toBe(join(runtime, name));
    expect(await findConnectionFile(`${process.pid}-only-here`)).toBe(join(runtime, name));
  });

  it("says what it looked for and where", async () => {
    const dir = await tempDir();
    await files(dir, { "kernel-1.json": 0 });
    const error = await findConnectionFile("nope", { path: [dir, "relative"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionFileNotFoundError);
    expect(error).toMatchObject({ code: "ERR_CONNECTION_FILE_NOT_FOUND", filename: "nope", searched: [dir, join(process.cwd(), "relative")] });
    expect((error as Error).message).toBe(
      `no connection file "nope": looked for it by name, then for "*nope*", in ${dir}, ${join(process.cwd(), "relative")} (is the kernel running? give the full path, or { path } to search elsewhere)`,
    );
  });
});
