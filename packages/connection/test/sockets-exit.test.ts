// Closed sockets must not keep Node alive: a separate Node process connects
// every channel (to a peer that answers, and to one that is not there, with
// a message still queued), closes them and must exit on its own, within the
// 1 s linger that bounds an undeliverable message.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";

const run = promisify(execFile);

describe("sockets and process exit", () => {
  it("Node exits on its own once the channel sockets are closed", async () => {
    const packageDir = resolve(import.meta.dirname, "..");
    // Inside the package, so that the bundle finds zeromq (left external: it is native).
    await mkdir(join(packageDir, "node_modules", ".cache"), { recursive: true });
    const dir = await mkdtemp(join(packageDir, "node_modules", ".cache", "exit-test-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bundle = join(dir, "connection.mjs");
    await run(join(packageDir, "node_modules/.bin/esbuild"), [
      join(packageDir, "src/index.ts"), "--bundle", "--platform=node", "--format=esm", "--conditions=@jupyter-ts/source",
      "--external:zeromq", `--outfile=${bundle}`, "--log-level=warning",
    ], { cwd: packageDir });
    const script = join(dir, "close.mjs");
    await writeFile(script, [
      `import { Router } from "zeromq";`,
      `import { ConnectionFileMixin, LocalPortCache } from ${JSON.stringify(bundle)};`,
      `const router = new Router({ linger: 0 });`,
      `await router.bind("tcp://127.0.0.1:0");`,
      `const port = Number(router.lastEndpoint.split(":").pop());`,
      `const nowhere = await LocalPortCache.instance().findAvailablePort("127.0.0.1");`,
      `const conn = new ConnectionFileMixin({ shellPort: port, iopubPort: nowhere, stdinPort: nowhere, hbPort: nowhere, controlPort: nowhere });`,
      `const shell = conn.connectShell();`,
      `await conn.session.send(shell, "kernel_info_request");`,
      `const [ident] = await router.receive();`,
      `const others = [conn.connectIopub(), conn.connectStdin(), conn.connectHb(), conn.connectControl()];`,
      `await conn.session.send(others[1], "input_reply", { content: { value: "never delivered" } });`,
      `for (const s of [shell, ...others, router]) s.close();`,
      `console.log(Buffer.from(ident).toString());`,
    ].join("\n"));
    const started = Date.now();
    const { stdout } = await run(process.execPath, [script], { timeout: 15_000 });
    const elapsed = Date.now() - started;
    expect(stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(elapsed).toBeLessThan(5_000);
  });
});
