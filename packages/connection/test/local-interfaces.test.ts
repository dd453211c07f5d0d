import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { isLocalIp, isPublicIp, localIps, localhost, publicIps } from "../src/index.js";

const ipv4 = Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).filter((e) => e.family === "IPv4"));

describe("local interfaces", () => {
  it("localhost() is the loopback address, first of localIps()", () => {
    expect(localhost()).toMatch(/^127\./);
    expect(localIps()[0]).toBe(localhost());
  });

  it("localIps() has every IPv4 address once, then 0.0.0.0 and ''", () => {
    const ips = localIps();
    expect(ips.slice(-2)).toEqual(["0.0.0.0", ""]);
    expect(new Set(ips).size).toBe(ips.length);
    for (const e of ipv4) expect(ips).toContain(e.address);
    expect(ips.every((ip) => !ip.includes(":"))).toBe(true);
  });

  it("publicIps() are the non-loopback ones", () => {
    const expected = ipv4.filter((e) => !e.internal && !e.address.startsWith("127.")).map((e) => e.address);
    expect(publicIps()).toEqual([...new Set(expected)]);
    for (const ip of publicIps()) {
      expect(isPublicIp(ip)).toBe(true);
      expect(isLocalIp(ip)).toBe(true);
    }
  });

  it("isLocalIp / isPublicIp", () => {
    expect(isLocalIp("127.0.0.1")).toBe(true);
    expect(isLocalIp("0.0.0.0")).toBe(true);
    expect(isLocalIp("")).toBe(true);
    expect(isLocalIp("203.0.113.1")).toBe(false);
    expect(isPublicIp("127.0.0.1")).toBe(false);
    expect(isPublicIp("")).toBe(false);
  });
});
