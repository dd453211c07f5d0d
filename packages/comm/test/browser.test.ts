/**
 * The browser-safety proof: bundle `src/index.ts` for the browser with
 * esbuild; no Node built-in may be pulled in, directly or through a
 * dependency. Then run the bundle with no Node globals in sight.
 */
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { bundleForBrowser, type BuiltinImport } from "@jupyter-ts/testing";

const ENTRY = fileURLToPath(new URL("../src/index.ts", import.meta.url));
async function bundle(entry: string | { contents: string; resolveDir: string } = ENTRY): Promise<{ code: string; builtins: BuiltinImport[] }> {
  const result = await bundleForBrowser(entry, { globalName: "JupyterComm" });
  expect(result.errors).toEqual([]);
  return result;
}

describe("browser safety", () => {
  it("bundles for the browser with no Node built-ins", async () => {
    const { code, builtins } = await bundle();
    expect(builtins, `Node built-ins reached from src/index.ts: ${JSON.stringify(builtins)}`).toEqual([]);
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\brequire\(["']/);
    expect(code).not.toMatch(/\bBuffer\b/);
  });

  it("runs in a context without process, Buffer or require: two managers back to back", async () => {
    const { code } = await bundle();
    const script = `${code}
      var C = JupyterComm;
      var out = { hasProcess: typeof process !== "undefined", hasBuffer: typeof Buffer !== "undefined", hasRequire: typeof require !== "undefined" };
      var seq = 0;
      function wire(deliver) {
        return { send: function (type, content, options) {
          var msg = { header: { msg_id: "m" + (++seq), msg_type: type, username: "u", session: "s", date: "", version: "5.5" },
                      parent_header: {}, metadata: (options && options.metadata) || {}, content: content, buffers: (options && options.buffers) || [] };
          deliver(msg);
        } };
      }
      var kernel, client;
      var logs = [];
      var logger = { error: function (m) { logs.push(m); }, warn: function (m) { logs.push(m); } };
      kernel = new C.CommManager(wire(function (m) { client.handleMessage(m); }), { logger: logger });
      client = new C.CommManager(wire(function (m) { kernel.handleMessage(m); }), { logger: logger });
      var got = [];
      kernel.registerTarget("echo", function (comm) { comm.onMsg(function (m) { comm.send(m.content.data, { buffers: m.buffers }); }); });
      var bytes = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4);
      var comm = client.createComm("echo");
      comm.onMsg(function (m) { got.push({ data: m.content.data, same: m.buffers[0] === bytes }); });
      comm.send({ x: 1 }, { buffers: [bytes] });
      comm.close();
      try { comm.send({}); } catch (e) { out.closedError = { name: e.name, code: e.code }; }
      out.got = got;
      out.logs = logs;
      out.left = [client.comms.size, kernel.comms.size];
      out.exports = Object.keys(C).sort();
      out;
    `;
    // What a browser page has: Web Crypto (uuid needs getRandomValues), timers, console.
    const context = { Uint8Array, Promise, setTimeout, console, crypto: globalThis.crypto };
    const out = runInNewContext(script, context) as Record<string, unknown>;
    expect(out).toEqual({
      hasProcess: false,
      hasBuffer: false,
      hasRequire: false,
      got: [{ data: { x: 1 }, same: true }],
      closedError: { name: "CommClosedError", code: "ERR_COMM_CLOSED" },
      logs: [],
      left: [0, 0],
      exports: ["Comm", "CommClosedError", "CommError", "CommManager"],
    });
  });
});
