import { describe, expect, it, vi } from "vitest";
import type { Message } from "@jupyter-ts/session";
import { Session } from "@jupyter-ts/session";
import {
  ChannelsNotRunningError,
  KernelClient,
  MessageQueue,
  codePointLength,
  codePointToUtf16,
  utf16ToCodePoint,
} from "../src/index.js";

const session = new Session({ key: "k" });
const msg = (i: number): Message => session.msg("status", { content: { execution_state: "idle" }, metadata: { i } }) as unknown as Message;

describe("cursor positions", () => {
  it("counts code points, not UTF-16 units", () => {
    const text = "a😀b👍🏽c";
    expect(text.length).toBe(9);
    expect(codePointLength(text)).toBe(6);
    expect(utf16ToCodePoint(text, 3)).toBe(2);
    expect(codePointToUtf16(text, 2)).toBe(3);
    expect(text.slice(codePointToUtf16(text, 3), codePointToUtf16(text, 5))).toBe("👍🏽");
    expect(codePointToUtf16(text, 99)).toBe(9);
  });
});

describe("MessageQueue", () => {
  it("drops the oldest beyond its capacity, counts and warns", async () => {
    const warn = vi.fn();
    const queue = new MessageQueue({ channel: "iopub", capacity: 3, logger: { warn } });
    for (let i = 0; i < 5; i++) queue.push(msg(i));
    expect(queue.dropped).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain("iopub queue is full");
    const got = [await queue.get(), await queue.get(), await queue.get()].map((m) => m.metadata["i"]);
    expect(got).toEqual([2, 3, 4]);
    await expect(queue.get({ timeout: 0 })).rejects.toMatchObject({ code: "ERR_KERNEL_TIMEOUT" });
  });

  it("hands a message to a waiter, and times out otherwise", async () => {
    const queue = new MessageQueue({ channel: "shell", capacity: 10, logger: { warn: () => undefined } });
    const waiting = queue.get({ timeout: 5_000 });
    queue.push(msg(7));
    expect((await waiting).metadata["i"]).toBe(7);
    expect(queue.size).toBe(0);
    await expect(queue.get({ timeout: 20 })).rejects.toMatchObject({ name: "KernelTimeoutError", timeout: 20 });
  });
});

describe("KernelClient without channels", () => {
  it("refuses to send, each form in its own way", async () => {
    const kc = new KernelClient({ connectionInfo: { ip: "127.0.0.1", shell_port: 1, iopub_port: 2, stdin_port: 3, hb_port: 4, control_port: 5, key: "x" } });
    expect(() => kc.execute("1")).toThrow(ChannelsNotRunningError);
    await expect(kc.execute("1", { reply: true })).rejects.toMatchObject({ code: "ERR_CHANNELS_NOT_RUNNING", channel: "shell" });
    const h = kc.interrupt({ handle: true });
    await expect(h.done).rejects.toBeInstanceOf(ChannelsNotRunningError);
    expect(kc.channelsRunning).toBe(false);
    expect(new TextDecoder().decode(kc.session.key)).toBe("x");
  });
});
