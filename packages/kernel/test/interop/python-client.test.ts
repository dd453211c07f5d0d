// The real Python jupyter_client (BlockingKernelClient) against our kernel.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import { removeFixtureKernel, startEchoKernel, type KernelProcess } from "../helpers.js";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const python = requirePeer(findJupyterPython(), "Python with jupyter_client", "apt-get install python3-jupyter-client")?.python;

afterAll(removeFixtureKernel);

describe.skipIf(!python)("Python's jupyter_client against a jupyter-ts kernel", () => {
  let kernel: KernelProcess | undefined;
  afterAll(async () => {
    await kernel?.stop();
  });

  it("does kernel_info, execute, comms, input, interrupt of blocking code with a live heartbeat, subshells, shutdown", async () => {
    kernel = await startEchoKernel();
    const { stdout } = await run(python as string, [join(here, "python_client.py"), kernel.file], { timeout: 120_000 }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${error.message}\npython stderr: ${error.stderr}\nkernel stderr: ${kernel?.stderr()}`);
    });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen["kernel_info"]).toMatchObject({ status: "ok", protocol_version: "5.5", implementation: "echo", supported_features: ["kernel subshells"] });
    expect(seen["execute"]).toEqual({
      reply: { status: "ok", execution_count: 1, user_expressions: {}, payload: [] },
      streams: [{ name: "stdout", text: "hello from python" }],
    });
    expect(seen["comm"]).toEqual([{ opened: { x: 1 } }, { echo: { y: 2 } }]);
    expect(seen["comm_info"]).toMatchObject({ status: "ok" });
    expect(Object.values((seen["comm_info"] as { comms: object }).comms)).toEqual([{ target_name: "echo" }]);
    expect(seen["comm_info_after_close"]).toEqual({ status: "ok", comms: {} });
    expect(seen["input"]).toMatchObject({
      prompts: [{ prompt: "Who? ", password: false }],
      streams: [{ name: "stdout", text: "got Grace\n" }],
      reply: { status: "ok" },
    });
    expect(seen["beating_while_blocked"]).toEqual([true, true, true, true, true]);
    expect(seen["interrupt_reply"]).toEqual({ status: "ok" });
    expect(seen["busy_reply"]).toMatchObject({ status: "error" });
    expect(seen["after_interrupt"]).toMatchObject({ status: "ok" });
    expect(seen["create_subshell"]).toMatchObject({ status: "ok", subshell_id: expect.any(String) });
    expect(seen["shutdown_reply"]).toEqual({ status: "ok", restart: false });
    expect(await kernel.exited).toEqual({ code: 0, signal: null });
  }, 180_000);
});
