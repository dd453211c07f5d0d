// `jupyter-ts kernelspec list --json` prints what `jupyter kernelspec list
// --json` prints, on the same JUPYTER_PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirePeer } from "@jupyter-ts/testing";
import { echoSpec, run, sandbox, type Sandbox } from "../helpers.js";

const jupyter = requirePeer(existsSync("/usr/bin/jupyter") ? "/usr/bin/jupyter" : undefined, "the jupyter command (jupyter-core, jupyter-client)", "apt-get install jupyter-core jupyter-client");

describe.skipIf(!jupyter)("kernelspec list --json against jupyter kernelspec list --json", () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = await sandbox();
    await box.addSpec("echo", echoSpec("Echo"));
    await box.addSpec("Mixed-Case", echoSpec("Mixed Case", { interrupt_mode: "message", env: { A: "1", B: "${A}" }, metadata: { debugger: false, x: [1, "é"] } }));
    await box.addSpec("broken", "{ this is not json");
    await box.addSpec("userkernel", echoSpec("In the user dir"), `${box.env["JUPYTER_DATA_DIR"]}/kernels`);
    // Same name in the user dir and JUPYTER_PATH: JUPYTER_PATH comes first on both sides.
    await box.addSpec("echo", echoSpec("User echo"), `${box.env["JUPYTER_DATA_DIR"]}/kernels`);
  });
  afterAll(() => box?.close());

  it("prints the same kernelspecs, skipping the broken one", async () => {
    const py = spawnSync(jupyter!, ["kernelspec", "list", "--json"], { env: box.env, encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    const ours = await run(["kernelspec", "list", "--json"], box.env);
    expect(ours.code).toBe(0);
    const expected = JSON.parse(py.stdout);
    expect(JSON.parse(ours.stdout)).toEqual(expected);
    expect(Object.keys(expected.kernelspecs)).toEqual(expect.arrayContaining(["echo", "mixed-case", "userkernel"]));
    expect(expected.kernelspecs.echo.spec.display_name).toBe("Echo");
  });

  it("prints the same table", async () => {
    const py = spawnSync(jupyter!, ["kernelspec", "list"], { env: box.env, encoding: "utf8" });
    const ours = await run(["kernelspec", "list"], box.env);
    expect(ours.stdout).toBe(py.stdout);
  });
});
