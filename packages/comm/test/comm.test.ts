import type { JupyterMessage } from "@jupyter-ts/protocol";
import { msgHeader } from "@jupyter-ts/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Comm, CommClosedError, CommError, CommManager, type CommTransport } from "../src/index.js";
import { link } from "./helpers.js";

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("opening", () => {
  it("a comm opened by the client reaches the kernel's target with its data, metadata and buffers", async () => {
    const { client, kernel, flush } = link();
    const opened: { comm: Comm; msg: JupyterMessage<"comm_open"> }[] = [];
    kernel.manager.registerTarget("echo", (comm, msg) => void opened.push({ comm, msg }));
    const pool = Uint8Array.from({ length: 32 }, (_, i) => i);
    const view = pool.subarray(4, 12);

    const comm = client.manager.createComm("echo", { data: { a: 1 }, metadata: { m: true }, buffers: [view], targetModule: "mod" });
    expect(client.sent[0]?.content).toEqual({ comm_id: comm.commId, target_name: "echo", data: { a: 1 }, target_module: "mod" });
    expect(client.manager.getComm(comm.commId)).toBe(comm);
    await flush();

    expect(opened).toHaveLength(1);
    const [{ comm: remote, msg } = opened[0]!] = opened;
    expect(remote.commId).toBe(comm.commId);
    expect(remote.targetName).toBe("echo");
    expect(remote.targetModule).toBe("mod");
    expect(remote.isClosed).toBe(false);
    expect(msg.content.data).toEqual({ a: 1 });
    expect(msg.metadata).toEqual({ m: true });
    expect(msg.buffers?.[0]).toBe(view);
    expect(kernel.manager.comms.get(comm.commId)).toBe(remote);
    expect(kernel.sent).toEqual([]);
    expect(kernel.logger.errors).toEqual([]);
  });

  it("works the other way: the kernel opens, the client's target handles it", async () => {
    const { client, kernel, flush } = link();
    const handler = vi.fn();
    client.manager.registerTarget("jupyter.widget", handler);
    const comm = kernel.manager.createComm("jupyter.widget", { data: { state: {} } });
    expect(kernel.sent[0]?.content).toEqual({ comm_id: comm.commId, target_name: "jupyter.widget", data: { state: {} } });
    await flush();
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0]).toBeInstanceOf(Comm);
    expect((handler.mock.calls[0]?.[0] as Comm).targetModule).toBeUndefined();
    expect(client.manager.commInfo()).toEqual({ [comm.commId]: { target_name: "jupyter.widget" } });
  });

  it("uses a given commId and refuses one that is taken", () => {
    const { client } = link();
    const comm = client.manager.createComm("t", { commId: "fixed" });
    expect(comm.commId).toBe("fixed");
    expect(() => client.manager.createComm("t", { commId: "fixed" })).toThrow(CommError);
    try {
      client.manager.createComm("t", { commId: "fixed" });
    } catch (error) {
      expect((error as CommError).code).toBe("ERR_COMM_EXISTS");
    }
    expect(client.sent).toHaveLength(1);
  });

  it("does not keep a comm whose comm_open could not be sent", () => {
    const manager = new CommManager({
      send() {
        throw new Error("socket closed");
      },
    });
    expect(() => manager.createComm("t")).toThrow("socket closed");
    expect(manager.comms.size).toBe(0);
  });
});

describe("messages", () => {
  it("flow both ways, with buffers passed as the same views", async () => {
    const { client, kernel, flush } = link();
    const kernelGot: JupyterMessage<"comm_msg">[] = [];
    kernel.manager.registerTarget("echo", (comm) => {
      comm.onMsg((msg) => {
        kernelGot.push(msg);
        comm.send({ echo: msg.content.data }, { metadata: { from: "kernel" }, buffers: msg.buffers ?? [] });
      });
    });
    const comm = client.manager.createComm("echo");
    const clientGot: JupyterMessage<"comm_msg">[] = [];
    comm.onMsg((msg) => void clientGot.push(msg));
    await flush();

    const bytes = new Uint8Array(new ArrayBuffer(64), 8, 16);
    const floats = new Uint8Array(new Float64Array([1.5, Math.PI]).buffer);
    comm.send({ n: 1 }, { buffers: [bytes, floats] });
    await flush();

    expect(kernelGot).toHaveLength(1);
    expect(kernelGot[0]?.content).toEqual({ comm_id: comm.commId, data: { n: 1 } });
    expect(kernelGot[0]?.buffers?.[0]).toBe(bytes);
    expect(kernelGot[0]?.buffers?.[1]).toBe(floats);
    expect(clientGot).toHaveLength(1);
    expect(clientGot[0]?.content.data).toEqual({ echo: { n: 1 } });
    expect(clientGot[0]?.metadata).toEqual({ from: "kernel" });
    expect(clientGot[0]?.buffers?.[0]).toBe(bytes);
    expect(clientGot[0]?.buffers?.[0]?.byteOffset).toBe(8);
    expect(clientGot[0]?.buffers?.[1]).toBe(floats);
  });

  it("sends {} as data when none is given", () => {
    const { client } = link();
    const comm = client.manager.createComm("t");
    comm.send();
    expect(client.sent[0]?.content).toEqual({ comm_id: comm.commId, target_name: "t", data: {} });
    expect(client.sent[1]?.content).toEqual({ comm_id: comm.commId, data: {} });
  });

  it("reach async handlers in order, each waiting for the one before", async () => {
    const { client, kernel, flush } = link();
    const seen: number[] = [];
    kernel.manager.registerTarget("slow", async (comm) => {
      // The handler subscribes only after an await: messages sent right after the open must wait for it.
      await tick(5);
      comm.onMsg(async (msg) => {
        const n = msg.content.data["n"] as number;
        await tick(n % 2 === 0 ? 8 : 1);
        seen.push(n);
      });
    });
    const comm = client.manager.createComm("slow");
    for (let n = 0; n < 6; n++) comm.send({ n });
    await flush();
    await vi.waitFor(() => expect(seen).toHaveLength(6));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("stop reaching a handler after its unsubscribe", async () => {
    const { client, kernel, flush } = link();
    const first = vi.fn();
    const second = vi.fn();
    let unsubscribe = (): void => {};
    kernel.manager.registerTarget("t", (comm) => {
      unsubscribe = comm.onMsg(first);
      comm.onMsg(second);
    });
    const comm = client.manager.createComm("t");
    comm.send({ n: 1 });
    await flush();
    unsubscribe();
    comm.send({ n: 2 });
    await flush();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it("for an unknown comm are logged and ignored", () => {
    const { kernel } = link();
    const header = msgHeader("comm_msg");
    expect(kernel.manager.handleMessage({ header, parent_header: {}, metadata: {}, content: { comm_id: "nope", data: {} } })).toBe(true);
    const close = msgHeader("comm_close");
    expect(kernel.manager.handleMessage({ header: close, parent_header: {}, metadata: {}, content: { comm_id: "nope", data: {} } })).toBe(true);
    expect(kernel.logger.warnings).toEqual([
      expect.stringContaining("comm_msg for unknown comm nope"),
      expect.stringContaining("comm_close for unknown comm nope"),
    ]);
    expect(kernel.sent).toEqual([]);
  });

  it("handleMessage leaves other message types alone and logs comm messages without comm_id", () => {
    const { kernel } = link();
    expect(kernel.manager.handleMessage({ header: msgHeader("status"), parent_header: {}, metadata: {}, content: { execution_state: "idle" } })).toBe(false);
    expect(kernel.manager.handleMessage({ header: msgHeader("comm_open"), parent_header: {}, metadata: {}, content: {} } as unknown as JupyterMessage)).toBe(true);
    expect(kernel.logger.errors[0]?.message).toMatch(/without a comm_id/);
    expect(kernel.sent).toEqual([]);
  });
});

describe("closing", () => {
  it("from the client: the kernel's comm closes with the message and sends nothing back", async () => {
    const { client, kernel, flush } = link();
    const kernelClosed: unknown[] = [];
    let remote: Comm | undefined;
    kernel.manager.registerTarget("t", (comm) => {
      remote = comm;
      comm.onClose((msg) => void kernelClosed.push(msg));
    });
    const comm = client.manager.createComm("t");
    const clientClosed = vi.fn();
    comm.onClose(clientClosed);
    await flush();

    comm.close({ bye: true }, { metadata: { why: "done" } });
    comm.close();
    expect(comm.isClosed).toBe(true);
    expect(clientClosed).toHaveBeenCalledOnce();
    expect(clientClosed).toHaveBeenCalledWith(undefined);
    expect(client.manager.comms.size).toBe(0);
    await flush();

    expect(client.sent.filter((m) => m.header.msg_type === "comm_close")).toHaveLength(1);
    expect(remote?.isClosed).toBe(true);
    expect(kernelClosed).toHaveLength(1);
    expect((kernelClosed[0] as JupyterMessage<"comm_close">).content).toEqual({ comm_id: comm.commId, data: { bye: true } });
    expect((kernelClosed[0] as JupyterMessage<"comm_close">).metadata).toEqual({ why: "done" });
    expect(kernel.manager.comms.size).toBe(0);
    expect(kernel.sent).toEqual([]);
    expect([...client.logger.warnings, ...kernel.logger.warnings]).toEqual([]);
  });

  it("from the kernel: the client's comm closes, and send then throws CommClosedError", async () => {
    const { client, kernel, flush } = link();
    let remote: Comm | undefined;
    kernel.manager.registerTarget("t", (comm) => void (remote = comm));
    const comm = client.manager.createComm("t");
    const closed = vi.fn();
    comm.onClose(closed);
    await flush();
    remote?.close({ reason: "kernel" });
    await flush();

    expect(comm.isClosed).toBe(true);
    expect(closed).toHaveBeenCalledOnce();
    expect((closed.mock.calls[0]?.[0] as JupyterMessage<"comm_close">).content.data).toEqual({ reason: "kernel" });
    expect(client.sent.map((m) => m.header.msg_type)).toEqual(["comm_open"]);
    expect(client.manager.comms.size).toBe(0);

    expect(() => comm.send({ late: true })).toThrow(CommClosedError);
    try {
      comm.send();
    } catch (error) {
      expect(error).toBeInstanceOf(CommError);
      expect((error as CommClosedError).code).toBe("ERR_COMM_CLOSED");
      expect((error as CommClosedError).name).toBe("CommClosedError");
      expect((error as Error).message).toContain(comm.commId);
      expect((error as Error).message).toContain("'t'");
    }
  });

  it("an open for an unknown target is answered with comm_close and the opener's comm closes", async () => {
    const { client, kernel, flush } = link();
    const comm = client.manager.createComm("missing", { data: { x: 1 } });
    const closed = vi.fn();
    comm.onClose(closed);
    await flush();

    expect(kernel.sent.map((m) => [m.header.msg_type, m.content.comm_id])).toEqual([["comm_close", comm.commId]]);
    expect(kernel.logger.errors[0]?.message).toContain("no comm target 'missing'");
    expect(kernel.manager.comms.size).toBe(0);
    expect(comm.isClosed).toBe(true);
    expect(closed).toHaveBeenCalledOnce();
    expect(client.manager.comms.size).toBe(0);
  });

  it("closeAll closes every comm, tells the other side, and leaves nothing registered", async () => {
    const { client, kernel, flush } = link();
    const kernelClosed = vi.fn();
    kernel.manager.registerTarget("t", (comm) => void comm.onClose(kernelClosed));
    const comms = [client.manager.createComm("t"), client.manager.createComm("t"), client.manager.createComm("t")];
    const onClose = vi.fn();
    for (const comm of comms) comm.onClose(onClose);
    await flush();
    expect(kernel.manager.comms.size).toBe(3);

    client.manager.closeAll();
    expect(client.manager.comms.size).toBe(0);
    expect(comms.every((comm) => comm.isClosed)).toBe(true);
    expect(onClose).toHaveBeenCalledTimes(3);
    expect(client.manager.targets.size).toBe(0);
    await flush();
    expect(kernelClosed).toHaveBeenCalledTimes(3);
    expect(kernel.manager.comms.size).toBe(0);
  });

  it("closeAll({ notify: false }) closes locally without sending (the other side is gone)", async () => {
    const { client, kernel, flush } = link();
    kernel.manager.registerTarget("t", () => {});
    const comm = client.manager.createComm("t");
    await flush();
    const before = client.sent.length;
    kernel.manager.closeAll({ notify: false });
    expect(kernel.manager.comms.size).toBe(0);
    expect(kernel.sent).toEqual([]);
    client.manager.closeAll({ notify: false });
    expect(comm.isClosed).toBe(true);
    expect(client.sent).toHaveLength(before);
  });

  it("closeAll goes on when sending a comm_close fails", () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    let fail = false;
    const manager = new CommManager(
      {
        send() {
          if (fail) throw new Error("gone");
        },
      },
      { logger },
    );
    const a = manager.createComm("t");
    const b = manager.createComm("t");
    fail = true;
    manager.closeAll();
    expect(a.isClosed && b.isClosed).toBe(true);
    expect(manager.comms.size).toBe(0);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });
});

describe("failing handlers", () => {
  it("a target handler that throws is logged, its comm closed, and the manager keeps working", async () => {
    const { client, kernel, flush } = link();
    const boom = new Error("boom");
    kernel.manager.registerTarget("bad", () => {
      throw boom;
    });
    kernel.manager.registerTarget("good", () => {});
    const bad = client.manager.createComm("bad");
    await flush();
    expect(kernel.logger.errors).toEqual([{ message: expect.stringContaining("comm target 'bad'"), error: boom }]);
    expect(bad.isClosed).toBe(true);
    expect(kernel.manager.comms.size).toBe(0);

    const good = client.manager.createComm("good");
    await flush();
    expect(good.isClosed).toBe(false);
    expect(kernel.manager.getComm(good.commId)).toBeDefined();
  });

  it("a target handler that rejects is logged and its comm closed", async () => {
    const { client, kernel, flush } = link();
    const boom = new Error("async boom");
    kernel.manager.registerTarget("bad", async () => {
      await tick();
      throw boom;
    });
    const comm = client.manager.createComm("bad");
    await flush();
    expect(kernel.logger.errors).toEqual([{ message: expect.stringContaining("comm target 'bad'"), error: boom }]);
    expect(comm.isClosed).toBe(true);
    expect(kernel.manager.comms.size).toBe(0);
  });

  it("onMsg and onClose handlers that throw or reject are logged; later messages still arrive", async () => {
    const { client, kernel, flush } = link();
    const got: unknown[] = [];
    kernel.manager.registerTarget("t", (comm) => {
      comm.onMsg((msg) => {
        if (msg.content.data["n"] === 1) throw new Error("sync");
      });
      comm.onMsg(async (msg) => {
        if (msg.content.data["n"] === 2) throw new Error("async");
      });
      comm.onMsg((msg) => void got.push(msg.content.data["n"]));
      comm.onClose(() => {
        throw new Error("close sync");
      });
      comm.onClose(() => Promise.reject(new Error("close async")));
    });
    const comm = client.manager.createComm("t");
    comm.send({ n: 1 });
    comm.send({ n: 2 });
    comm.send({ n: 3 });
    comm.close();
    await flush();
    expect(got).toEqual([1, 2, 3]);
    expect(kernel.logger.errors.map((e) => (e.error as Error).message)).toEqual(["sync", "async", "close sync", "close async"]);
    expect(kernel.manager.comms.size).toBe(0);
  });

  it("logs to console.error by default", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const sent: string[] = [];
    const transport: CommTransport = { send: (type) => void sent.push(type) };
    const manager = new CommManager(transport);
    const open = { header: msgHeader("comm_open"), parent_header: {}, metadata: {}, content: { comm_id: "c1", target_name: "nobody", data: {} } };
    expect(() => manager.handleMessage(open)).not.toThrow();
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("no comm target 'nobody'"));
    expect(sent).toEqual(["comm_close"]);
  });
});

describe("targets and comm info", () => {
  it("unregisterTarget makes later opens fail; open comms stay", async () => {
    const { client, kernel, flush } = link();
    kernel.manager.registerTarget("t", () => {});
    expect([...kernel.manager.targets.keys()]).toEqual(["t"]);
    const first = client.manager.createComm("t");
    await flush();
    kernel.manager.unregisterTarget("t");
    expect(kernel.manager.targets.size).toBe(0);
    const second = client.manager.createComm("t");
    await flush();
    expect(first.isClosed).toBe(false);
    expect(second.isClosed).toBe(true);
    expect(Object.keys(kernel.manager.commInfo())).toEqual([first.commId]);
  });

  it("commInfo lists the open comms, filtered by target", () => {
    const { client } = link();
    const a = client.manager.createComm("a");
    const b1 = client.manager.createComm("b");
    const b2 = client.manager.createComm("b");
    expect(client.manager.commInfo()).toEqual({
      [a.commId]: { target_name: "a" },
      [b1.commId]: { target_name: "b" },
      [b2.commId]: { target_name: "b" },
    });
    expect(client.manager.commInfo("b")).toEqual({ [b1.commId]: { target_name: "b" }, [b2.commId]: { target_name: "b" } });
    expect(client.manager.commInfo("none")).toEqual({});
    b1.close();
    expect(client.manager.commInfo("b")).toEqual({ [b2.commId]: { target_name: "b" } });
  });

  it("registerComm adds a comm made by hand, and refuses one of another manager", () => {
    const { client, kernel } = link();
    const comm = new Comm(client.manager, "manual", { commId: "m1" });
    expect(client.manager.registerComm(comm)).toBe("m1");
    expect(client.manager.getComm("m1")).toBe(comm);
    expect(client.sent).toEqual([]);
    expect(() => kernel.manager.registerComm(comm)).toThrow(expect.objectContaining({ code: "ERR_COMM_FOREIGN" }));
    client.manager.unregisterComm(comm);
    expect(client.manager.getComm("m1")).toBeUndefined();
  });
});

describe("edge cases", () => {
  it("a comm closed from inside its onMsg handler ignores (and reports) the messages that follow", async () => {
    const { client, kernel, flush } = link();
    const seen: unknown[] = [];
    kernel.manager.registerTarget("t", (comm) => {
      comm.onMsg((msg) => {
        seen.push(msg.content.data["n"]);
        comm.close();
      });
    });
    const comm = client.manager.createComm("t");
    comm.send({ n: 1 });
    comm.send({ n: 2 });
    await flush();
    expect(seen).toEqual([1]);
    expect(comm.isClosed).toBe(true);
    expect(kernel.logger.warnings).toEqual([expect.stringMatching(/comm_msg for unknown comm/)]);
    expect(kernel.sent.map((m) => m.header.msg_type)).toEqual(["comm_close"]);
  });

  it("handleMessage does not throw when the transport fails while answering", () => {
    const logger = { error: vi.fn(), warn: vi.fn() };
    const manager = new CommManager(
      {
        send() {
          throw new Error("socket closed");
        },
      },
      { logger },
    );
    const open = { header: msgHeader("comm_open"), parent_header: {}, metadata: {}, content: { comm_id: "c1", target_name: "nobody", data: {} } };
    expect(manager.handleMessage(open)).toBe(true);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining("failed to send comm_close"), expect.any(Error));
    expect(manager.comms.size).toBe(0);
  });

  it("both sides closing at once: each side's late comm_close is only a warning", async () => {
    const { client, kernel, flush } = link();
    let remote: Comm | undefined;
    kernel.manager.registerTarget("t", (comm) => void (remote = comm));
    const comm = client.manager.createComm("t");
    await flush();
    comm.close();
    remote?.close();
    await flush();
    expect(client.logger.errors).toEqual([]);
    expect(kernel.logger.errors).toEqual([]);
    expect(client.logger.warnings).toHaveLength(1);
    expect(kernel.logger.warnings).toHaveLength(1);
  });
});
