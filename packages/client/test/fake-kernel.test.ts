// The client against zeromq sockets of our own that play a kernel: what a
// real kernel never does (bad signatures, a dead heartbeat, no answer).
import { describe, expect, it, onTestFinished } from "vitest";
import { Publisher, Reply, Router } from "zeromq";
import { Session } from "@jupyter-ts/session";
import { KernelClient, KernelTimeoutError } from "../src/index.js";

async function bound<S extends Router | Reply | Publisher>(socket: S): Promise<[S, number]> {
  await socket.bind("tcp://127.0.0.1:0");
  onTestFinished(() => socket.close());
  return [socket, Number(socket.lastEndpoint?.split(":").pop())];
}

async function fakeKernel() {
  const [shell, shellPort] = await bound(new Router({ linger: 0 }));
  const [iopub, iopubPort] = await bound(new Publisher({ linger: 0 }));
  const [control, controlPort] = await bound(new Router({ linger: 0 }));
  const [stdin, stdinPort] = await bound(new Router({ linger: 0 }));
  const [hb, hbPort] = await bound(new Reply({ linger: 0 }));
  const info = { ip: "127.0.0.1", transport: "tcp" as const, key: "secret", signature_scheme: "hmac-sha256", shell_port: shellPort, iopub_port: iopubPort, control_port: controlPort, stdin_port: stdinPort, hb_port: hbPort };
  return { shell, iopub, control, stdin, hb, info, session: new Session({ key: "secret" }) };
}

describe("KernelClient against a fake kernel", () => {
  it("rejects a reply with a bad signature (counted, logged) and delivers the genuine one", async () => {
    const k = await fakeKernel();
    const warnings: string[] = [];
    const kc = new KernelClient({ connectionInfo: k.info, logger: { warn: (m: string) => warnings.push(m) } });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels({ hb: false });
    const pending = kc.kernelInfo({ reply: true, timeout: 5_000 });
    const { idents, msg: request } = await k.session.recv(k.shell);
    const forged = new Session({ key: "wrong" });
    await forged.send(k.shell, "kernel_info_reply", { parent: request, ident: idents, content: { status: "ok" } as never });
    await k.session.send(k.shell, "kernel_info_reply", { parent: request, ident: idents, content: { status: "ok", implementation: "fake" } as never });
    const reply = await pending;
    expect(reply.content).toMatchObject({ implementation: "fake" });
    expect(kc.rejectedMessages).toBe(1);
    expect(warnings.join("\n")).toMatch(/rejected a message on shell: invalid hmac-sha256 signature/);
  });

  it("a handle needs iopub: without it the handle fails at once instead of never settling", async () => {
    const k = await fakeKernel();
    const kc = new KernelClient({ connectionInfo: k.info });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels({ iopub: false, hb: false });
    await expect(kc.execute("1", { handle: true }).done).rejects.toMatchObject({ code: "ERR_CHANNELS_NOT_RUNNING", channel: "iopub" });
    await expect(kc.executeInteractive("1")).rejects.toMatchObject({ channel: "iopub" });
    // A plain request still goes out on shell.
    const msgId = kc.kernelInfo();
    const { msg } = await k.session.recv(k.shell);
    expect(msg.msg_id).toBe(msgId);
  });

  it("waitForReady times out with KernelTimeoutError when nothing answers", async () => {
    const k = await fakeKernel();
    const kc = new KernelClient({ connectionInfo: k.info });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels({ hb: false });
    const started = Date.now();
    const error = await kc.waitForReady({ timeout: 1_200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelTimeoutError);
    expect((error as Error).message).toMatch(/no kernel_info_reply on shell/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("a heartbeat that stops answering: stopped, then dead; pending requests and waitForReady fail", async () => {
    const k = await fakeKernel();
    let echoing = true;
    void (async () => {
      for (;;) {
        const frames = await k.hb.receive().catch(() => undefined);
        if (!frames || !echoing) return;
        await k.hb.send(frames).catch(() => undefined);
      }
    })();
    const kc = new KernelClient({ connectionInfo: k.info, heartbeat: { timeToDead: 200, maxMissed: 2 } });
    onTestFinished(() => kc.stopChannels());
    const events: string[] = [];
    await kc.startChannels();
    kc.hbChannel!.on("beating", () => events.push("beating"));
    kc.hbChannel!.on("stopped", () => events.push("stopped"));
    const dead = new Promise<Error>((resolve) => kc.on("dead", resolve));
    await new Promise<void>((resolve) => kc.hbChannel!.on("beating", resolve));
    expect(kc.isAlive()).toBe(true);
    const pending = kc.execute("1", { reply: true });
    // Nothing answers on shell: waitForReady keeps asking until the kernel is declared dead.
    const ready = kc.waitForReady({ timeout: 10_000 });
    echoing = false;
    const error = await dead;
    expect(error).toMatchObject({ name: "KernelDiedError", code: "ERR_KERNEL_DIED" });
    await expect(pending).rejects.toBe(error);
    await expect(ready).rejects.toBe(error);
    expect(events).toEqual(["beating", "stopped"]);
    expect(kc.executionState).toBe("dead");
    expect(kc.isAlive()).toBe(false);
  });
  it("subshell requests (JEP 91) go out on control and get their replies", async () => {
    const k = await fakeKernel();
    const kc = new KernelClient({ connectionInfo: k.info });
    onTestFinished(() => kc.stopChannels());
    await kc.startChannels({ hb: false });
    const answer = async (content: Record<string, unknown>) => {
      const { idents, msg } = await k.session.recv(k.control);
      await k.session.send(k.control, msg.msg_type.replace("_request", "_reply"), { parent: msg, ident: idents, content: content as never });
      return msg;
    };
    const created = kc.createSubshell({ reply: true, timeout: 5_000 });
    expect((await answer({ status: "ok", subshell_id: "sub-1" })).msg_type).toBe("create_subshell_request");
    expect((await created).content).toEqual({ status: "ok", subshell_id: "sub-1" });
    const listed = kc.listSubshells({ reply: true, timeout: 5_000 });
    await answer({ status: "ok", subshell_id: ["sub-1"] });
    expect((await listed).content).toMatchObject({ subshell_id: ["sub-1"] });
    const deleted = kc.deleteSubshell("sub-1", { reply: true, timeout: 5_000 });
    expect((await answer({ status: "ok" })).content).toEqual({ subshell_id: "sub-1" });
    expect((await deleted).content).toEqual({ status: "ok" });
    // A shell request aimed at the subshell carries its id in the header.
    kc.execute("1", { subshellId: "sub-1" });
    const { msg } = await k.session.recv(k.shell);
    expect(msg.header.subshell_id).toBe("sub-1");
  });
});
