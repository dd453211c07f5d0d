// Differential tests against the real jupyter_client.session.Session: what we
// serialize, Python deserializes (and the reverse), and both sides reject the
// same bad frames.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { b64, findJupyterPython, requirePeer, startPythonSessionPeer, type PythonSessionPeer } from "@jupyter-ts/testing";
import { parseDate, type JupyterMessage } from "@jupyter-ts/protocol";
import { Session, type Message } from "../../src/index.js";

// Python reads header dates into datetimes and the driver writes them back
// with microseconds: compare the instant, not the spelling.
const sameHeader = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  expect({ ...a, date: parseDate(String(a["date"])).getTime() }).toEqual({ ...b, date: parseDate(String(b["date"])).getTime() });
};

const python = requirePeer(
  findJupyterPython(),
  "Python with jupyter_client (Debian's /usr/bin/python3)",
  "apt-get install python3-jupyter-client python3-zmq",
);

const enc = (frames: Uint8Array[]): string[] => frames.map((f) => b64.encode(f));
const dec = (frames: string[]): Uint8Array[] => frames.map((f) => b64.decode(f));

const content = {
  code: "print('héllo 🌍')\nx = [1, 2, 3]",
  silent: false,
  store_history: true,
  user_expressions: { y: "1+1" },
  allow_stdin: true,
  stop_on_error: true,
};

const configs = [
  { scheme: "hmac-sha256", key: "a0436f6c-1916-498b-8eb9-e81ab9368e84" },
  { scheme: "hmac-sha512", key: "another key 🔑" },
  { scheme: "hmac-sha256", key: "" },
];

describe.skipIf(!python)("Session against Python's jupyter_client.session.Session", () => {
  let peer: PythonSessionPeer;
  let n = 0;
  beforeAll(() => {
    peer = startPythonSessionPeer(python!.python);
  });
  afterAll(() => peer?.close());

  async function pair(config: { scheme: string; key: string }) {
    const name = `s${n++}`;
    await peer.request("session", { name, key: b64.encode(Buffer.from(config.key)), scheme: config.scheme });
    const ours = new Session({ key: config.key, signatureScheme: config.scheme, username: "tester" });
    return { name, ours };
  }

  for (const config of configs) {
    const label = `${config.scheme}${config.key ? "" : ", no key"}`;

    it(`Python reads what we serialize (${label}, with buffers and idents)`, async () => {
      const { name, ours } = await pair(config);
      const big = new Uint8Array(4096).map((_, i) => i % 251);
      const view = big.subarray(100, 300);
      const parent = ours.msg("kernel_info_request");
      const msg = ours.msg("execute_request", { content, parent, metadata: { tag: "✓" }, buffers: [view, new Uint8Array(0)] });
      const frames = ours.serialize(msg, { ident: ["ident-1", new Uint8Array([0, 1, 2])] });
      const answer = await peer.request("deserialize", { name, frames: enc(frames) });
      expect(answer.error).toBeUndefined();
      sameHeader(answer.msg.header, { ...msg.header });
      expect(answer.msg.msg_type).toBe("execute_request");
      sameHeader(answer.msg.parent_header, { ...parent.header });
      expect(answer.msg.content).toEqual(content);
      expect(answer.msg.metadata).toEqual({ tag: "✓" });
      expect(dec(answer.msg.buffers)).toEqual([new Uint8Array(view), new Uint8Array(0)]);
      expect(dec(answer.idents)).toEqual([new Uint8Array(Buffer.from("ident-1")), new Uint8Array([0, 1, 2])]);
    });

    it(`we read what Python serializes (${label})`, async () => {
      const { name, ours } = await pair(config);
      const { msg: pyMsg } = await peer.request("msg", { name, msg_type: "execute_request", content });
      const buffers = [b64.encode(new Uint8Array([9, 8, 7]))];
      const { frames } = await peer.request("serialize", { name, msg: pyMsg, buffers, ident: [b64.encode(Buffer.from("zmq-id"))] });
      const [idents, rest] = ours.feedIdentities(dec(frames));
      expect(idents.map((i) => Buffer.from(i).toString())).toEqual(["zmq-id"]);
      const got: Message = ours.deserialize(rest);
      expect(got.header).toEqual(pyMsg.header);
      expect(got.header.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(got.content).toEqual(content);
      expect(got.buffers.map((b) => [...b])).toEqual([[9, 8, 7]]);
    });

    it(`signatures are identical (${label})`, async () => {
      const { name, ours } = await pair(config);
      const parts = [Buffer.from('{"a":1}'), Buffer.from("{}"), Buffer.from("{}"), Buffer.from('{"ü":"🌍"}')];
      const { signature } = await peer.request("sign", { name, parts: enc(parts) });
      expect(ours.sign(parts)).toBe(signature);
    });
  }

  it("both reject a tampered frame, an unsigned message, a wrong key and a short frame set", async () => {
    const { name, ours } = await pair(configs[0]!);
    const cases: Array<[string, Uint8Array[], string]> = [];
    const good = ours.serialize(ours.msg("execute_request", { content }));
    const tampered = [...good];
    tampered[5] = Buffer.from(JSON.stringify({ ...content, code: "import os; os.remove('x')" }));
    cases.push(["tampered content", tampered, "SignatureError"]);
    const unsigned = [...ours.serialize(ours.msg("kernel_info_request"))];
    unsigned[1] = new Uint8Array(0);
    cases.push(["unsigned", unsigned, "UnsignedMessageError"]);
    const other = new Session({ key: "not the key" });
    cases.push(["wrong key", other.serialize(other.msg("kernel_info_request")), "SignatureError"]);
    for (const [label, frames, ourClass] of cases) {
      const answer = await peer.request("deserialize", { name, frames: enc(frames) });
      expect(answer.error?.type, label).toBe("ValueError");
      const [, rest] = ours.feedIdentities(frames);
      expect(() => ours.deserialize(rest), label).toThrow(expect.objectContaining({ name: ourClass }));
    }
    // Python checks the signature of a short frame set first, then its length.
    const short = ours.serialize(ours.msg("kernel_info_request")).slice(0, 4);
    const answer = await peer.request("deserialize", { name, frames: enc(short) });
    expect(answer.error?.type).toMatch(/ValueError|TypeError/);
    expect(() => ours.deserialize(short.slice(1))).toThrow(expect.objectContaining({ name: "MalformedMessageError" }));
  });

  it("both reject a replayed message, and a peek (content: false) does not count as seen", async () => {
    const { name, ours } = await pair(configs[0]!);
    const sender = new Session({ key: configs[0]!.key });
    const frames = sender.serialize(sender.msg("execute_request", { content }));
    const [, rest] = ours.feedIdentities(frames);

    const peekPy = await peer.request("deserialize", { name, frames: enc(frames), content: false });
    expect(peekPy.error).toBeUndefined();
    const peek = ours.deserialize(rest, { content: false });
    expect(peek.content).toBeInstanceOf(Uint8Array);

    const firstPy = await peer.request("deserialize", { name, frames: enc(frames) });
    expect(firstPy.error).toBeUndefined();
    expect(ours.deserialize(rest).content).toEqual(content);

    const againPy = await peer.request("deserialize", { name, frames: enc(frames) });
    expect(againPy.error).toMatchObject({ type: "ValueError", message: expect.stringContaining("Duplicate Signature") });
    expect(() => ours.deserialize(rest)).toThrow(expect.objectContaining({ name: "ReplayError", code: "ERR_REPLAYED_MESSAGE" }));
  });

  it("Python's v4-adapted messages come back as v5 on both sides", async () => {
    const { name, ours } = await pair(configs[0]!);
    // A v4 peer: no version in the header, old type names and fields.
    const { version: _, ...header } = ours.msgHeader("pyout");
    const v4 = { header, parent_header: {}, metadata: {}, content: { execution_count: 1, data: { "text/plain": "2" }, metadata: {} } } as unknown as JupyterMessage;
    const frames = ours.serialize(v4);
    const py = await peer.request("deserialize", { name, frames: enc(frames) });
    const [, rest] = ours.feedIdentities(frames);
    const got = ours.deserialize(rest);
    expect(got.header.msg_type).toBe("execute_result");
    expect(py.msg.header.msg_type).toBe("execute_result");
    expect(got.header.version).toBe(py.msg.header.version);
  });
});
