import { createServer } from "node:net";
import { PortAllocationError } from "./errors.js";

const MAX_TRIES = 1000;

/** Binds a throwaway server to port 0 on `ip` and returns the port the OS chose. */
function probe(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    // "" and "0.0.0.0" both mean every IPv4 interface, as Python's bind(("", 0)).
    server.listen({ host: ip === "" ? "0.0.0.0" : ip, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let instance: LocalPortCache | undefined;

/**
 * Hands out free TCP ports and remembers them until they are returned, so
 * two kernels started by this process never get the same port even when the
 * OS would offer a just-closed port again (jupyter_client issue 487).
 *
 * Other programs can still take a cached port before the kernel binds it:
 * this narrows the race, it cannot close it.
 *
 * @example
 * const cache = LocalPortCache.instance();
 * const port = await cache.findAvailablePort("127.0.0.1");
 * // ... start a kernel on it; when the kernel is gone:
 * cache.returnPort(port);
 */
export class LocalPortCache {
  readonly #used = new Set<number>();

  /** The process-wide cache (Python's `LocalPortCache.instance()`). */
  static instance(): LocalPortCache {
    instance ??= new LocalPortCache();
    return instance;
  }

  /** The ports handed out and not yet returned. */
  get currentlyUsedPorts(): ReadonlySet<number> {
    return this.#used;
  }

  /**
   * A port that is free on `ip` right now (a bind test) and that this cache
   * has not handed out since it was last returned.
   *
   * @throws PortAllocationError when nothing can be bound on `ip` (e.g. the
   *   ip is not an address of this machine).
   */
  async findAvailablePort(ip: string): Promise<number> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      let port: number;
      try {
        port = await probe(ip);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
        throw new PortAllocationError(
          ip,
          `cannot bind a test socket on ${JSON.stringify(ip)} to pick a free port (${code}); use an ip of this machine (see localIps()) or give every port explicitly`,
          { cause },
        );
      }
      // Checked and added in the same tick as the probe resolved: parallel
      // callers cannot both take the same port.
      if (port > 0 && !this.#used.has(port)) {
        this.#used.add(port);
        return port;
      }
    }
    throw new PortAllocationError(
      ip,
      `no free port on ${JSON.stringify(ip)} after ${MAX_TRIES} tries: ${this.#used.size} ports are held by this cache; return the ports of kernels that are gone with returnPort()`,
    );
  }

  /** Makes `port` available again. Ports this cache never handed out are ignored. */
  returnPort(port: number): void {
    this.#used.delete(port);
  }
}
