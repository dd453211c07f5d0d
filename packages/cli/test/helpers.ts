import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../src/index.js";

/** Runs `jupyter-ts` in-process with captured output. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, stdin?: { isTTY?: boolean; input?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (stdin?.isTTY) input.isTTY = true;
  if (stdin?.input !== undefined) input.end(stdin.input);
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await main(argv, { stdout, stderr, stdin: input, env });
  return { code, stdout: out, stderr: err };
}

export interface Sandbox {
  root: string;
  /** JUPYTER_PATH entry holding the fixture kernelspecs. */
  share: string;
  env: NodeJS.ProcessEnv;
  addSpec(name: string, json: unknown, dir?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A temporary Jupyter world: its own HOME, data dir and JUPYTER_PATH, so
 * the user's kernelspecs never leak into a test.
 */
export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), "jupyter-ts-cli-"));
  const share = join(root, "share", "jupyter");
  await mkdir(join(share, "kernels"), { recursive: true });
  await mkdir(join(root, "home"), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: join(root, "home"),
    JUPYTER_PATH: share,
    JUPYTER_DATA_DIR: join(root, "data"),
    JUPYTER_CONFIG_DIR: join(root, "config"),
    JUPYTER_RUNTIME_DIR: join(root, "runtime"),
    // Keep both sides from seeing the caller's environment prefix.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  return {
    root,
    share,
    env,
    async addSpec(name, json, dir = join(share, "kernels")) {
      const specDir = join(dir, name);
      await mkdir(specDir, { recursive: true });
      await writeFile(join(specDir, "kernel.json"), typeof json === "string" ? json : JSON.stringify(json, null, 1));
      return specDir;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

export const echoSpec = (displayName: string, extra: Record<string, unknown> = {}) => ({
  argv: ["/bin/echo", "-f", "{connection_file}"],
  display_name: displayName,
  language: "shell",
  ...extra,
});
