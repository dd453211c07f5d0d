// The kernel runs as `node dist/main.js`, as its kernelspec starts it, with
// its workspace dependencies from their dist too: build them all before the
// tests. turbo caches builds, so this is instant when nothing changed, and it
// makes a fresh clone's `npm test` work without a build first.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export default function setup(): void {
  const turbo = join(root, "node_modules", ".bin", process.platform === "win32" ? "turbo.cmd" : "turbo");
  const result = spawnSync(turbo, ["run", "build", "--filter=@jupyter-ts/node-kernel...", "--output-logs=errors-only"], {
    cwd: root,
    encoding: "utf8",
    timeout: 600_000,
  });
  if (result.status !== 0) {
    throw new Error(`building @jupyter-ts/node-kernel and its dependencies failed (run \`pnpm turbo run build --filter=@jupyter-ts/node-kernel...\`):\n${result.stdout}\n${result.stderr}${result.error ? `\n${String(result.error)}` : ""}`);
  }
}
