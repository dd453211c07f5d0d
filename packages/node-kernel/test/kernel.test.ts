// The kernel as Jupyter runs it (`node dist/main.js -f FILE`), driven by our KernelClient.
import { describe, expect, it } from "vitest";
import type { Comm } from "@jupyter-ts/comm";
import { run, startNodeKernel, useNodeKernel, type Message } from "./helpers.js";

const content = (msg: { content: unknown }): Record<string, unknown> => msg.content as Record<string, unknown>;
const types = (msgs: Message[]): string[] => msgs.map((m) => m.header.msg_type);

describe("NodeKernel over the wire", () => {
  const k = useNodeKernel();

  it("answers kernel_info as a JavaScript kernel", async () => {
    const reply = await k.kc.kernelInfo({ reply: true, timeout: 10_000 });
    expect(reply.content).toMatchObject({
      status: "ok",
      implementation: "jupyter-ts-node",
      language_info: { name: "javascript", version: process.versions.node, file_extension: ".js", mimetype: "text/javascript" },
    });
    expect(String(content(reply)["banner"])).toContain(`Node.js ${process.version}`);
  });

  it("runs cells in one context: results, streams, display in call order", async () => {
    await run(k.kc, "const base = 40");
    const r = await run(k.kc, "console.log('a'); display({ x: 1 }); console.error('b'); base + 2");
    expect(content(r.reply)["status"]).toBe("ok");
    expect(types(r.outputs)).toEqual(["stream", "display_data", "stream", "execute_result"]);
    expect(r.stdout).toBe("a\n");
    expect(r.stderr).toBe("b\n");
    expect(content(r.outputs[1] as Message)["data"]).toEqual({ "text/plain": "{ x: 1 }" });
    expect(r.result).toMatchObject({ data: { "text/plain": "42" }, metadata: {}, execution_count: content(r.reply)["execution_count"] });
  });

  it("awaits at the top level and gives no result for undefined", async () => {
    const r = await run(k.kc, "const later = await new Promise((r) => setTimeout(() => r('done'), 20));");
    expect(r.result).toBeUndefined();
    expect((await run(k.kc, "later")).result).toMatchObject({ data: { "text/plain": "'done'" } });
  });

  it("shows raw MIME bundles, updates displays by id, clears output", async () => {
    const r = await run(k.kc, "const h = display('first', { displayId: 'd1' });\nh.update('second');\ndisplay({ 'text/html': '<b>hi</b>' }, { raw: true, metadata: { isolated: true } });\nclearOutput({ wait: true })");
    expect(types(r.outputs)).toEqual(["display_data", "update_display_data", "display_data", "clear_output"]);
    expect(content(r.outputs[0] as Message)).toMatchObject({ data: { "text/plain": "'first'" }, transient: { display_id: "d1" } });
    expect(content(r.outputs[1] as Message)).toMatchObject({ data: { "text/plain": "'second'" }, transient: { display_id: "d1" } });
    expect(content(r.outputs[2] as Message)).toMatchObject({ data: { "text/html": "<b>hi</b>" }, metadata: { isolated: true } });
    expect(content(r.outputs[3] as Message)).toEqual({ wait: true });
  });

  it("reports errors with a traceback of the cell, and aborts the queue (stop_on_error)", async () => {
    const failing = run(k.kc, "function explode() {\n  throw new TypeError('nope');\n}\nexplode()");
    const queued = run(k.kc, "1");
    const r = await failing;
    expect(content(r.reply)).toMatchObject({ status: "error", ename: "TypeError", evalue: "nope" });
    const error = r.outputs.find((m) => m.header.msg_type === "error");
    const count = content(r.reply)["execution_count"];
    expect((content(error as Message)["traceback"] as string[]).join("\n")).toContain(`at explode (In[${String(count)}]:2:9)`);
    expect(content((await queued).reply)["status"]).toBe("aborted");
  });

  it("asks for input on stdin", async () => {
    const handle = k.kc.execute("const name = await input('who? '); `hello ${name}`", { handle: true, allowStdin: true, timeout: 30_000 });
    const request = await k.kc.getStdinMsg({ timeout: 10_000 });
    expect(request.header.msg_type).toBe("input_request");
    expect(content(request)).toEqual({ prompt: "who? ", password: false });
    k.kc.input("Ada");
    const outputs: Message[] = [];
    for await (const msg of handle) outputs.push(msg);
    expect(outputs.find((m) => m.header.msg_type === "execute_result")?.content).toMatchObject({ data: { "text/plain": "'hello Ada'" } });
    const denied = await run(k.kc, "await input('x')", { allowStdin: false, stopOnError: false });
    expect(content(denied.reply)).toMatchObject({ status: "error", ename: "StdinNotAllowedError" });
  });

  it("gives user code the kernel's comms: targets for the frontend, comms to the frontend", async () => {
    await run(k.kc, "comms.registerTarget('echo', (comm, open) => { comm.send({ opened: open.content.data }); comm.onMsg((m) => comm.send({ echo: m.content.data })); })");
    const received: unknown[] = [];
    const comm = k.kc.comms.createComm("echo", { data: { hello: 1 } });
    comm.onMsg((m) => void received.push(m.content.data));
    comm.send({ ping: 2 });
    await expect.poll(() => received, { timeout: 10_000 }).toEqual([{ opened: { hello: 1 } }, { echo: { ping: 2 } }]);
    const opened: Comm[] = [];
    const fromKernel: unknown[] = [];
    k.kc.comms.registerTarget("frontend", (c, open) => {
      opened.push(c);
      fromKernel.push(open.content.data);
      c.onMsg((m) => void fromKernel.push(m.content.data));
    });
    await run(k.kc, "const mine = comms.createComm('frontend', { data: { v: 1 } }); mine.send({ v: 2 })");
    await expect.poll(() => fromKernel, { timeout: 10_000 }).toEqual([{ v: 1 }, { v: 2 }]);
    const info = await k.kc.commInfo({ reply: true, timeout: 10_000 });
    expect(Object.values(content(info)["comms"] as object)).toEqual(expect.arrayContaining([{ target_name: "echo" }, { target_name: "frontend" }]));
  });

  it("sends output of timers to the cell that started them, after its idle", async () => {
    const r = await run(k.kc, "setTimeout(() => console.log('late'), 50); 'now'");
    let late = await k.kc.getIopubMsg({ timeout: 10_000 });
    // (status messages of earlier requests may come first)
    while (late.header.msg_type !== "stream") late = await k.kc.getIopubMsg({ timeout: 10_000 });
    expect(content(late)).toEqual({ name: "stdout", text: "late\n" });
    expect((late.parent_header as { msg_id: string }).msg_id).toBe(r.reply.parent_header.msg_id);
  });

  it("survives errors thrown later in timers and unhandled rejections", async () => {
    await run(k.kc, "setTimeout(() => { throw new Error('in a timer') }, 10); Promise.reject(new Error('nobody caught'));");
    const texts: string[] = [];
    while (texts.join("").split("\n").filter((l) => /Uncaught exception|Unhandled promise rejection/.test(l)).length < 2) {
      const msg = await k.kc.getIopubMsg({ timeout: 10_000 });
      if (msg.header.msg_type === "stream") texts.push(String(content(msg)["text"]));
    }
    expect(texts.join("")).toContain("Error: in a timer");
    expect(texts.join("")).toContain("Error: nobody caught");
    expect((await run(k.kc, "1 + 1")).result).toMatchObject({ data: { "text/plain": "2" } });
  });

  it("captures process.stdout of the cell", async () => {
    const r = await run(k.kc, "process.stdout.write('raw\\n'); undefined");
    expect(r.stdout).toBe("raw\n");
  });

  it("completes, inspects, checks completeness, keeps history", async () => {
    await run(k.kc, "const fruit = { apple: 1, apricot: 2 }");
    const completion = await k.kc.complete("fruit.ap", { reply: true, timeout: 10_000 });
    expect(completion.content).toMatchObject({ status: "ok", matches: ["apple", "apricot"], cursor_start: 6, cursor_end: 8 });
    const inspection = await k.kc.inspect("fruit", { reply: true, cursorPos: 2, timeout: 10_000 });
    expect(inspection.content).toMatchObject({ status: "ok", found: true, data: { "text/plain": expect.stringContaining("apricot: 2") } });
    expect((await k.kc.isComplete("if (x) {", { reply: true, timeout: 10_000 })).content).toEqual({ status: "incomplete", indent: "  " });
    expect((await k.kc.isComplete("x = ", { reply: true, timeout: 10_000 })).content).toMatchObject({ status: "incomplete" });
    expect((await k.kc.isComplete("x = )", { reply: true, timeout: 10_000 })).content).toEqual({ status: "invalid" });
    const history = await k.kc.history({ histAccessType: "tail", n: 1, reply: true, timeout: 10_000 });
    expect((content(history)["history"] as unknown[][])[0]?.[2]).toBe("const fruit = { apple: 1, apricot: 2 }");
  });
});

describe("interrupting the NodeKernel", () => {
  const k = useNodeKernel();

  it("stops `while (true) {}` on interrupt_request, and the next cells run normally", async () => {
    const looping = run(k.kc, "while (true) {}", { stopOnError: false, timeout: 60_000 });
    // The loop must have started: the kernel is busy with it.
    await new Promise((r) => setTimeout(r, 500));
    await k.kc.interrupt({ reply: true, timeout: 10_000 });
    const r = await looping;
    expect(content(r.reply)).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    // A cell right after must not be hit by the same interrupt.
    const next = await run(k.kc, "await new Promise((r) => setTimeout(r, 200)); 'still here'");
    expect(next.result).toMatchObject({ data: { "text/plain": "'still here'" } });
  });

  it("stops `while (true) {}` on SIGINT (interrupt_mode signal)", async () => {
    const looping = run(k.kc, "while (true) {}", { stopOnError: false, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    k.kernel.child.kill("SIGINT");
    const r = await looping;
    expect(content(r.reply)).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect((await run(k.kc, "'alive'")).result).toMatchObject({ data: { "text/plain": "'alive'" } });
  });

  it("stops a cell awaiting forever", async () => {
    const waiting = run(k.kc, "await new Promise(() => {})", { stopOnError: false, timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    await k.kc.interrupt({ reply: true, timeout: 10_000 });
    expect(content((await waiting).reply)).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
  });

  it("ignores SIGINT while idle", async () => {
    k.kernel.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    expect((await run(k.kc, "'fine'")).result).toMatchObject({ data: { "text/plain": "'fine'" } });
  });
});

describe("NodeKernel lifecycle", () => {
  it("exits with code 0 on shutdown_request, even with a timer left running", async () => {
    const kernel = await startNodeKernel();
    const kc = kernel.client();
    try {
      await kc.startChannels();
      await kc.waitForReady({ timeout: 60_000 });
      await run(kc, "setInterval(() => {}, 1000)");
      const reply = await kc.shutdown({ reply: true, timeout: 10_000 });
      expect(content(reply)).toMatchObject({ status: "ok", restart: false });
      expect(await kernel.exited).toEqual({ code: 0, signal: null });
    } finally {
      await kc.stopChannels();
      await kernel.stop();
    }
  });
});
