import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { echoSpec, run, sandbox, type Sandbox } from "./helpers.js";

describe("jupyter-ts kernelspec", () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(() => box.close());

  it("lists kernelspecs as a table and as JSON", async () => {
    await box.addSpec("echo", echoSpec("Echo"));
    await box.addSpec("Upper_Case", echoSpec("Upper"));
    const table = await run(["kernelspec", "list"], box.env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Available kernels:\n/);
    expect(table.stdout).toMatch(new RegExp(`  echo\\s+${join(box.share, "kernels", "echo")}`));
    expect(table.stdout).toContain("upper_case");
    const json = await run(["kernelspec", "list", "--json"], box.env);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.kernelspecs.echo).toEqual({
      resource_dir: join(box.share, "kernels", "echo"),
      spec: expect.objectContaining({ argv: echoSpec("Echo").argv, display_name: "Echo", language: "shell", env: {}, interrupt_mode: "signal", metadata: {} }),
    });
  });

  it("skips a broken kernel.json in listings with a warning", async () => {
    await box.addSpec("good", echoSpec("Good"));
    await box.addSpec("broken", "{ not json");
    const out = await run(["kernelspec", "list", "--json"], box.env);
    expect(out.code).toBe(0);
    expect(Object.keys(JSON.parse(out.stdout).kernelspecs)).toContain("good");
    expect(Object.keys(JSON.parse(out.stdout).kernelspecs)).not.toContain("broken");
    expect(out.stderr).toContain("broken");
  });

  it("--missing lists only kernelspecs whose program is not there", async () => {
    await box.addSpec("here", echoSpec("Here"));
    await box.addSpec("gone", { ...echoSpec("Gone"), argv: ["/nonexistent/python9", "-f", "{connection_file}"] });
    await box.addSpec("onpath", { ...echoSpec("On PATH"), argv: ["sh", "-c", "true"] });
    const out = await run(["kernelspec", "list", "--missing", "--json"], box.env);
    expect(Object.keys(JSON.parse(out.stdout).kernelspecs)).toEqual(["gone"]);
  });

  it("installs, refuses to overwrite without --replace, and removes", async () => {
    const source = join(box.root, "src", "mykernel");
    await mkdir(source, { recursive: true });
    await writeFile(join(source, "kernel.json"), JSON.stringify(echoSpec("Mine")));
    await writeFile(join(source, "logo-64x64.png"), "png");
    const prefix = join(box.root, "prefix");
    const installed = await run(["kernelspec", "install", source, "--prefix", prefix, "--name", "Mine"], box.env);
    expect(installed.code).toBe(0);
    const dest = join(prefix, "share", "jupyter", "kernels", "mine");
    expect(existsSync(join(dest, "logo-64x64.png"))).toBe(true);
    expect(installed.stderr).toContain(dest);

    const user = await run(["kernelspec", "install", source, "--user"], box.env);
    expect(user.code).toBe(0);
    const userDest = join(box.root, "data", "kernels", "mykernel");
    expect(existsSync(join(userDest, "kernel.json"))).toBe(true);
    // As in jupyter_client, installing again replaces (--replace is accepted for compatibility).
    await writeFile(join(source, "kernel.json"), JSON.stringify(echoSpec("Mine, v2")));
    expect((await run(["kernelspec", "install", source, "--user"], box.env)).code).toBe(0);
    expect((await run(["kernelspec", "list", "--json"], box.env)).stdout).toContain("Mine, v2");
    expect((await run(["kernelspec", "install", source, "--user", "--replace"], box.env)).code).toBe(0);

    const both = await run(["kernelspec", "install", source, "--user", "--prefix", prefix], box.env);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--user and --prefix/);

    const removed = await run(["kernelspec", "remove", "mykernel", "-f"], box.env);
    expect(removed.code).toBe(0);
    expect(existsSync(userDest)).toBe(false);
  });

  it("remove names the unknown kernelspec and lists the known ones, exit 1", async () => {
    await box.addSpec("echo", echoSpec("Echo"));
    const out = await run(["kernelspec", "remove", "pyhton3", "-f"], box.env);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/pyhton3/);
    expect(out.stderr).toMatch(/installed: .*echo/);
  });

  it("remove asks first, and refuses without a terminal unless -f", async () => {
    const dir = await box.addSpec("echo", echoSpec("Echo"));
    const noTty = await run(["kernelspec", "remove", "echo"], box.env);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/-f/);
    const no = await run(["kernelspec", "remove", "echo"], box.env, { isTTY: true, input: "n\n" });
    expect(no.code).toBe(0);
    expect(existsSync(dir)).toBe(true);
    const yes = await run(["kernelspec", "remove", "echo"], box.env, { isTTY: true, input: "y\n" });
    expect(yes.code).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it("bad input gets a clear message and a non-zero exit", async () => {
    expect((await run(["kernelspec", "install"], box.env)).stderr).toMatch(/no source directory/);
    expect((await run(["kernelspec", "frobnicate"], box.env)).code).toBe(1);
    expect((await run(["kernelspec", "list", "--jsn"], box.env)).stderr).toMatch(/--jsn/);
    expect((await run(["nope"], box.env)).code).toBe(1);
    const missingDir = await run(["kernelspec", "install", join(box.root, "nowhere")], box.env);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toContain("nowhere");
    expect((await run(["--help"], box.env)).code).toBe(0);
  });
});
