import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { LocalPortCache, PortAllocationError } from "../src/index.js";

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port }, () => server.close(() => resolve(true)));
  });
}

describe("LocalPortCache", () => {
  it("is one instance per process", () => {
    expect(LocalPortCache.instance()).toBe(LocalPortCache.instance());
  });

  it("hands out free ports, never the same one twice until it is returned", async () => {
    const cache = LocalPortCache.instance();
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await cache.findAvailablePort("127.0.0.1"));
    expect(new Set(ports).size).toBe(300);
    for (const p of ports) expect(cache.currentlyUsedPorts.has(p)).toBe(true);
    expect(await canBind(ports[0]!)).toBe(true);
    for (const p of ports) cache.returnPort(p);
    for (const p of ports) expect(cache.currentlyUsedPorts.has(p)).toBe(false);
    cache.returnPort(1); // a port it never gave out: ignored
  });

  it("binds on every interface for '' and 0.0.0.0", async () => {
    const cache = LocalPortCache.instance();
    for (const ip of ["", "0.0.0.0"]) {
      const port = await cache.findAvailablePort(ip);
      expect(port).toBeGreaterThan(0);
      cache.returnPort(port);
    }
  });

  it("throws PortAllocationError for an ip that is not this machine's", async () => {
    const error = await LocalPortCache.instance().findAvailablePort("203.0.113.9").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortAllocationError);
    expect(error).toMatchObject({ ip: "203.0.113.9", code: "ERR_PORT_ALLOCATION", cause: expect.objectContaining({ code: "EADDRNOTAVAIL" }) });
  });
});
