// The base class, seen from a frontend: the echo test kernel in its own
// process, driven by our KernelClient.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { Dealer, Request, Router, Subscriber } from "zeromq";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelClient, RequestHandle } from "@jupyter-ts/client";
import { channelUrl, writeConnectionFile } from "@jupyter-ts/connection";
import type { JupyterMessage } from "@jupyter-ts/protocol";
import { Session, type Message } from "@jupyter-ts/session";
import { removeFixtureKernel, startEchoKernel, startWithClient, type KernelProcess } from "./helpers.js";

const T = 20_000;

afterAll(removeFixtureKernel);

/** The iopub messages of a request (until its idle) and its reply. */
async function collect<H extends RequestHandle>(h: H): Promise<{ iopub: Message[]; reply: Awaited<H["done"]> }> {
  const iopub: Message[] = [];
  for await (const m of h) iopub.push(m);
  return { iopub, reply: (await h.done) as Awaited<H["done"]> };
}

const types = (msgs: Message[]): string[] => msgs.map((m) => m.header.msg_type);

const sleep = (ms: number): Promise<undefined> => new Promise((r) => setTimeout(() => r(undefined), ms));

/**
 * Interrupts until `done` settles: on a loaded machine the request may not
 * have started when the first interrupt arrives (which then has nothing to stop).
 */
async function interruptUntil<V>(done: Promise<V>, interrupt: () => unknown): Promise<V> {
  for (;;) {
    await interrupt();
    const settled = await Promise.race([done, sleep(2000)]);
    if (settled !== undefined) return settled;
  }
}

describe("a running kernel", () => {
  let kernel: KernelProcess;
  let kc: KernelClient;

  beforeAll(async () => {
    ({ kernel, kc } = await startWithClient());
  }, 60_000);

  afterAll(async () => {
    await kc?.stopChannels();
    await kernel?.stop();
  });

  it("answers kernel_info on shell and on control, with subshells among its features", async () => {
    for (const channel of ["shell", "control"] as const) {
      const h = channel === "shell" ? kc.kernelInfo({ handle: true, timeout: T }) : kc.sendRequest("control", "kernel_info_request", {}, { handle: true, timeout: T });
      const { iopub, reply } = await collect(h);
      expect(reply.header.msg_type).toBe("kernel_info_reply");
      expect(reply.content).toMatchObject({
        status: "ok",
        protocol_version: "5.5",
        implementation: "echo",
        implementation_version: "1.0.0",
        language_info: { name: "echo", version: "1.0", mimetype: "text/plain", file_extension: ".txt" },
        banner: "Echo kernel for tests",
        help_links: [{ text: "Echo", url: "https://example.org/echo" }],
        debugger: false,
        supported_features: ["kernel subshells"],
      });
      expect(types(iopub)).toEqual(["status", "status"]);
      expect(iopub.map((m) => m.content)).toEqual([{ execution_state: "busy" }, { execution_state: "idle" }]);
      for (const m of iopub) expect(m.parent_header).toMatchObject({ msg_id: h.msgId });
    }
  });

  it("executes: busy, execute_input, output, execute_result, reply, idle, counting executions", async () => {
    const first = await collect(kc.execute("hello", { handle: true, timeout: T }));
    const n = first.reply.content.status === "ok" ? first.reply.content.execution_count : -1;
    expect(n).toBeGreaterThan(0);
    expect(types(first.iopub)).toEqual(["status", "execute_input", "stream", "execute_result", "status"]);
    expect(first.iopub[1]?.content).toEqual({ code: "hello", execution_count: n });
    expect(first.iopub[2]?.content).toEqual({ name: "stdout", text: "hello" });
    expect(first.iopub[3]?.content).toEqual({ execution_count: n, data: { "text/plain": "hello" }, metadata: {} });
    expect(first.reply.content).toEqual({ status: "ok", execution_count: n, user_expressions: {}, payload: [] });
    expect(first.reply.metadata).toMatchObject({ status: "ok", dependencies_met: true });

    const second = await kc.execute("count", { reply: true, timeout: T });
    expect(second.content).toMatchObject({ status: "ok", execution_count: n + 1 });
  });

  it("runs silent code without counting it or publishing its result", async () => {
    const before = await kc.execute("", { reply: true, timeout: T });
    const count = before.content.status === "ok" ? before.content.execution_count : -1;
    const silent = await collect(kc.execute("quiet", { silent: true, handle: true, timeout: T }));
    expect(types(silent.iopub)).toEqual(["status", "stream", "status"]);
    expect(silent.reply.content).toMatchObject({ status: "ok", execution_count: count });
    const after = await kc.execute("", { reply: true, timeout: T });
    expect(after.content).toMatchObject({ execution_count: count + 1 });
  });

  it("passes user_expressions through", async () => {
    const reply = await kc.execute("expr", { userExpressions: { a: "x" }, reply: true, timeout: T });
    expect(reply.content).toMatchObject({ status: "ok", user_expressions: { a: { status: "ok", data: { "text/plain": "X" } } } });
  });

  it("publishes error and replies error for an error outcome and for a thrown exception", async () => {
    const failed = await collect(kc.execute("error:bad", { handle: true, timeout: T }));
    expect(types(failed.iopub)).toEqual(["status", "execute_input", "error", "status"]);
    expect(failed.iopub[2]?.content).toEqual({ ename: "EchoError", evalue: "bad", traceback: ["EchoError: bad"] });
    expect(failed.reply.content).toMatchObject({ status: "error", ename: "EchoError", evalue: "bad", traceback: ["EchoError: bad"] });
    expect(failed.reply.content).toHaveProperty("execution_count");

    const thrown = await kc.execute("throw:oops", { reply: true, timeout: T });
    expect(thrown.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "oops" });
    if (thrown.content.status === "error") expect(thrown.content.traceback[0]).toBe("TypeError: oops");
  });

  it("aborts the executions queued behind a failure (stop_on_error), and only those", async () => {
    const failing = kc.execute("fail-after:500", { reply: true, timeout: T });
    const queued = [kc.execute("a", { reply: true, timeout: T }), kc.execute("b", { reply: true, timeout: T })];
    const info = kc.kernelInfo({ reply: true, timeout: T });
    expect((await failing).content.status).toBe("error");
    for (const r of await Promise.all(queued)) expect(r.content.status).toBe("aborted");
    // Other requests are not aborted.
    expect((await info).content.status).toBe("ok");
    const later = await kc.execute("c", { reply: true, timeout: T });
    expect(later.content.status).toBe("ok");
  });

  it("keeps going after a failure sent with stop_on_error false", async () => {
    const failing = kc.execute("fail-after:300", { stopOnError: false, reply: true, timeout: T });
    const next = kc.execute("after", { reply: true, timeout: T });
    expect((await failing).content.status).toBe("error");
    expect((await next).content.status).toBe("ok");
  });

  it("asks for input on stdin and returns the reply", async () => {
    const h = kc.execute("input:Name? ", { handle: true, timeout: T });
    const request = await kc.getStdinMsg({ timeout: T });
    expect(request.header.msg_type).toBe("input_request");
    expect(request.content).toEqual({ prompt: "Name? ", password: false });
    expect(request.parent_header).toMatchObject({ msg_id: h.msgId });
    kc.input("Ada");
    const { iopub, reply } = await collect(h);
    expect(reply.content.status).toBe("ok");
    expect(iopub.find((m) => m.header.msg_type === "stream")?.content).toEqual({ name: "stdout", text: "got Ada\n" });

    const p = kc.execute("password:Secret: ", { reply: true, timeout: T });
    expect((await kc.getStdinMsg({ timeout: T })).content).toEqual({ prompt: "Secret: ", password: true });
    kc.input("s3cret");
    expect((await p).content.status).toBe("ok");
  });

  it("fails input() clearly when the frontend does not allow stdin", async () => {
    const reply = await kc.execute("input:x", { allowStdin: false, reply: true, timeout: T });
    expect(reply.content).toMatchObject({ status: "error", ename: "StdinNotAllowedError" });
    if (reply.content.status === "error") expect(reply.content.evalue).toMatch(/allow_stdin/);
  });

  it("publishes display_data, update_display_data and clear_output", async () => {
    const shown = await collect(kc.execute("display:d1", { handle: true, timeout: T }));
    expect(shown.iopub.find((m) => m.header.msg_type === "display_data")?.content).toEqual({
      data: { "text/plain": "shown d1" },
      metadata: { m: 1 },
      transient: { display_id: "d1" },
    });
    const updated = await collect(kc.execute("update:d1", { handle: true, timeout: T }));
    expect(updated.iopub.find((m) => m.header.msg_type === "update_display_data")?.content).toMatchObject({ transient: { display_id: "d1" } });
    const cleared = await collect(kc.execute("clear:wait", { handle: true, timeout: T }));
    expect(cleared.iopub.find((m) => m.header.msg_type === "clear_output")?.content).toEqual({ wait: true });
    const err = await collect(kc.execute("stderr:oops", { handle: true, timeout: T }));
    expect(err.iopub.find((m) => m.header.msg_type === "stream")?.content).toEqual({ name: "stderr", text: "oops" });
  });

  it("answers complete, inspect, is_complete with the kernel's hooks", async () => {
    const c = await kc.complete("say hel", { reply: true, timeout: T });
    expect(c.content).toEqual({ status: "ok", matches: ["hello", "help"], cursor_start: 4, cursor_end: 7, metadata: {} });
    const i = await kc.inspect("hello", { reply: true, timeout: T });
    expect(i.content).toEqual({ status: "ok", found: true, data: { "text/plain": "hello: a greeting" }, metadata: {} });
    const notFound = await kc.inspect("nothing", { reply: true, timeout: T });
    expect(notFound.content).toMatchObject({ status: "ok", found: false });
    expect((await kc.isComplete("a \\", { reply: true, timeout: T })).content).toEqual({ status: "incomplete", indent: "  " });
    expect((await kc.isComplete("f(", { reply: true, timeout: T })).content).toEqual({ status: "invalid" });
    expect((await kc.isComplete("f()", { reply: true, timeout: T })).content).toEqual({ status: "complete" });
  });

  it("keeps history and answers tail, range and search", async () => {
    await kc.execute("history-one", { reply: true, timeout: T });
    const two = await kc.execute("history-two", { reply: true, timeout: T });
    const line = two.content.status === "ok" ? two.content.execution_count : -1;
    const tail = await kc.history({ histAccessType: "tail", n: 2, reply: true, timeout: T });
    expect(tail.content).toMatchObject({ status: "ok", history: [[1, line - 1, "history-one"], [1, line, "history-two"]] });
    const withOutput = await kc.history({ histAccessType: "tail", n: 1, output: true, reply: true, timeout: T });
    expect(withOutput.content).toMatchObject({ history: [[1, line, ["history-two", "history-two"]]] });
    const range = await kc.history({ histAccessType: "range", session: 0, start: line - 1, stop: line, reply: true, timeout: T });
    expect(range.content).toMatchObject({ history: [[1, line - 1, "history-one"]] });
    const search = await kc.history({ histAccessType: "search", pattern: "history-*", reply: true, timeout: T });
    expect(search.content.status === "ok" && search.content.history.map((e) => e[2])).toEqual(["history-one", "history-two"]);
    // Silent code is not stored.
    await kc.execute("history-silent", { silent: true, reply: true, timeout: T });
    const again = await kc.history({ histAccessType: "search", pattern: "history-s*", reply: true, timeout: T });
    expect(again.content).toMatchObject({ history: [] });
  });

  it("answers connect_request with its ports", async () => {
    const reply = await kc.sendRequest("shell", "connect_request", {}, { reply: true, timeout: T });
    expect(reply.content).toEqual({
      status: "ok",
      shell_port: kernel.info.shell_port,
      iopub_port: kernel.info.iopub_port,
      stdin_port: kernel.info.stdin_port,
      hb_port: kernel.info.hb_port,
      control_port: kernel.info.control_port,
    });
  });

  it("serves control while the shell is busy with async work", async () => {
    const slow = kc.execute("sleep:3000", { reply: true, timeout: T });
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    await new Promise((r) => setTimeout(r, 100));
    const list = await kc.listSubshells({ reply: true, timeout: T });
    expect(list.content).toMatchObject({ status: "ok" });
    expect(slowDone).toBe(false);
    expect((await slow).content.status).toBe("ok");
  });

  it("opens comms from the frontend, echoes comm_msg, lists them, and closes them", async () => {
    const got: JupyterMessage<"comm_msg">[] = [];
    const comm = kc.comms.createComm("echo", { data: { x: 1 } });
    const messages = new Promise<void>((resolve) => {
      comm.onMsg((m) => {
        got.push(m);
        if (got.length === 2) resolve();
      });
    });
    comm.send({ y: 2 });
    await messages;
    expect(got.map((m) => m.content.data)).toEqual([{ opened: { x: 1 } }, { echo: { y: 2 } }]);
    // Sent while handling the comm_msg: its parent is that message.
    expect(got[1]?.parent_header).toHaveProperty("msg_type", "comm_msg");
    const info = await kc.commInfo({ reply: true, timeout: T });
    expect(info.content).toMatchObject({ status: "ok", comms: { [comm.commId]: { target_name: "echo" } } });
    const filtered = await kc.commInfo({ targetName: "other", reply: true, timeout: T });
    expect(filtered.content).toMatchObject({ status: "ok", comms: {} });
    comm.close();
    const closedNow = await kc.commInfo({ reply: true, timeout: T });
    expect(closedNow.content).toMatchObject({ comms: {} });
    expect(kernel.stderr()).toContain(`comm ${comm.commId} closed`);
  });

  it("opens comms from the kernel, with the execute request as parent", async () => {
    const opened = new Promise<{ id: string; parent: unknown; data: unknown }>((resolve) =>
      kc.comms.registerTarget("from-kernel", (comm, msg) => {
        comm.onMsg((m) => void replies.push(m.content.data));
        resolve({ id: comm.commId, parent: msg.parent_header, data: msg.content.data });
      }),
    );
    const replies: unknown[] = [];
    const h = kc.execute("open-comm:from-kernel", { handle: true, timeout: T });
    const { id, parent, data } = await opened;
    expect(parent).toMatchObject({ msg_id: h.msgId });
    expect(data).toEqual({ hello: 1 });
    const reply = await h.done;
    expect(reply.content.status).toBe("ok");
    kc.comms.getComm(id)?.send({ ping: true });
    await expect.poll(() => replies, { timeout: T }).toEqual([{ kernel_got: { ping: true } }]);
  });

  it("creates, lists and deletes subshells, and runs them next to the main shell", async () => {
    const created = await kc.createSubshell({ reply: true, timeout: T });
    expect(created.content.status).toBe("ok");
    const id = created.content.status === "ok" ? created.content.subshell_id : "";
    expect(id).toMatch(/\S/);
    const listed = await kc.listSubshells({ reply: true, timeout: T });
    expect(listed.content).toMatchObject({ status: "ok", subshell_id: [id] });

    const order: string[] = [];
    const main = kc.execute("sleep:3000", { reply: true, timeout: T }).then((r) => {
      order.push("main");
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    const sub = await collect(kc.execute("in-subshell", { subshellId: id, handle: true, timeout: T }));
    order.push("subshell");
    expect(sub.reply.content.status).toBe("ok");
    expect(types(sub.iopub)).toEqual(["status", "execute_input", "stream", "execute_result", "status"]);
    for (const m of sub.iopub) expect(m.parent_header).toMatchObject({ msg_id: sub.reply.parent_header.msg_id });
    expect((await main).content.status).toBe("ok");
    expect(order).toEqual(["subshell", "main"]);

    const deleted = await kc.deleteSubshell(id, { reply: true, timeout: T });
    expect(deleted.content).toEqual({ status: "ok" });
    expect((await kc.listSubshells({ reply: true, timeout: T })).content).toMatchObject({ subshell_id: [] });
    const again = await kc.deleteSubshell(id, { reply: true, timeout: T });
    expect(again.content).toMatchObject({ status: "error", ename: "SubshellNotFound" });
    const gone = await kc.execute("x", { subshellId: id, reply: true, timeout: T });
    expect(gone.content).toMatchObject({ status: "error", ename: "SubshellNotFound" });
  });

  it("runs the requests of one subshell in order", async () => {
    const created = await kc.createSubshell({ reply: true, timeout: T });
    const id = created.content.status === "ok" ? created.content.subshell_id : "";
    const done: string[] = [];
    await Promise.all([
      kc.execute("sleep:400", { subshellId: id, reply: true, timeout: T }).then(() => done.push("slow")),
      kc.execute("fast", { subshellId: id, reply: true, timeout: T }).then(() => done.push("fast")),
    ]);
    expect(done).toEqual(["slow", "fast"]);
    await kc.deleteSubshell(id, { reply: true, timeout: T });
  });

  it("sends iopub_welcome to each new subscriber (XPUB)", async () => {
    const session = new Session({ key: kernel.info.key, signatureScheme: kernel.info.signature_scheme });
    const sub = new Subscriber({ linger: 0 });
    try {
      sub.subscribe();
      sub.connect(channelUrl(kernel.info.transport, kernel.info.ip, "iopub", kernel.info.iopub_port));
      const [, rest] = session.feedIdentities(await sub.receive());
      const welcome = session.deserialize(rest);
      expect(welcome.header.msg_type).toBe("iopub_welcome");
      expect(welcome.content).toEqual({ subscription: "" });
    } finally {
      sub.close();
    }
  });

  it("drops messages with a bad signature and keeps serving", async () => {
    await sendForged(kernel);
    const ok = await kc.kernelInfo({ reply: true, timeout: T });
    expect(ok.content.status).toBe("ok");
    expect(kernel.stderr()).toMatch(/shell message rejected: invalid hmac-sha256 signature/);
  });

  it("keeps the heartbeat, control kernel_info and interrupt_request working while user code blocks the main thread", async () => {
    const h = kc.execute("busy", { handle: true, timeout: T });
    // Wait until the loop runs: its execute_input is published before it starts.
    await new Promise((r) => setTimeout(r, 300));
    const hb = new Request({ linger: 0, receiveTimeout: 5000 });
    try {
      hb.connect(channelUrl(kernel.info.transport, kernel.info.ip, "hb", kernel.info.hb_port));
      for (let i = 0; i < 3; i++) {
        await hb.send(`ping-${i}`);
        const [echo] = await hb.receive();
        expect(Buffer.from(echo as Uint8Array).toString()).toBe(`ping-${i}`);
      }
    } finally {
      hb.close();
    }
    // kernel_info on control is answered by the I/O thread too.
    const info = await kc.sendRequest("control", "kernel_info_request", {}, { reply: true, timeout: T });
    expect(info.content).toMatchObject({ status: "ok", implementation: "echo" });
    const replies: unknown[] = [];
    const { reply } = await interruptUntil(collect(h), async () => replies.push((await kc.interrupt({ reply: true, timeout: T })).content));
    expect(replies[0]).toEqual({ status: "ok" });
    expect(reply.content).toMatchObject({ status: "error", ename: "Error" });
    if (reply.content.status === "error") expect(reply.content.evalue).toMatch(/interrupted/i);
    // The kernel is fine afterwards, and its interrupt hook ran.
    const after = await kc.execute("interrupts", { reply: true, timeout: T });
    expect(after.content.status).toBe("ok");
    await expect.poll(async () => {
      const r = await collect(kc.execute("interrupts", { handle: true, timeout: T }));
      const result = r.iopub.find((m) => m.header.msg_type === "execute_result")?.content as { data: Record<string, string> } | undefined;
      return Number(result?.data["text/plain"]);
    }, { timeout: T }).toBeGreaterThan(0);
  });

  it("interrupts async work and a pending input() through ctx.signal", async () => {
    const waiting = kc.execute("wait-signal", { reply: true, timeout: T });
    await sleep(200);
    const interrupted = await interruptUntil(waiting, () => kc.interrupt({ reply: true, timeout: T }));
    expect(interrupted.content).toMatchObject({ status: "error", ename: "KernelInterruptedError" });

    const asking = kc.execute("input:never answered", { reply: true, timeout: T });
    await kc.getStdinMsg({ timeout: T });
    await kc.interrupt({ reply: true, timeout: T });
    expect((await asking).content).toMatchObject({ status: "error", ename: "KernelInterruptedError" });
  });

  it("interrupts blocking code on SIGINT without dying", async () => {
    const h = kc.execute("busy", { reply: true, timeout: T });
    await sleep(300);
    const reply = await interruptUntil(h, () => kernel.child.kill("SIGINT"));
    expect(reply.content).toMatchObject({ status: "error" });
    expect(kernel.child.exitCode).toBeNull();
    expect((await kc.execute("alive", { reply: true, timeout: T })).content.status).toBe("ok");
  });

  it("prints nothing on stdout", () => {
    expect(kernel.stdout()).toBe("");
  });
});

/** Sends a kernel_info_request on shell signed with the wrong key. */
async function sendForged(kernel: KernelProcess): Promise<void> {
  const dealer = new Dealer({ linger: 1000 });
  try {
    dealer.connect(channelUrl(kernel.info.transport, kernel.info.ip, "shell", kernel.info.shell_port));
    await new Session({ key: "not-the-key" }).send(dealer, "kernel_info_request");
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    dealer.close();
  }
}

describe("lifecycle", () => {
  const running: KernelProcess[] = [];
  const clients: KernelClient[] = [];

  afterEach(async () => {
    for (const kc of clients.splice(0)) await kc.stopChannels();
    for (const k of running.splice(0)) await k.stop();
  });

  it("shuts down on shutdown_request (control): reply, shutdown_reply on iopub, exit 0, hook called", async () => {
    const { kernel, kc } = await startWithClient();
    running.push(kernel);
    clients.push(kc);
    const { iopub, reply } = await collect(kc.shutdown({ restart: true, handle: true, timeout: T }));
    expect(reply.header.msg_type).toBe("shutdown_reply");
    expect(reply.content).toEqual({ status: "ok", restart: true });
    expect(types(iopub)).toEqual(["status", "shutdown_reply", "status"]);
    expect(iopub[1]?.content).toEqual({ status: "ok", restart: true });
    expect(await kernel.exited).toEqual({ code: 0, signal: null });
    expect(kernel.stderr()).toContain("shutdown hook restart=true");
    // The launcher wrote the file: the kernel leaves it.
    expect(existsSync(kernel.file)).toBe(true);
  });

  it("shuts down on shutdown_request on shell too", async () => {
    const { kernel, kc } = await startWithClient();
    running.push(kernel);
    clients.push(kc);
    const reply = await kc.sendRequest("shell", "shutdown_request", { restart: false }, { reply: true, timeout: T });
    expect(reply.content).toEqual({ status: "ok", restart: false });
    expect((await kernel.exited).code).toBe(0);
  });

  it("writes its connection file when there is none, says so on stderr, and removes it on exit", async () => {
    const { kernel, kc } = await startWithClient({ writeFile: false });
    running.push(kernel);
    clients.push(kc);
    expect(kernel.info).toMatchObject({ ip: "127.0.0.1", transport: "tcp", signature_scheme: "hmac-sha256" });
    expect(kernel.info.key).toMatch(/\S/);
    expect(kernel.stderr()).toContain(`--existing ${kernel.file}`);
    expect(kernel.stdout()).toBe("");
    await kc.shutdown({ reply: true, timeout: T });
    expect((await kernel.exited).code).toBe(0);
    expect(existsSync(kernel.file)).toBe(false);
  });

  it("runs over ipc", async () => {
    const { kernel, kc } = await startWithClient({ writeFile: false, transport: "ipc" });
    running.push(kernel);
    clients.push(kc);
    expect(kernel.info.transport).toBe("ipc");
    const socketFiles = ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"].map((p) => `${kernel.info.ip}-${kernel.info[p] as number}`);
    for (const f of socketFiles) expect(existsSync(f)).toBe(true);
    const reply = await kc.execute("over ipc", { reply: true, timeout: T });
    expect(reply.content.status).toBe("ok");
    await kc.shutdown({ reply: true, timeout: T });
    expect((await kernel.exited).code).toBe(0);
    for (const f of socketFiles) expect(existsSync(f)).toBe(false);
  });

  it("binds the ports of an existing file, and picks the ones left at 0", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jts-kernel-ports-"));
    try {
      const { fname, info } = await writeConnectionFile({ fname: join(dir, "k.json") });
      await writeFile(fname, JSON.stringify({ ...info, hb_port: 0 }));
      const kernel = await startEchoKernel({ file: fname });
      running.push(kernel);
      await expect.poll(async () => JSON.parse(await readFile(fname, "utf8")).hb_port, { timeout: T }).toBeGreaterThan(0);
      const rewritten = JSON.parse(await readFile(fname, "utf8"));
      expect(rewritten).toMatchObject({ shell_port: info.shell_port, iopub_port: info.iopub_port, key: info.key });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops cleanly on SIGTERM", async () => {
    const { kernel, kc } = await startWithClient({ writeFile: false });
    running.push(kernel);
    clients.push(kc);
    kernel.child.kill("SIGTERM");
    expect(await kernel.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(kernel.file)).toBe(false);
  });

  it("exits when the process in JPY_PARENT_PID dies", async () => {
    const parent = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const kernel = await startEchoKernel({ env: { JPY_PARENT_PID: String(parent.pid) } });
      running.push(kernel);
      const kc = kernel.client();
      clients.push(kc);
      await kc.startChannels();
      await kc.waitForReady({ timeout: 30_000 });
      parent.kill("SIGKILL");
      expect((await kernel.exited).code).toBe(0);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("fails to start with a clear error when a port is taken", async () => {
    const holder = new Router({ linger: 0 });
    await holder.bind("tcp://127.0.0.1:*");
    const port = Number(/:(\d+)$/.exec(holder.lastEndpoint ?? "")?.[1]);
    try {
      const dir = await mkdtemp(join(tmpdir(), "jts-kernel-taken-"));
      try {
        const { fname, info } = await writeConnectionFile({ fname: join(dir, "k.json") });
        await writeFile(fname, JSON.stringify({ ...info, shell_port: port }));
        const kernel = await startEchoKernel({ file: fname }).catch((e: Error) => e);
        if (!(kernel instanceof Error)) running.push(kernel);
        const exit = kernel instanceof Error ? undefined : await kernel.exited;
        expect(kernel instanceof Error ? kernel.message : `${exit?.code} ${kernel.stderr()}`).toMatch(/cannot bind the shell socket .*EADDRINUSE/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      holder.close();
    }
  });
});
