import { networkInterfaces } from "node:os";

interface Ips {
  local: string[];
  public: string[];
  localhost: string;
}

// Python's localinterfaces reads the IPv4 addresses once per process; this
// reads them on each call (os.networkInterfaces() is cheap), so an interface
// that comes up later is seen.
function loadIps(): Ips {
  let localhost = "";
  const local: string[] = [];
  const pub: string[] = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    for (const entry of entries ?? []) {
      // `family` was the number 4 in Node 18.0-18.3.
      if (entry.family !== "IPv4" && (entry.family as unknown) !== 4) continue;
      const addr = entry.address;
      if (!addr) continue;
      if (!(entry.internal || name.startsWith("lo") || addr.startsWith("127."))) pub.push(addr);
      else if (!localhost) localhost = addr;
      local.push(addr);
    }
  }
  if (!localhost || localhost === "127.0.0.1") {
    localhost = "127.0.0.1";
    local.unshift(localhost);
  }
  local.push("0.0.0.0", "");
  return { local: [...new Set(local)], public: [...new Set(pub)], localhost };
}

/**
 * The IPv4 addresses that point to this machine: loopback first, then the
 * other interfaces, then the all-interfaces aliases `0.0.0.0` and `""`
 * (Python's `local_ips()`).
 */
export function localIps(): string[] {
  return loadIps().local;
}

/** The IPv4 addresses of this machine that other machines can reach (Python's `public_ips()`). */
export function publicIps(): string[] {
  return loadIps().public;
}

/**
 * The loopback address to use for local kernels: the first `127.*` address,
 * almost always `127.0.0.1` (Python's `localhost()`).
 *
 * @example
 * localhost(); // "127.0.0.1"
 */
export function localhost(): string {
  return loadIps().localhost;
}

/** Whether `ip` points to this machine: one of {@link localIps}. Exact match, IPv4 only, as in Python. */
export function isLocalIp(ip: string): boolean {
  return loadIps().local.includes(ip);
}

/** Whether `ip` is one of this machine's {@link publicIps}. */
export function isPublicIp(ip: string): boolean {
  return loadIps().public.includes(ip);
}
