import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, ProtocolError, extractHeader, formatDate, headerDate, msgHeader, newId, parseDate, utcnow } from "../src/index.js";

describe("headers", () => {
  it("msgHeader fills every field", () => {
    const h = msgHeader("execute_request", { username: "u", session: "s" });
    expect(h).toEqual({ msg_id: expect.any(String), msg_type: "execute_request", username: "u", session: "s", date: expect.stringMatching(/Z$/), version: PROTOCOL_VERSION });
    expect(PROTOCOL_VERSION).toBe("5.5");
    expect(msgHeader("x", { msgId: "m", date: new Date(0), version: "5.3", subshellId: null })).toMatchObject({ msg_id: "m", date: "1970-01-01T00:00:00.000Z", version: "5.3", subshell_id: null });
  });

  it("newId is a UUID and unique", () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("extractHeader takes a message, a header or nothing", () => {
    const h = msgHeader("x");
    expect(extractHeader({ header: h })).toBe(h);
    expect(extractHeader(h)).toBe(h);
    expect(extractHeader(null)).toEqual({});
    expect(extractHeader({})).toEqual({});
    expect(() => extractHeader({ foo: 1 } as never)).toThrow(ProtocolError);
    expect(() => extractHeader({ foo: 1 } as never)).toThrow(/foo/);
  });

  it("dates stay strings until asked for", () => {
    const now = utcnow();
    expect(parseDate(formatDate(now)).getTime()).toBe(now.getTime());
    // Python writes microseconds, sometimes an offset, old kernels no zone (UTC).
    expect(parseDate("2024-01-31T12:00:00.123456Z").toISOString()).toBe("2024-01-31T12:00:00.123Z");
    expect(parseDate("2024-01-31T12:00:00.123456+01:00").toISOString()).toBe("2024-01-31T11:00:00.123Z");
    expect(parseDate("2024-01-31T12:00:00.5+0100").toISOString()).toBe("2024-01-31T11:00:00.500Z");
    expect(parseDate("2024-01-31T12:00:00").toISOString()).toBe("2024-01-31T12:00:00.000Z");
    expect(parseDate("2024-01-31 12:00").toISOString()).toBe("2024-01-31T12:00:00.000Z");
    expect(() => parseDate("yesterday")).toThrow(/yesterday/);
    expect(() => parseDate("2024-13-45T99:00:00Z")).toThrow(ProtocolError);
    expect(headerDate({ header: { date: "2024-01-31T12:00:00Z" } })?.getTime()).toBe(Date.UTC(2024, 0, 31, 12));
    expect(headerDate({})).toBeUndefined();
  });
});
