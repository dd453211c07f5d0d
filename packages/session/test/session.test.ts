import { describe, expect, it } from "vitest";
import { Dealer, Router } from "zeromq";
import {
  DELIM,
  MalformedMessageError,
  MessageDecodeError,
  MessageEncodeError,
  ReplayError,
  Session,
  SessionConfigError,
  SessionFactory,
  SignatureError,
  UnsignedMessageError,
  jsonPacker,
  jsonUnpacker,
} from "../src/index.js";

const content = { code: "1 + 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };

function roundTrip(sender: Session, receiver: Session, frames = sender.serialize(sender.msg("execute_request", { content }))) {
  const [idents, rest] = receiver.feedIdentities(frames);
  return { idents, msg: receiver.deserialize(rest) };
}

describe("Session.msg", () => {
  it("makes a message with a full header, parent and merged metadata", () => {
    const s = new Session({ username: "ada", session: "sess-1", metadata: { a: 1 } });
    const parent = s.msg("kernel_info_request");
    const msg = s.msg("execute_request", { content, parent, metadata: { b: 2 }, subshellId: "sub-1" });
    expect(msg.header).toMatchObject({ msg_type: "execute_request", username: "ada", session: "sess-1", version: "5.5", subshell_id: "sub-1" });
    expect(msg.msg_id).toBe(msg.header.msg_id);
    expect(msg.msg_type).toBe("execute_request");
    expect(msg.header.date).toMatch(/Z$/);
    expect(msg.parent_header).toBe(parent.header);
    expect(msg.metadata).toEqual({ a: 1, b: 2 });
    expect(s.metadata).toEqual({ a: 1 });
    expect(s.msg("status").content).toEqual({});
    expect(new Set(Array.from({ length: 100 }, () => s.msg("x").msg_id)).size).toBe(100);
  });
});

describe("serialize / deserialize", () => {
  it("round-trips with the default sha256 key and lays out frames as the spec says", () => {
    const s = new Session({ key: "k" });
    const msg = s.msg("execute_request", { content });
    const frames = s.serialize(msg, { ident: "route" });
    expect(Buffer.from(frames[0]!).toString()).toBe("route");
    expect(frames[1]).toBe(DELIM);
    expect(Buffer.from(frames[2]!).toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(Buffer.from(frames[3]!).toString())).toEqual(msg.header);
    const { idents, msg: back } = roundTrip(s, new Session({ key: "k" }), frames);
    expect(idents.map((i) => Buffer.from(i).toString())).toEqual(["route"]);
    expect(back.content).toEqual(content);
    expect(back.header).toEqual(msg.header);
  });

  it.each(["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha3-256"])("supports %s", (scheme) => {
    const a = new Session({ key: "key", signatureScheme: scheme });
    const b = new Session({ key: "key", signatureScheme: scheme });
    expect(roundTrip(a, b).msg.content).toEqual(content);
    const other = new Session({ key: "key", signatureScheme: scheme === "hmac-sha512" ? "hmac-sha256" : "hmac-sha512" });
    expect(() => roundTrip(a, other)).toThrow(SignatureError);
  });

  it("an empty key means unsigned both ways", () => {
    const a = new Session({ key: "" });
    expect(a.signed).toBe(false);
    expect(a.sign([new Uint8Array(1)])).toBe("");
    const frames = a.serialize(a.msg("status", { content: { execution_state: "idle" } }));
    expect(frames[1]!.byteLength).toBe(0);
    expect(roundTrip(a, new Session({ key: "" }), frames).msg.content).toEqual({ execution_state: "idle" });
    // A keyed session refuses the unsigned message.
    expect(() => roundTrip(a, new Session({ key: "k" }), frames)).toThrow(UnsignedMessageError);
  });

  it("makes a random key by default, as Python does", () => {
    const a = new Session();
    expect(a.signed).toBe(true);
    expect(() => roundTrip(a, new Session())).toThrow(SignatureError);
    expect(roundTrip(a, new Session({ key: a.key })).msg.content).toEqual(content);
  });

  it("accepts keys as bytes", () => {
    const key = new Uint8Array([1, 2, 3, 250]);
    expect(roundTrip(new Session({ key }), new Session({ key: key.slice() })).msg.content).toEqual(content);
  });

  it("rejects each kind of bad frame set with its own error class", () => {
    const s = new Session({ key: "k" });
    const frames = s.serialize(s.msg("execute_request", { content }));
    const [, rest] = s.feedIdentities(frames);

    expect(() => s.feedIdentities([Buffer.from("a"), Buffer.from("b")])).toThrow(MalformedMessageError);
    expect(() => s.deserialize(rest.slice(0, 4))).toThrow(/at least 5 frames/);

    const tampered = [...rest];
    tampered[4] = Buffer.from('{"code":"evil"}');
    expect(() => s.deserialize(tampered)).toThrow(SignatureError);
    const wrongSig = [Buffer.from("00".repeat(32)), ...rest.slice(1)];
    expect(() => s.deserialize(wrongSig)).toThrow(expect.objectContaining({ code: "ERR_INVALID_SIGNATURE" }));
    const shortSig = [Buffer.from("abc"), ...rest.slice(1)];
    expect(() => s.deserialize(shortSig)).toThrow(SignatureError);

    const u = new Session({ key: "" });
    const bad = (i: number, bytes: string) => {
      const f = [...u.feedIdentities(u.serialize(u.msg("status")))[1]];
      f[i] = Buffer.from(bytes, "latin1");
      return f;
    };
    expect(() => u.deserialize(bad(1, "{not json"))).toThrow(MessageDecodeError);
    expect(() => u.deserialize(bad(2, "[1,2]"))).toThrow(expect.objectContaining({ part: "parent_header" }));
    expect(() => u.deserialize(bad(4, "\xff\xfe"))).toThrow(/not valid UTF-8/);
    expect(() => u.deserialize(bad(1, '{"msg_type":"status"}'))).toThrow(/header.msg_id/);
  });

  it("rejects a replayed message but lets a peek (content: false) be read again", () => {
    const sender = new Session({ key: "k" });
    const receiver = new Session({ key: "k" });
    const [, rest] = receiver.feedIdentities(sender.serialize(sender.msg("execute_request", { content })));
    const peek = receiver.deserialize(rest, { content: false });
    expect(Buffer.from(peek.content).toString()).toBe(JSON.stringify(content));
    expect(receiver.deserialize(rest).content).toEqual(content);
    const err = (() => {
      try {
        receiver.deserialize(rest);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ReplayError);
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as ReplayError).code).toBe("ERR_REPLAYED_MESSAGE");
  });

  it("does not let a forged message poison the digest history", () => {
    const sender = new Session({ key: "k" });
    const receiver = new Session({ key: "k" });
    const [, rest] = receiver.feedIdentities(sender.serialize(sender.msg("execute_request", { content })));
    const forged = [...rest];
    forged[4] = Buffer.from("{}");
    expect(() => receiver.deserialize(forged)).toThrow(SignatureError);
    expect(receiver.deserialize(rest).content).toEqual(content);
  });

  it("keeps the digest history bounded, forgetting the oldest", () => {
    const sender = new Session({ key: "k" });
    const receiver = new Session({ key: "k", digestHistorySize: 100 });
    const sets = Array.from({ length: 250 }, () => receiver.feedIdentities(sender.serialize(sender.msg("status")))[1]);
    for (const rest of sets) receiver.deserialize(rest);
    expect(receiver.digestHistory.size).toBeLessThanOrEqual(100);
    expect(() => receiver.deserialize(sets[249]!)).toThrow(ReplayError);
    // The oldest were forgotten.
    expect(receiver.deserialize(sets[0]!).msg_type).toBe("status");
  });

  it("passes buffers through as the same views, unsigned, with no copy", () => {
    const s = new Session({ key: "k" });
    const pool = new Uint8Array(1 << 20);
    const view = pool.subarray(1000, 3000);
    const floats = new Float64Array([1.5, 2.5]);
    const msg = s.msg("comm_msg", { content: { comm_id: "c", data: {} }, buffers: [view, floats, floats.buffer] });
    const frames = s.serialize(msg);
    expect(frames[6]).toBe(view);
    expect(frames[7]!.buffer).toBe(floats.buffer);
    expect(frames[8]!.buffer).toBe(floats.buffer);
    const signature = Buffer.from(frames[1]!).toString();
    // Changing a buffer does not change the signature.
    view[0] = 42;
    expect(Buffer.from(s.serialize(msg)[1]!).toString()).toBe(signature);
    const back = roundTrip(s, new Session({ key: "k" }), frames).msg;
    expect(back.buffers[0]).toBe(view);
    expect(back.buffers[0]![0]).toBe(42);
  });

  it("refuses what JSON cannot hold, and bad buffers, with clear errors", () => {
    const s = new Session({ key: "k" });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => s.serialize(s.msg("x", { content: cyclic }))).toThrow(MessageEncodeError);
    expect(() => s.serialize(s.msg("x", { content: { n: 1n } }))).toThrow(/cannot encode/);
    expect(() => s.msg("x", { buffers: ["text" as unknown as Uint8Array] })).toThrow(/buffers\[0\]/);
  });

  it("serializes content given as bytes or a string as it is", () => {
    const s = new Session({ key: "" });
    const raw = Buffer.from('{"already":"packed"}');
    const frames = s.serialize({ ...s.msg("x"), content: raw as unknown as Record<string, unknown> });
    expect(frames[5]).toBe(raw);
  });

  it("reports bad options", () => {
    expect(() => new Session({ signatureScheme: "sha256" })).toThrow(SessionConfigError);
    expect(() => new Session({ signatureScheme: "hmac-nope" })).toThrow(/hmac-nope/);
    expect(() => new Session({ packer: jsonPacker })).toThrow(/unpacker/);
  });

  it("takes custom packers", () => {
    const packer = (o: unknown) => jsonPacker({ wrapped: o });
    const unpacker = (b: Uint8Array) => (jsonUnpacker(b) as { wrapped: unknown }).wrapped;
    const a = new Session({ key: "k", packer, unpacker });
    const b = new Session({ key: "k", packer, unpacker });
    const frames = a.serialize(a.msg("execute_request", { content }));
    expect(JSON.parse(Buffer.from(frames[5]!).toString())).toHaveProperty("wrapped");
    expect(roundTrip(a, b, frames).msg.content).toEqual(content);
  });

  it("sends v4 when asked (adaptVersion) and adapts v4 back to v5 on receipt", async () => {
    const old = new Session({ key: "k", adaptVersion: 4 });
    const captured: Uint8Array[][] = [];
    const socket = { send: async (frames: Uint8Array[]) => void captured.push(frames) };
    await old.send(socket, "execute_result", { content: { execution_count: 1, data: { "text/plain": "2" }, metadata: {} } });
    const header = JSON.parse(Buffer.from(captured[0]![2]!).toString());
    expect(header.msg_type).toBe("pyout");
    expect(header).not.toHaveProperty("version");
    const { msg: back } = roundTrip(old, new Session({ key: "k" }), captured[0]);
    expect(back.header.msg_type).toBe("execute_result");
    expect(back.msg_type).toBe("execute_result");
    expect(back.header.version).toBe("5.0");
  });

  it("clone keeps settings and the digest history, then diverges", () => {
    const s = new Session({ key: "k", username: "u", signatureScheme: "hmac-sha512" });
    const [, rest] = s.feedIdentities(s.serialize(s.msg("status")));
    s.deserialize(rest);
    const c = s.clone();
    expect(c.session).toBe(s.session);
    expect(c.username).toBe("u");
    expect(c.signatureScheme).toBe("hmac-sha512");
    expect(() => c.deserialize(rest)).toThrow(ReplayError);
    c.digestHistory.clear();
    expect(s.digestHistory.size).toBe(1);
  });

  it("SessionFactory shares or makes a session", () => {
    const s = new Session();
    expect(new SessionFactory(s).session).toBe(s);
    expect(new SessionFactory({ username: "x" }).session.username).toBe("x");
  });
});

describe("send / recv on zeromq sockets", () => {
  it("round-trips over DEALER/ROUTER with idents, buffers and many concurrent sends", async () => {
    const router = new Router();
    const dealer = new Dealer({ routingId: "client-1" });
    await router.bind("tcp://127.0.0.1:*");
    dealer.connect(router.lastEndpoint!);
    const client = new Session({ key: "secret" });
    const kernel = new Session({ key: "secret" });
    try {
      // zeromq v6 throws on a second send in flight; the queue must serialize them.
      const sent = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          client.send(dealer, "execute_request", { content: { ...content, code: `${i}` }, buffers: [new Uint8Array([i % 256])] }),
        ),
      );
      for (let i = 0; i < 200; i++) {
        const { idents, msg } = await kernel.recv(router);
        expect(Buffer.from(idents[0]!).toString()).toBe("client-1");
        expect(msg.msg_id).toBe(sent[i]!.msg_id);
        expect(msg.content).toMatchObject({ code: `${i}` });
        expect([...msg.buffers[0]!]).toEqual([i % 256]);
        if (i === 0) {
          await kernel.send(router, "execute_reply", { content: { status: "ok", execution_count: 1, user_expressions: {} }, parent: msg, ident: idents });
        }
      }
      const { msg: reply } = await client.recv(dealer);
      expect(reply.parent_header).toMatchObject({ msg_id: sent[0]!.msg_id });

      // Raw frames are signed and sent as they are.
      const parts = client.serialize(client.msg("kernel_info_request")).slice(2);
      await client.sendRaw(dealer, parts);
      expect((await kernel.recv(router)).msg.msg_type).toBe("kernel_info_request");

      // Garbage on the socket rejects recv with our error; the socket stays usable.
      await dealer.send([Buffer.from("garbage")]);
      await expect(kernel.recv(router)).rejects.toBeInstanceOf(MalformedMessageError);
      await client.send(dealer, "kernel_info_request");
      expect((await kernel.recv(router)).msg.msg_type).toBe("kernel_info_request");
    } finally {
      dealer.close();
      router.close();
    }
  });
});
