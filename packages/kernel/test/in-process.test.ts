// A kernel inside the test process (signals left alone), the connection
// helpers of seed 004, and the small pieces that need no kernel.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient } from "@jupyter-ts/client";
import { writeConnectionFile } from "@jupyter-ts/connection";
import {
  InMemoryHistory,
  Kernel,
  KernelInterruptedError,
  NoRunningKernelError,
  QtconsoleNotFoundError,
  connectQtconsole,
  getConnectionFile,
  getConnectionInfo,
  parseKernelArgs,
  type ExecuteContext,
  type ExecuteOutcome,
  type KernelLogger,
  type KernelOptions,
} from "../src/index.js";

const T = 20_000;

class WaitingKernel extends Kernel {
  readonly implementation = "waiting";
  readonly implementationVersion = "0.1.0";
  readonly languageInfo = { name: "waiting", version: "0", mimetype: "text/plain", file_extension: ".txt" };
  interrupts = 0;
  shutdowns: boolean[] = [];

  constructor(options: KernelOptions) {
    super(options);
  }

  protected async execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome> {
    if (code === "wait") {
      await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)));
    }
    return { status: "ok", result: { data: { "text/plain": code.toUpperCase() } } };
  }

  protected override interrupt(): void {
    this.interrupts++;
  }

  protected override shutdown(restart: boolean): Promise<void> {
    this.shutdowns.push(restart);
    return Promise.resolve();
  }
}

const quiet: KernelLogger = { error: () => undefined, warn: () => undefined };

describe("a kernel in this process", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "jts-kernel-inproc-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it("serves a client; getConnectionFile/getConnectionInfo act on it; stop removes the file it wrote", async () => {
    const dir = await tempDir();
    const file = join(dir, "kernel-inproc.json");
    const kernel = new WaitingKernel({ connectionFile: file, handleSignals: false, logger: quiet });
    cleanup.push(() => kernel.stop());
    expect(Kernel.current()).toBeUndefined();
    expect(() => getConnectionFile()).toThrow(NoRunningKernelError);
    await kernel.start();
    expect(Kernel.current()).toBe(kernel);
    expect(kernel.ownsConnectionFile).toBe(true);
    expect(getConnectionFile()).toBe(file);

    const text = await getConnectionInfo();
    const info = await getConnectionInfo({ unpack: true });
    expect(JSON.parse(text)).toEqual(info);
    expect(info).toEqual(kernel.connectionInfo);
    expect(info.shell_port).toBeGreaterThan(0);

    const kc = new KernelClient({ connectionFile: file });
    cleanup.push(() => kc.stopChannels());
    await kc.startChannels();
    await kc.waitForReady({ timeout: T });
    const reply = await kc.execute("abc", { reply: true, timeout: T });
    expect(reply.content).toMatchObject({ status: "ok", execution_count: 1 });

    // Without signal handling, interrupt_request is handled on the main thread: ctx.signal and the hook.
    const waiting = kc.execute("wait", { reply: true, timeout: T });
    await new Promise((r) => setTimeout(r, 100));
    expect((await kc.interrupt({ reply: true, timeout: T })).content).toEqual({ status: "ok" });
    expect((await waiting).content).toMatchObject({ status: "error", ename: KernelInterruptedError.name });
    expect(kernel.interrupts).toBe(1);

    await kc.shutdown({ reply: true, timeout: T });
    await kernel.stopped;
    expect(kernel.shutdowns).toEqual([false]);
    expect(existsSync(file)).toBe(false);
    expect(Kernel.current()).toBeUndefined();
  });

  it("reads an existing connection file and leaves it in place", async () => {
    const dir = await tempDir();
    const { fname, info } = await writeConnectionFile({ fname: join(dir, "given.json"), key: "secret" });
    const kernel = new WaitingKernel({ connectionFile: fname, handleSignals: false, logger: quiet });
    cleanup.push(() => kernel.stop());
    await kernel.start();
    expect(kernel.ownsConnectionFile).toBe(false);
    expect(kernel.connectionInfo).toMatchObject({ shell_port: info.shell_port, hb_port: info.hb_port, key: "secret" });
    await kernel.stop();
    expect(existsSync(fname)).toBe(true);
    await kernel.stop();
  });

  it("refuses a second start", async () => {
    const dir = await tempDir();
    const kernel = new WaitingKernel({ connectionFile: join(dir, "k.json"), handleSignals: false, logger: quiet });
    cleanup.push(() => kernel.stop());
    await kernel.start();
    await expect(kernel.start()).rejects.toMatchObject({ code: "ERR_KERNEL_STARTED" });
  });

  it("resolves stopped for a kernel stopped before it started", async () => {
    const kernel = new WaitingKernel({ handleSignals: false, logger: quiet });
    await kernel.stop();
    await expect(kernel.stopped).resolves.toBeUndefined();
  });
});

describe("connection helpers", () => {
  it("getConnectionInfo reads a given file without a running kernel", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jts-kernel-info-"));
    try {
      const { fname, info } = await writeConnectionFile({ fname: join(dir, "k.json") });
      expect(await getConnectionInfo({ connectionFile: fname, unpack: true })).toEqual(info);
      expect(JSON.parse(await getConnectionInfo({ connectionFile: fname }))).toEqual(info);
      await expect(getConnectionInfo({ connectionFile: join(dir, "missing.json") })).rejects.toMatchObject({ code: "ERR_CONNECTION_FILE" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("getConnectionInfo without a kernel or a file says what to do", async () => {
    await expect(getConnectionInfo()).rejects.toThrow(/no kernel is running in this process/);
  });

  it("connectQtconsole says how to install qtconsole when it is missing", () => {
    let error: unknown;
    try {
      connectQtconsole({ connectionFile: "/tmp/kernel-x.json", env: { PATH: "/nonexistent" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QtconsoleNotFoundError);
    expect(error).toMatchObject({ code: "ERR_QTCONSOLE_NOT_FOUND" });
    expect((error as Error).message).toMatch(/pip install qtconsole/);
  });

  it("connectQtconsole without a kernel or a file fails with NoRunningKernelError", () => {
    expect(() => connectQtconsole()).toThrow(NoRunningKernelError);
  });
});

describe("parseKernelArgs", () => {
  it("reads ipykernel's flags in their forms and keeps the rest", () => {
    expect(parseKernelArgs(["-f", "/tmp/k.json"])).toEqual({ connectionFile: "/tmp/k.json", rest: [] });
    expect(parseKernelArgs(["--f=/tmp/k.json", "--ip=0.0.0.0", "--transport", "ipc", "--debug"])).toEqual({
      connectionFile: "/tmp/k.json",
      ip: "0.0.0.0",
      transport: "ipc",
      rest: ["--debug"],
    });
    expect(parseKernelArgs(["--connection-file", "a.json"])).toMatchObject({ connectionFile: "a.json" });
  });

  it("rejects a flag without a value and an unknown transport", () => {
    expect(() => parseKernelArgs(["-f"])).toThrow(/-f needs a value/);
    expect(() => parseKernelArgs(["--transport=udp"])).toThrow(/tcp or ipc, got "udp"/);
  });
});

describe("InMemoryHistory", () => {
  const history = new InMemoryHistory();
  history.add(1, "a = 1", null);
  history.add(2, "print(a)", "1");
  history.add(3, "a = 1", null);

  it("answers tail, range and search as IPython does", () => {
    expect(history.query({ hist_access_type: "tail", n: 2, output: false, raw: true })).toEqual([
      [1, 2, "print(a)"],
      [1, 3, "a = 1"],
    ]);
    expect(history.query({ hist_access_type: "range", session: 0, start: 2, stop: 3, output: true, raw: true })).toEqual([[1, 2, ["print(a)", "1"]]]);
    expect(history.query({ hist_access_type: "range", session: 7, start: 1, stop: 9, output: false, raw: true })).toEqual([]);
    expect(history.query({ hist_access_type: "search", pattern: "a*", output: false, raw: true })).toEqual([
      [1, 1, "a = 1"],
      [1, 3, "a = 1"],
    ]);
    expect(history.query({ hist_access_type: "search", pattern: "a*", unique: true, output: false, raw: true })).toEqual([[1, 3, "a = 1"]]);
    expect(history.query({ hist_access_type: "search", pattern: "pr?nt([ab])", n: 1, output: false, raw: true })).toEqual([[1, 2, "print(a)"]]);
  });
});
