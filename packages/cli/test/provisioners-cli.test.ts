import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { kernelspecCommand } from "../src/commands/kernelspec.js";
import { UsageError } from "../src/io.js";

/**
 * Runs `jupyter-ts kernelspec ...` in-process with captured output: the
 * command module itself, so this test does not depend on the rest of the CLI.
 */
async function run(argv: string[], env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  let code: number;
  try {
    code = await kernelspecCommand(argv.slice(1), { stdout, stderr, stdin: new PassThrough(), env });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err += `${error.message}\n`;
    code = error.exitCode;
  }
  return { code, stdout: out, stderr: err };
}

describe("jupyter-ts kernelspec provisioners", () => {
  // the command reads no environment; the package scan is all that matters
  const box = { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } };
  let app: string;
  beforeEach(async () => {
    app = await mkdtemp(join(tmpdir(), "jts-cli-app-"));
  });
  afterEach(async () => {
    await rm(app, { recursive: true, force: true });
  });

  async function addPackage(name: string, packageJson: string): Promise<void> {
    const dir = join(app, "node_modules", ...name.split("/"));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "package.json"), packageJson);
  }

  it("lists the built-in provisioner and those declared by packages in node_modules", async () => {
    await addPackage(
      "@acme/docker-provisioner",
      JSON.stringify({ name: "@acme/docker-provisioner", version: "2.0.1", "jupyter-ts": { provisioners: { "docker-provisioner": "./dist/docker.js" } } }),
    );
    await addPackage("left-pad", JSON.stringify({ name: "left-pad", version: "1.3.0" }));
    const result = await run(["kernelspec", "provisioners", "--search-from", app], box.env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Available kernel provisioners:\n" +
        "  docker-provisioner    @acme/docker-provisioner@2.0.1:./dist/docker.js\n" +
        "  local-provisioner     builtin\n",
    );
  });

  it("warns about a broken package.json on stderr and still lists the rest", async () => {
    await addPackage("broken", '{ "name": "broken", "jupyter-ts": {');
    const result = await run(["kernelspec", "provisioners", "--search-from", app], box.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Available kernel provisioners:\n  local-provisioner    builtin\n");
    expect(result.stderr).toContain(`[kernelspec] WARNING | ignoring ${join(app, "node_modules", "broken", "package.json")} while looking for kernel provisioners: not valid JSON`);
  });

  it("searches from the current directory by default", async () => {
    const result = await run(["kernelspec", "provisioners"], box.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Available kernel provisioners:\n/);
    expect(result.stdout).toMatch(/^ {2}local-provisioner +builtin$/m);
  });

  it("has help, and refuses stray arguments", async () => {
    const help = await run(["kernelspec", "provisioners", "--help"], box.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: jupyter-ts kernelspec provisioners [--search-from DIR]");
    const stray = await run(["kernelspec", "provisioners", "extra"], box.env);
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain("unexpected argument 'extra'");
  });
});
