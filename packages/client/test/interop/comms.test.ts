// kc.comms against a real ipykernel: comms opened from either side.
import { beforeEach, describe, expect, it } from "vitest";
import type { JupyterMessage } from "@jupyter-ts/protocol";
import type { KernelClient } from "../../src/index.js";
import { ipykernelPython, useKernelClient } from "../helpers.js";

const ECHO_TARGET = `
def _echo(comm, open_msg):
    @comm.on_msg
    def _reply(msg):
        comm.send({"echo": msg["content"]["data"]})
    comm.send({"opened": open_msg["content"]["data"]})
get_ipython().kernel.comm_manager.register_target("echo_target", _echo)
`;

describe.skipIf(!ipykernelPython)("kc.comms against ipykernel", () => {
  const fixture = useKernelClient();
  let kc: KernelClient;
  beforeEach(() => {
    kc = fixture.kc;
  });

  it("a comm opened here reaches the kernel's target and gets its messages back", async () => {
    const setup = await kc.execute(ECHO_TARGET, { reply: true, timeout: 10_000 });
    expect(setup.content.status).toBe("ok");
    const received: Array<Record<string, unknown>> = [];
    let notify: () => void = () => undefined;
    const comm = kc.comms.createComm("echo_target", { data: { hi: "😀" } });
    comm.onMsg((msg) => {
      received.push(msg.content.data);
      notify();
    });
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} comm messages: ${JSON.stringify(received)}`)), 10_000);
        notify = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
    await until(1);
    expect(received[0]).toEqual({ opened: { hi: "😀" } });
    comm.send({ x: 1 });
    await until(2);
    expect(received[1]).toEqual({ echo: { x: 1 } });

    const info = await kc.commInfo({ targetName: "echo_target", reply: true, timeout: 10_000 });
    expect(info.content).toMatchObject({ status: "ok", comms: { [comm.commId]: { target_name: "echo_target" } } });
    comm.close();
    // The comm messages went to kc.comms, not to the iopub pull queue (the
    // kernel's busy/idle for our comm_open and comm_msg are there).
    const queued: string[] = [];
    for (;;) {
      const msg = await kc.getIopubMsg({ timeout: 200 }).catch(() => undefined);
      if (!msg) break;
      queued.push(msg.msg_type);
    }
    expect(queued).toContain("status");
    expect(queued.filter((t) => t.startsWith("comm_"))).toEqual([]);
  });

  it("a comm the kernel opens reaches the target registered here", async () => {
    const opened = new Promise<{ data: unknown; first: unknown }>((resolve) => {
      kc.comms.registerTarget("client_target", (comm, openMsg: JupyterMessage<"comm_open">) => {
        comm.onMsg((msg) => resolve({ data: openMsg.content.data, first: msg.content.data }));
      });
    });
    const reply = await kc.execute(
      "from ipykernel.comm import Comm\nc = Comm(target_name='client_target', data={'hello': 1})\nc.send({'n': 2})",
      { reply: true, timeout: 10_000 },
    );
    expect(reply.content.status).toBe("ok");
    expect(await opened).toEqual({ data: { hello: 1 }, first: { n: 2 } });
  });
  it("buffers travel both ways, and either side can close", async () => {
    const setup = await kc.execute(
      [
        "_closed = []",
        "def _bufs(comm, open_msg):",
        "    @comm.on_msg",
        "    def _reply(msg):",
        "        if msg['content']['data'].get('close'):",
        "            comm.close({'bye': True})",
        "        else:",
        "            comm.send({'sizes': [len(b) for b in msg['buffers']]}, buffers=[bytes(b)[::-1] for b in msg['buffers']])",
        "    @comm.on_close",
        "    def _gone(msg):",
        "        _closed.append(msg['content']['comm_id'])",
        "get_ipython().kernel.comm_manager.register_target('buffer_target', _bufs)",
      ].join("\n"),
      { reply: true, timeout: 10_000 },
    );
    expect(setup.content.status).toBe("ok");
    const next = (comm: ReturnType<typeof kc.comms.createComm>) =>
      new Promise<JupyterMessage<"comm_msg">>((resolve) => {
        const off = comm.onMsg((msg) => {
          off();
          resolve(msg);
        });
      });

    // Buffers out and back: a view into a bigger buffer keeps exactly its bytes.
    const first = kc.comms.createComm("buffer_target");
    const pool = new Uint8Array(64).map((_, i) => i);
    const answer = next(first);
    first.send({ go: 1 }, { buffers: [pool.subarray(10, 14), new Uint8Array([255])] });
    const msg = await answer;
    expect(msg.content.data).toEqual({ sizes: [4, 1] });
    expect(msg.buffers?.map((b) => [...b])).toEqual([[13, 12, 11, 10], [255]]);

    // Closed from here: the kernel's on_close runs.
    first.close();
    const closedHere = await kc.execute("print(_closed)", { handle: true, timeout: 10_000 });
    let printed = "";
    for await (const out of closedHere) if (out.msg_type === "stream") printed += (out.content as { text: string }).text;
    expect(printed).toContain(first.commId);

    // Closed by the kernel: onClose fires here with its data, and the comm is gone.
    const second = kc.comms.createComm("buffer_target");
    const closedThere = new Promise<unknown>((resolve) => second.onClose((m) => resolve(m?.content.data)));
    second.send({ close: true });
    expect(await closedThere).toEqual({ bye: true });
    expect(second.isClosed).toBe(true);
    expect(kc.comms.getComm(second.commId)).toBeUndefined();
  });

  it("message hooks see every message, and a throwing hook breaks nothing", async () => {
    const seen: string[] = [];
    const off = kc.on("message", (channel, msg) => seen.push(`${channel}:${msg.msg_type}`));
    const offBad = kc.on("message", () => {
      throw new Error("hook failure");
    });
    try {
      const reply = await kc.kernelInfo({ reply: true, timeout: 10_000 });
      expect(reply.msg_type).toBe("kernel_info_reply");
      expect(seen).toContain("shell:kernel_info_reply");
    } finally {
      off();
      offBad();
    }
  });
});
