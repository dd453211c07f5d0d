// executeInteractive, stdin and interrupt against a real ipykernel.
import { beforeEach, describe, expect, it } from "vitest";
import type { Message } from "@jupyter-ts/session";
import type { KernelClient } from "../../src/index.js";
import { ipykernelPython, useKernelClient } from "../helpers.js";

describe.skipIf(!ipykernelPython)("executeInteractive, stdin and interrupt against ipykernel", () => {
  const fixture = useKernelClient();
  let kc: KernelClient;
  beforeEach(() => {
    kc = fixture.kc;
  });

  it("input() is answered by the stdinHook; output goes to the outputHook", async () => {
    const prompts: Array<{ prompt: string; password: boolean }> = [];
    const outputs: Message[] = [];
    const reply = await kc.executeInteractive("name = input('who? '); print('hello ' + name)", {
      stdinHook: (msg) => {
        prompts.push(msg.content);
        return "Ada 😀";
      },
      outputHook: (msg) => {
        outputs.push(msg);
      },
      timeout: 20_000,
    });
    expect(reply.content.status).toBe("ok");
    expect(prompts).toEqual([{ prompt: "who? ", password: false }]);
    const text = outputs.filter((m) => m.msg_type === "stream").map((m) => (m.content as { text: string }).text).join("");
    expect(text).toBe("hello Ada 😀\n");
    expect(outputs.at(-1)?.content).toEqual({ execution_state: "idle" });
  });

  it("getpass.getpass() asks with password: true", async () => {
    const prompts: Array<{ prompt: string; password: boolean }> = [];
    const outputs: string[] = [];
    const reply = await kc.executeInteractive("import getpass; pw = getpass.getpass('secret: '); print(len(pw))", {
      stdinHook: (msg) => {
        prompts.push(msg.content);
        return "hunter2";
      },
      outputHook: (msg) => {
        if (msg.msg_type === "stream") outputs.push((msg.content as { text: string }).text);
      },
      timeout: 20_000,
    });
    expect(reply.content.status).toBe("ok");
    expect(prompts).toEqual([{ prompt: "secret: ", password: true }]);
    expect(outputs.join("")).toBe("7\n");
  });

  it("without a stdinHook for the request, input_request waits in the stdin queue; input() answers it", async () => {
    const h = kc.execute("v = input('> '); v * 2", { handle: true, timeout: 20_000 });
    const request = await kc.getStdinMsg({ timeout: 10_000 });
    expect(request.msg_type).toBe("input_request");
    expect(request.parent_header).toMatchObject({ msg_id: h.msgId });
    kc.input("ab");
    const results: Message[] = [];
    for await (const msg of h) if (msg.msg_type === "execute_result") results.push(msg);
    expect(results[0]?.content).toMatchObject({ data: { "text/plain": "'abab'" } });
    expect((await h.done).content.status).toBe("ok");
  });

  it("interrupt() stops time.sleep(30): the reply is a KeyboardInterrupt error", async () => {
    const started = Date.now();
    // stopOnError false: the KeyboardInterrupt must not make ipykernel abort
    // the next test's requests that arrive right after it.
    const h = kc.execute("import time; time.sleep(30)", { handle: true, timeout: 20_000, stopOnError: false });
    // Interrupt once the code runs (the kernel said busy for it).
    for await (const msg of h) {
      if (msg.msg_type === "execute_input") break;
    }
    const interruptReply = await kc.interrupt({ reply: true, timeout: 10_000 });
    expect(interruptReply.msg_type).toBe("interrupt_reply");
    const reply = await h.reply;
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(Date.now() - started).toBeLessThan(15_000);
    await h.done;
  });

  it("executeInteractive times out with KernelTimeoutError", async () => {
    await expect(
      kc.executeInteractive("import time; time.sleep(2)", { outputHook: () => undefined, timeout: 200 }),
    ).rejects.toMatchObject({ name: "KernelTimeoutError", code: "ERR_KERNEL_TIMEOUT" });
    // The kernel is still usable afterwards.
    const reply = await kc.execute("1", { reply: true, timeout: 10_000 });
    expect(reply.content.status).toBe("ok");
  });
});
