// 100,000 random and mutated frame sets through feedIdentities/deserialize:
// each one either parses or throws one of our error classes; nothing else
// escapes (no TypeError, RangeError or SyntaxError from deep inside).
import { ProtocolError } from "@jupyter-ts/protocol";
import { describe, expect, it } from "vitest";
import { seededRandom } from "@jupyter-ts/testing";
import { Session } from "../src/index.js";

const SNIPPETS = ["{", "}", "[", "]", '"', ":", ",", "null", "true", "1e309", "-0", '"msg_id"', '"msg_type"', "\\u0000", "\\ud800", "\xff", "\xc3", "<IDS|MSG>", "{}", "[]", '"5.3"', '"version"'];

describe("deserialize fuzzing", () => {
  it("100,000 random and mutated frame sets parse or throw our errors", () => {
    // Seeded, so that a failure can be replayed.
    const rand = seededRandom(20261121);
    const int = (n: number) => Math.floor(rand() * n);
    const keyed = new Session({ key: "fuzz-key", digestHistorySize: 1000 });
    const open = new Session({ key: "", digestHistorySize: 1000 });
    const signer = new Session({ key: "fuzz-key" });

    const seeds = [
      signer.msg("execute_request", { content: { code: "x", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true } }),
      signer.msg("stream", { content: { name: "stdout", text: "hi 🌍" }, buffers: [new Uint8Array([1, 2, 3])] }),
      { ...signer.msg("pyout", { content: { data: { "text/plain": "1" } } }), header: { ...signer.msgHeader("pyout"), version: "4.1" } },
      signer.msg("complete_reply", { content: { matches: ["a"], cursor_start: 0, cursor_end: 1, status: "ok", metadata: {} } }),
      signer.msg("display_data", { content: { data: { "application/json": "{}" }, metadata: {} } }),
    ];
    const validFrames = seeds.map((m) => signer.serialize(m, { ident: "id" }));

    function mutateBytes(frame: Uint8Array): Uint8Array {
      const text = Buffer.from(frame).toString("latin1");
      switch (int(6)) {
        case 0: {
          const out = Buffer.from(frame);
          if (out.length) out[int(out.length)] = int(256);
          return out;
        }
        case 1:
          return Buffer.from(text.slice(0, int(text.length + 1)), "latin1");
        case 2: {
          const at = int(text.length + 1);
          return Buffer.from(text.slice(0, at) + SNIPPETS[int(SNIPPETS.length)]! + text.slice(at), "latin1");
        }
        case 3:
          return Buffer.from(Array.from({ length: int(40) }, () => int(256)));
        case 4:
          return new Uint8Array(0);
        default:
          return Buffer.from(JSON.stringify([null, 1, "s", {}, []][int(5)]));
      }
    }

    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 100_000; i++) {
      const base = validFrames[int(validFrames.length)]!;
      let frames: Uint8Array[];
      const kind = int(5);
      if (kind === 0) {
        // Pure noise: random count of random frames.
        frames = Array.from({ length: int(9) }, () => Buffer.from(Array.from({ length: int(30) }, () => int(256))));
        if (rand() < 0.5) frames.splice(int(frames.length + 1), 0, Buffer.from("<IDS|MSG>"));
      } else {
        frames = [...base];
        const times = 1 + int(3);
        for (let t = 0; t < times; t++) {
          if (frames.length === 0) frames.push(mutateBytes(new Uint8Array(0)));
          const op = int(4);
          const at = int(frames.length);
          if (op === 0) frames[at] = mutateBytes(frames[at]!);
          else if (op === 1) frames.splice(at, 1);
          else if (op === 2) frames.splice(at, 0, mutateBytes(frames[int(frames.length)]!));
          else frames = frames.slice(0, at);
        }
      }
      // Re-sign half of the mutated sets so parsing (not only signature checks) is exercised.
      const session = kind === 2 ? open : keyed;
      if (kind === 3 && frames.length >= 7) frames[2] = Buffer.from(signer.sign(frames.slice(3, 7)), "latin1");
      try {
        const [, rest] = session.feedIdentities(frames);
        const msg = session.deserialize(rest, rand() < 0.1 ? { content: false } : {});
        expect(typeof msg.header.msg_id).toBe("string");
        parsed++;
      } catch (error) {
        if (!(error instanceof ProtocolError)) {
          throw new Error(`iteration ${i}: ${String(error)} escaped for frames ${JSON.stringify(frames.map((f) => Buffer.from(f).toString("latin1")))}`);
        }
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(100_000);
    // The corpus must really reach the parser, not only the signature check.
    expect(parsed).toBeGreaterThan(1_000);
  }, 120_000);
});
