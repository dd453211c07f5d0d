// `jupyter-ts kernel`, `jupyter-ts run` and `jupyter-ts kernelspec install-node`,
// in-process, with the JavaScript kernel (always available: it ships with
// jupyter-ts), in a sandboxed Jupyter world.
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_KERNEL_DISPLAY_NAME } from "@jupyter-ts/node-kernel";
import { chooseKernel, kernelSpecManagerWithNode, main } from "../src/index.js";
import { run, sandbox, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeAll(async () => {
  box = await sandbox();
});
afterAll(() => box?.close());

const runtimeFiles = async (): Promise<string[]> =>
  existsSync(box.env["JUPYTER_RUNTIME_DIR"]!) ? (await readdir(box.env["JUPYTER_RUNTIME_DIR"]!)).filter((f) => f.endsWith(".json")) : [];

describe("kernelspec install-node", () => {
  it("installs the JavaScript kernel's kernelspec, started by this Node", async () => {
    const prefix = join(box.root, "prefix");
    const result = await run(["kernelspec", "install-node", "--prefix", prefix], box.env);
    expect(result.code, result.stderr).toBe(0);
    const dir = join(prefix, "share", "jupyter", "kernels", "node");
    expect(result.stderr).toContain(dir);
    const spec = JSON.parse(await readFile(join(dir, "kernel.json"), "utf8"));
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv.slice(-2)).toEqual(["-f", "{connection_file}"]);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.display_name).toBe(NODE_KERNEL_DISPLAY_NAME);
    expect(spec.language).toBe("javascript");
  });

  it("takes --name and --user", async () => {
    const result = await run(["kernelspec", "install-node", "--user", "--name", "js-test"], box.env);
    expect(result.code, result.stderr).toBe(0);
    const list = await run(["kernelspec", "list", "--json"], box.env);
    const specs = JSON.parse(list.stdout).kernelspecs;
    expect(specs["js-test"].resource_dir).toBe(join(box.env["JUPYTER_DATA_DIR"]!, "kernels", "js-test"));
    expect(specs["js-test"].spec.display_name).toBe(NODE_KERNEL_DISPLAY_NAME);
  });

  it("refuses --user with --prefix", async () => {
    const result = await run(["kernelspec", "install-node", "--user", "--prefix", "/tmp/x"], box.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--user and --prefix");
  });
});

describe("chooseKernel", () => {
  it("falls back to the JavaScript kernel when no Python kernel is there", async () => {
    const ksm = kernelSpecManagerWithNode({ kernelDirs: [join(box.root, "no-kernels-here")] });
    const choice = await chooseKernel(ksm, box.env);
    expect(choice.name).toBe("node");
    expect(choice.reason).toContain("JavaScript");
    expect(choice.spec.language).toBe("javascript");
  });

  it("skips a python3 kernelspec whose program does not exist", async () => {
    const dir = join(box.root, "broken-python");
    await box.addSpec("python3", { argv: ["/nonexistent/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], display_name: "Python 3", language: "python" }, dir);
    const choice = await chooseKernel(kernelSpecManagerWithNode({ kernelDirs: [dir] }), box.env);
    expect(choice.name).toBe("node");
  });
});

describe("run", () => {
  it("runs files in a new kernel and prints streams and results", async () => {
    const file = join(box.root, "hello.js");
    await writeFile(file, 'console.log("hello from a file"); console.error("to stderr"); 6 * 7');
    const result = await run(["run", "--kernel", "node", file], box.env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("hello from a file\n");
    expect(result.stdout).toContain("42\n");
    expect(result.stderr).toContain("to stderr");
    expect(await runtimeFiles()).toEqual([]);
  });

  it("keeps state across files and stops at the first error with exit 1", async () => {
    const a = join(box.root, "a.js");
    const b = join(box.root, "b.js");
    const c = join(box.root, "c.js");
    await writeFile(a, "let total = 40");
    await writeFile(b, "total += 2; throw new RangeError(`bad total ${total}`)");
    await writeFile(c, 'console.log("never runs")');
    const result = await run(["run", "--kernel", "node", a, b, c], box.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RangeError");
    expect(result.stderr).toContain("bad total 42");
    expect(result.stderr).toContain(`error running '${b}'`);
    expect(result.stdout).not.toContain("never runs");
    expect(await runtimeFiles()).toEqual([]);
  });

  it("reads code from stdin", async () => {
    const result = await run(["run", "--kernel", "node"], box.env, { input: "[1, 2, 3].map((x) => x * 2)\n" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("[ 2, 4, 6 ]");
  });

  it("names a missing file before starting anything", async () => {
    const result = await run(["run", "--kernel", "node", join(box.root, "missing.js")], box.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing.js");
    expect(result.stderr).toContain("ENOENT");
  });

  it("names an unknown kernel and the installed ones", async () => {
    const result = await run(["run", "--kernel", "no-such-kernel"], box.env, { input: "1" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'no-such-kernel' not found");
    expect(result.stderr).toContain("node");
  });
});

describe("kernel", () => {
  it("starts a kernel, prints how to connect, runs code for `run --existing`, shuts down on stop", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (d) => (err += d));
    const stop = new AbortController();
    const stdin = new PassThrough();
    const exit = main(["kernel", "--kernel", "node"], { stdout, stderr, stdin, env: box.env, signal: stop.signal });
    const connectLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection line in 60 s: ${err}`)), 60_000);
      stderr.on("data", () => {
        const match = /--existing (kernel-[\w-]+\.json)/.exec(err);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(err).toContain("Connection file: ");
    const file = join(box.env["JUPYTER_RUNTIME_DIR"]!, connectLine);
    expect(existsSync(file)).toBe(true);

    const first = await run(["run", "--existing", connectLine], box.env, { input: "globalThis.kept = 'still here'; 1 + 1" });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("2");
    // --existing leaves the kernel running: its state is there for the next client.
    const second = await run(["run", "--existing", file], box.env, { input: "kept" });
    expect(second.stdout).toContain("still here");

    stop.abort();
    expect(await exit).toBe(0);
    expect(err).toContain("Shutting down kernel 'node'");
    expect(existsSync(file)).toBe(false);
  });
});
