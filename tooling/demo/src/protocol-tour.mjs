#!/usr/bin/env node
// A tour of the wire, without a kernel: make a request, sign and serialize
// it into ZeroMQ frames, send it over a real DEALER/ROUTER pair, read and
// verify it on the other side, answer it, and show what a tampered or
// replayed message gets; then both WebSocket formats and the v4 adapter.
// `pnpm demo:protocol` runs it.
import {
  V1_KERNEL_WEBSOCKET_PROTOCOL,
  adapt,
  deserializeWebSocketMessage,
  serializeWebSocketMessage,
  validateMessage,
} from "@jupyter-ts/protocol";
import { Session } from "@jupyter-ts/session";
import { Dealer, Router } from "zeromq";

const key = "demo-key-0b6f2e8c";
const show = (label, value) => console.log(`${label.padEnd(32)} ${typeof value === "string" ? value : JSON.stringify(value)}`);
const shortFrame = (f) => {
  const text = Buffer.from(f).toString("utf8");
  return text.length > 72 ? `${text.slice(0, 69)}...` : text;
};

const client = new Session({ key, username: "demo" });
const kernel = new Session({ key, username: "kernel" });

console.log("== 1. make and sign a message ==");
const request = client.msg("execute_request", {
  content: { code: "print('hello, 🌍')", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
  buffers: [new Uint8Array([1, 2, 3])],
});
validateMessage(request, { channel: "shell" });
show("msg_type", request.header.msg_type);
show("msg_id", request.header.msg_id);
const frames = client.serialize(request, { ident: "client-1" });
console.log("frames (ident, <IDS|MSG>, signature, header, parent, metadata, content, buffers):");
frames.forEach((f, i) =>
  console.log(`  [${i}] ${i < frames.length - request.buffers.length ? shortFrame(f) : `<${f.byteLength} bytes: ${Buffer.from(f).toString("hex")}>`}`),
);

console.log("\n== 2. send it over ZeroMQ (DEALER -> ROUTER) and answer ==");
const router = new Router();
const dealer = new Dealer({ routingId: "client-1" });
await router.bind("tcp://127.0.0.1:*");
dealer.connect(router.lastEndpoint);
try {
  await client.send(dealer, request);
  const { idents, msg } = await kernel.recv(router);
  show("kernel got", `${msg.header.msg_type} from ${Buffer.from(idents[0]).toString()} (signature verified)`);
  show("code", msg.content.code);
  show("buffers", msg.buffers.map((b) => [...b]));
  await kernel.send(router, "execute_reply", {
    content: { status: "ok", execution_count: 1, user_expressions: {} },
    parent: msg,
    ident: idents,
  });
  const { msg: reply } = await client.recv(dealer);
  show("client got", `${reply.header.msg_type} (parent ${reply.parent_header.msg_id === request.header.msg_id ? "matches" : "DOES NOT MATCH"} the request)`);

  console.log("\n== 3. what bad messages get ==");
  const [, seen] = kernel.feedIdentities(client.serialize(client.msg("kernel_info_request")));
  kernel.deserialize(seen);
  const [, fresh] = kernel.feedIdentities(client.serialize(client.msg("execute_request", { content: request.content })));
  const otherKey = new Session({ key: "not-the-key" });
  for (const [label, bad] of [
    ["replayed", seen],
    ["tampered (code changed)", [...fresh.slice(0, 4), Buffer.from('{"code":"import os; os.remove(\'x\')"}')]],
    ["signed with another key", otherKey.feedIdentities(otherKey.serialize(otherKey.msg("kernel_info_request")))[1]],
    ["unsigned", [new Uint8Array(0), ...fresh.slice(1)]],
    ["too few frames", fresh.slice(0, 3)],
  ]) {
    try {
      kernel.deserialize(bad);
      show(label, "accepted (unexpected!)");
    } catch (error) {
      show(label, `${error.name} [${error.code}]`);
    }
  }

  console.log("\n== 4. WebSocket wire formats and the v4 adapter ==");
  const wsMsg = { ...request, channel: "shell" };
  const legacy = serializeWebSocketMessage(wsMsg);
  const v1 = serializeWebSocketMessage(wsMsg, V1_KERNEL_WEBSOCKET_PROTOCOL);
  show("legacy (JSON + binary)", `${legacy.byteLength ?? legacy.length} bytes, back: ${deserializeWebSocketMessage(legacy).header.msg_type}`);
  show(V1_KERNEL_WEBSOCKET_PROTOCOL, `${v1.byteLength} bytes, back: ${deserializeWebSocketMessage(v1, V1_KERNEL_WEBSOCKET_PROTOCOL).header.msg_type}`);
  const v4 = adapt(client.msg("execute_result", { content: { execution_count: 1, data: { "text/plain": "2" }, metadata: {} } }), 4);
  show("v5 execute_result as v4", v4.header.msg_type);
} finally {
  dealer.close();
  router.close();
}
console.log("\ndone: every message signed, sent, verified and answered.");
