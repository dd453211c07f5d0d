// KernelClient against a real ipykernel: every request, the handle, the pull API.
import { beforeEach, describe, expect, it } from "vitest";
import type { Message } from "@jupyter-ts/session";
import { codePointToUtf16, type KernelClient } from "../../src/index.js";
import { ipykernelPython, useKernelClient } from "../helpers.js";

describe.skipIf(!ipykernelPython)("KernelClient requests against ipykernel", () => {
  const fixture = useKernelClient();
  let kc: KernelClient;
  beforeEach(() => {
    kc = fixture.kc;
  });

  it("kernel_info_reply describes ipykernel", async () => {
    const reply = await kc.kernelInfo({ reply: true, timeout: 10_000 });
    expect(reply.msg_type).toBe("kernel_info_reply");
    expect(reply.content).toMatchObject({
      status: "ok",
      implementation: "ipython",
      protocol_version: expect.stringMatching(/^5\./),
      language_info: { name: "python" },
    });
    expect(reply.parent_header).toMatchObject({ msg_type: "kernel_info_request" });
  });

  it("execute through a handle: stream and execute_result in its iterator, then done", async () => {
    const h = kc.execute("print('hello'); 6 * 7", { handle: true, timeout: 10_000 });
    expect(h.msgId).toMatch(/^[0-9a-f-]{32,36}$/);
    const seen: Message[] = [];
    for await (const msg of h) seen.push(msg);
    const reply = await h.done;
    expect(reply.content).toMatchObject({ status: "ok", execution_count: expect.any(Number) });
    const types = seen.map((m) => m.msg_type);
    expect(types[0]).toBe("status");
    expect(types.at(-1)).toBe("status");
    expect((seen.at(-1)?.content as { execution_state: string }).execution_state).toBe("idle");
    const stream = seen.find((m) => m.msg_type === "stream");
    expect(stream?.content).toEqual({ name: "stdout", text: "hello\n" });
    const result = seen.find((m) => m.msg_type === "execute_result");
    expect(result?.content).toMatchObject({ data: { "text/plain": "42" } });
    for (const m of seen) expect(m.parent_header).toMatchObject({ msg_id: h.msgId });
    expect(await h.reply).toBe(reply);
  });

  it("an error gives an error reply and an error message on iopub", async () => {
    const h = kc.execute("1 / 0", { handle: true, timeout: 10_000 });
    const seen: Message[] = [];
    for await (const msg of h) seen.push(msg);
    const reply = await h.done;
    expect(reply.content).toMatchObject({ status: "error", ename: "ZeroDivisionError" });
    expect(seen.find((m) => m.msg_type === "error")?.content).toMatchObject({ ename: "ZeroDivisionError" });
  });

  it("complete and inspect count the cursor in code points (an emoji before it)", async () => {
    await kc.execute("import os", { reply: true, timeout: 10_000 });
    const code = "s = '😀'; os.pa";
    const reply = await kc.complete(code, { reply: true, timeout: 10_000 });
    if (reply.content.status !== "ok") throw new Error(`complete failed: ${JSON.stringify(reply.content)}`);
    // 14 code points, 15 UTF-16 units: the kernel saw the cursor at the end.
    expect(reply.content.cursor_end).toBe(14);
    const replaced = code.slice(codePointToUtf16(code, reply.content.cursor_start), codePointToUtf16(code, reply.content.cursor_end));
    expect(["pa", "os.pa"]).toContain(replaced);
    expect(reply.content.matches).toContain(replaced === "pa" ? "path" : "os.path");

    // A cursor in the middle, given in code points: after "😀; o" in "😀; os" there is only "o" before it.
    const mid = await kc.complete("s = '😀'; os", { cursorPos: 10, reply: true, timeout: 10_000 });
    if (mid.content.status !== "ok") throw new Error("complete failed");
    expect(mid.content.cursor_end).toBe(10);
    expect(mid.content.matches).toContain("os");

    const inspectCode = "x = '😀😀'; len";
    const inspected = await kc.inspect(inspectCode, { reply: true, timeout: 10_000 });
    expect(inspected.content).toMatchObject({ status: "ok", found: true });
    expect(JSON.stringify(inspected.content)).toContain("Return the number of items");
  });

  it("history returns what ran, is_complete judges code", async () => {
    await kc.execute("history_marker = 12345", { reply: true, timeout: 10_000 });
    const hist = await kc.history({ histAccessType: "tail", n: 5, reply: true, timeout: 10_000 });
    if (hist.content.status !== "ok") throw new Error("history failed");
    expect(hist.content.history.map((e) => e[2])).toContain("history_marker = 12345");

    expect((await kc.isComplete("for i in range(3):", { reply: true, timeout: 10_000 })).content).toMatchObject({ status: "incomplete" });
    expect((await kc.isComplete("x = 1", { reply: true, timeout: 10_000 })).content).toEqual({ status: "complete" });
    expect((await kc.isComplete("x = )", { reply: true, timeout: 10_000 })).content).toEqual({ status: "invalid" });
  });

  it("comm_info answers (no comms open)", async () => {
    const reply = await kc.commInfo({ targetName: "nothing", reply: true, timeout: 10_000 });
    expect(reply.content).toEqual({ status: "ok", comms: {} });
  });

  it("debug_request on control: ipykernel's debugger answers debugInfo", async () => {
    const reply = await kc.debugRequest({ type: "request", seq: 1, command: "debugInfo" }, { reply: true, timeout: 20_000 });
    expect(reply.msg_type).toBe("debug_reply");
    expect(reply.content).toMatchObject({ type: "response", request_seq: 1, success: true, command: "debugInfo", body: { isStarted: false } });
  });

  it("a request without reply/handle returns its msg_id; the reply waits in the pull queue", async () => {
    const msgId = kc.kernelInfo();
    expect(typeof msgId).toBe("string");
    const reply = await kc.getShellMsg({ timeout: 10_000 });
    expect(reply.parent_header).toMatchObject({ msg_id: msgId });
    // Its iopub status messages are in the iopub queue.
    const states: string[] = [];
    while (states.at(-1) !== "idle") {
      const msg = await kc.getIopubMsg({ timeout: 10_000 });
      if ((msg.parent_header as { msg_id?: string }).msg_id === msgId && msg.msg_type === "status") {
        states.push((msg.content as { execution_state: string }).execution_state);
      }
    }
    expect(states).toEqual(["busy", "idle"]);
    await expect(kc.getShellMsg({ timeout: 50 })).rejects.toMatchObject({ name: "KernelTimeoutError", code: "ERR_KERNEL_TIMEOUT" });
  });

  it("tracks the execution state from iopub status", async () => {
    const states: string[] = [];
    const off = kc.on("status", (state) => states.push(state));
    await kc.execute("import time; time.sleep(0.2)", { handle: true, timeout: 10_000 }).done;
    off();
    expect(states).toEqual(["busy", "idle"]);
    expect(kc.executionState).toBe("idle");
  });

  it("50 concurrent completes interleaved with an execute all get their own reply", async () => {
    const exec = kc.execute("import time; time.sleep(0.3); 'slow'", { handle: true, timeout: 30_000 });
    const codes = Array.from({ length: 50 }, (_, i) => `var_${i}_abc = ${i}; var_${i}_a`);
    const completes = codes.map((code) => kc.complete(code, { reply: true, timeout: 30_000 }));
    const replies = await Promise.all(completes);
    replies.forEach((reply, i) => {
      if (reply.content.status !== "ok") throw new Error(`complete ${i}: ${JSON.stringify(reply.content)}`);
      expect(reply.content.matches).toContain(`var_${i}_abc`);
    });
    const execReply = await exec.done;
    expect(execReply.content.status).toBe("ok");
    expect(kc.droppedMessages.shell).toBe(0);
  });

  it("a reply timeout rejects with KernelTimeoutError", async () => {
    const pending = kc.execute("import time; time.sleep(1)", { reply: true, timeout: 100 });
    await expect(pending).rejects.toMatchObject({ code: "ERR_KERNEL_TIMEOUT", timeout: 100 });
    // The late reply is not lost: it waits in the pull queue.
    const late = await kc.getShellMsg({ timeout: 10_000 });
    expect(late.msg_type).toBe("execute_reply");
  });

  it("heartbeat beats, pauses and beats again after unpause", async () => {
    const hb = kc.hbChannel!;
    expect(hb.isBeating()).toBe(true);
    expect(hb.timeToDead).toBe(1000);
    expect(kc.isAlive()).toBe(true);
    hb.pause();
    expect(hb.isBeating()).toBe(false);
    hb.unpause();
    expect(hb.isBeating()).toBe(true);
    // A missed beat while busy in Python would be a bug: ipykernel answers from its own thread.
    const stopped: number[] = [];
    const off = hb.on("stopped", (since) => stopped.push(since));
    await kc.execute("import time; time.sleep(2.5)", { reply: true, timeout: 10_000 });
    off();
    expect(stopped).toEqual([]);
    expect(hb.isBeating()).toBe(true);
  });
});
