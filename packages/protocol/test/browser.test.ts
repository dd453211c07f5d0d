/**
 * The browser-safety proof: bundle `src/index.ts` for the browser with
 * esbuild (no Node built-ins may be pulled in), then run the bundle in
 * headless Chromium, outside Node, and check what it computed there.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bundleForBrowser, type BuiltinImport } from "@jupyter-ts/testing";
import { V1_KERNEL_WEBSOCKET_PROTOCOL, serializeWebSocketMessage, type OutgoingWebSocketMessage } from "../src/websocket.js";

const ENTRY = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI);
const CHROMIUM_TIMEOUT_MS = 60_000;
const INSTALL_HINT = "install it with `apt-get install -y chromium` (Debian/Ubuntu; provides /usr/bin/chromium)";

if (!HAS_CHROMIUM && !IN_CI) {
  console.warn(`[browser.test] ${CHROMIUM} not found: skipping the headless Chromium run; ${INSTALL_HINT}.`);
}

async function bundle(entry: string | { contents: string; resolveDir: string } = ENTRY): Promise<{ code: string; builtins: BuiltinImport[] }> {
  const result = await bundleForBrowser(entry, { globalName: "JupyterProtocol" });
  expect(result.errors).toEqual([]);
  return result;
}

/** The script the page runs against `window.JupyterProtocol`; it writes its findings into #result. */
const PAGE_SCRIPT = String.raw`
(function () {
  var out = { ok: false };
  try {
    var P = window.JupyterProtocol;
    out.env = {
      hasProcess: typeof process !== "undefined",
      hasBuffer: typeof Buffer !== "undefined",
      hasRequire: typeof require !== "undefined",
      userAgent: navigator.userAgent,
    };
    out.exports = Object.keys(P).sort();
    out.protocolVersion = P.PROTOCOL_VERSION;
    out.newId = P.newId();
    var header = P.msgHeader("comm_msg", { session: "browser-session", username: "chromium" });
    out.header = header;

    var pool = new Uint8Array(256);
    for (var i = 0; i < pool.length; i++) pool[i] = i;
    var msg = {
      channel: "iopub",
      header: header,
      parent_header: {},
      metadata: { origin: "browser" },
      content: { comm_id: "comm-1", data: { text: "ünïcödé 🎉" } },
      buffers: [pool.subarray(10, 20), new Float64Array([1.5, -2, Math.PI]), new DataView(pool.buffer, 200, 5)],
    };
    out.validatedInput = P.validateMessage(msg).header.msg_id === header.msg_id;

    out.formats = {};
    [["legacy", ""], ["v1", P.V1_KERNEL_WEBSOCKET_PROTOCOL]].forEach(function (pair) {
      var frame = P.serializeWebSocketMessage(msg, pair[1]);
      // Receive it as a WebSocket with binaryType "arraybuffer" would.
      var back = P.deserializeWebSocketMessage(frame.buffer, pair[1]);
      var valid = P.validateMessage(back, { channel: back.channel });
      out.formats[pair[0]] = {
        frameTag: Object.prototype.toString.call(frame),
        frameBytes: frame.byteLength,
        exactlySized: frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength,
        frameHex: Array.from(frame, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join(""),
        channel: back.channel,
        msgId: back.header.msg_id,
        content: back.content,
        metadata: back.metadata,
        buffers: back.buffers.map(function (b) { return Array.from(b); }),
        buffersAreViews: back.buffers.every(function (b) { return b instanceof Uint8Array && b.buffer === frame.buffer; }),
        validated: valid === back,
      };
    });

    var text = P.serializeWebSocketMessage({ channel: "shell", header: header, parent_header: {}, metadata: {}, content: {} }, "");
    out.legacyText = { type: typeof text, channel: P.deserializeWebSocketMessage(text, "").channel };

    try {
      P.deserializeWebSocketMessage(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 8]), "");
      out.malformed = "no error";
    } catch (e) {
      out.malformed = { name: e.name, code: e.code, isWireFormatError: e instanceof P.WireFormatError, message: e.message };
    }
    out.ok = true;
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  document.getElementById("result").textContent = encodeURIComponent(JSON.stringify(out));
})();
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>jupyter-ts protocol in the browser</title></head>
<body><pre id="result">not run</pre>
<script src="bundle.js"></script>
<script src="page.js"></script>
</body></html>
`;

interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/** Runs Chromium in its own process group and kills the whole group when done or on timeout. */
function runChromium(args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      killGroup();
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      killGroup(); // helpers (zygote, GPU, crashpad) that outlived the browser process
      resolve({ stdout, stderr, code, timedOut });
    });
  });
}

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("browser safety", () => {
  it("bundles for the browser with no Node built-ins", async () => {
    const { code, builtins } = await bundle();
    expect(builtins, `Node built-ins reached from src/index.ts: ${JSON.stringify(builtins)}`).toEqual([]);
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\brequire\(["']/);
  });

  it("the built-in guard itself notices node: and bare built-in imports", async () => {
    const { builtins } = await bundle({ contents: 'import "node:fs"; import "path"; import "fs/promises";', resolveDir: fileURLToPath(new URL(".", import.meta.url)) });
    expect(builtins.map((b) => b.path)).toEqual(["node:fs", "path", "fs/promises"]);
  });

  if (!HAS_CHROMIUM && IN_CI) {
    it("runs in headless Chromium", () => {
      expect.fail(`${CHROMIUM} is missing on CI: ${INSTALL_HINT}`);
    });
    return;
  }

  it.skipIf(!HAS_CHROMIUM)(
    "runs in headless Chromium: headers, both WebSocket formats with view buffers, validation",
    async () => {
      const { code, builtins } = await bundle();
      expect(builtins).toEqual([]);

      const pageDir = await mkdtemp(join(tmpdir(), "jts-browser-page-"));
      const profileDir = await mkdtemp(join(tmpdir(), "jts-browser-profile-"));
      tempDirs.push(pageDir, profileDir);
      await writeFile(join(pageDir, "bundle.js"), code);
      await writeFile(join(pageDir, "page.js"), PAGE_SCRIPT);
      await writeFile(join(pageDir, "index.html"), PAGE_HTML);

      const run = await runChromium(
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          `--user-data-dir=${profileDir}`,
          "--dump-dom",
          pathToFileURL(join(pageDir, "index.html")).href,
        ],
        CHROMIUM_TIMEOUT_MS,
      );
      expect(run.timedOut, `Chromium did not finish in ${CHROMIUM_TIMEOUT_MS} ms; stderr:\n${run.stderr}`).toBe(false);
      const match = /<pre id="result">([^<]*)<\/pre>/.exec(run.stdout);
      expect(match, `no #result in the dumped DOM (exit ${run.code}); stdout:\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr.slice(0, 2000)}`).not.toBeNull();
      const out = JSON.parse(decodeURIComponent(match?.[1] ?? "")) as PageResult;

      expect(out.error).toBeUndefined();
      expect(out.ok).toBe(true);
      // Really a browser, not Node.
      expect(out.env).toMatchObject({ hasProcess: false, hasBuffer: false, hasRequire: false });
      expect(out.env.userAgent).toMatch(/Chrome/);
      expect(out.exports).toEqual(
        expect.arrayContaining([
          "msgHeader",
          "newId",
          "PROTOCOL_VERSION",
          "validateMessage",
          "serializeWebSocketMessage",
          "deserializeWebSocketMessage",
          "V1_KERNEL_WEBSOCKET_PROTOCOL",
          "WireFormatError",
        ]),
      );
      expect(out.newId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(out.header).toMatchObject({ msg_type: "comm_msg", session: "browser-session", username: "chromium" });
      expect(out.header.version).toBe(out.protocolVersion);
      expect(out.validatedInput).toBe(true);

      // The same message serialized here, in Node, must give the same bytes.
      const pool = Uint8Array.from({ length: 256 }, (_, i) => i);
      const f64 = new Float64Array([1.5, -2, Math.PI]);
      const expectedBuffers = [
        Array.from(pool.subarray(10, 20)),
        Array.from(new Uint8Array(f64.buffer)),
        Array.from(pool.subarray(200, 205)),
      ];
      const nodeMsg: OutgoingWebSocketMessage = {
        channel: "iopub",
        header: out.header,
        parent_header: {},
        metadata: { origin: "browser" },
        content: { comm_id: "comm-1", data: { text: "ünïcödé 🎉" } },
        buffers: [pool.subarray(10, 20), f64, new DataView(pool.buffer, 200, 5)],
      };
      for (const [name, protocol] of [["legacy", ""], ["v1", V1_KERNEL_WEBSOCKET_PROTOCOL]] as const) {
        const got = out.formats[name];
        expect(got, name).toBeDefined();
        if (got === undefined) continue;
        expect(got.frameTag).toBe("[object Uint8Array]");
        expect(got.exactlySized).toBe(true);
        expect(got.channel).toBe("iopub");
        expect(got.msgId).toBe(out.header.msg_id);
        expect(got.content).toEqual({ comm_id: "comm-1", data: { text: "ünïcödé 🎉" } });
        expect(got.metadata).toEqual({ origin: "browser" });
        expect(got.buffers).toEqual(expectedBuffers);
        expect(got.buffersAreViews).toBe(true);
        expect(got.validated).toBe(true);
        const nodeFrame = serializeWebSocketMessage(nodeMsg, protocol) as Uint8Array;
        expect(got.frameBytes).toBe(nodeFrame.byteLength);
        expect(got.frameHex).toBe(Array.from(nodeFrame, (b) => b.toString(16).padStart(2, "0")).join(""));
      }
      expect(out.legacyText).toEqual({ type: "string", channel: "shell" });
      expect(out.malformed).toMatchObject({ name: "WireFormatError", code: "ERR_WIRE_FORMAT", isWireFormatError: true });
    },
    CHROMIUM_TIMEOUT_MS + 30_000,
  );
});

interface PageFormatResult {
  frameTag: string;
  frameBytes: number;
  exactlySized: boolean;
  frameHex: string;
  channel: string;
  msgId: string;
  content: unknown;
  metadata: unknown;
  buffers: number[][];
  buffersAreViews: boolean;
  validated: boolean;
}

interface PageResult {
  ok: boolean;
  error?: string;
  env: { hasProcess: boolean; hasBuffer: boolean; hasRequire: boolean; userAgent: string };
  exports: string[];
  protocolVersion: string;
  newId: string;
  header: OutgoingWebSocketMessage["header"];
  validatedInput: boolean;
  formats: Partial<Record<"legacy" | "v1", PageFormatResult>>;
  legacyText: unknown;
  malformed: unknown;
}
