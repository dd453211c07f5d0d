import { describe, expect, it } from "vitest";
import * as umbrella from "../src/index.js";

// Each package's module namespace, imported the way a user would.
const packages: Record<string, () => Promise<Record<string, unknown>>> = {
  "@jupyter-ts/protocol": () => import("@jupyter-ts/protocol"),
  "@jupyter-ts/session": () => import("@jupyter-ts/session"),
  "@jupyter-ts/paths": () => import("@jupyter-ts/paths"),
  "@jupyter-ts/connection": () => import("@jupyter-ts/connection"),
  "@jupyter-ts/kernelspec": () => import("@jupyter-ts/kernelspec"),
  "@jupyter-ts/provisioning": () => import("@jupyter-ts/provisioning"),
  "@jupyter-ts/comm": () => import("@jupyter-ts/comm"),
  "@jupyter-ts/client": () => import("@jupyter-ts/client"),
  "@jupyter-ts/manager": () => import("@jupyter-ts/manager"),
  "@jupyter-ts/kernel": () => import("@jupyter-ts/kernel"),
  "@jupyter-ts/node-kernel": () => import("@jupyter-ts/node-kernel"),
  "@jupyter-ts/cli": () => import("@jupyter-ts/cli"),
};

describe("jupyter-ts re-exports", () => {
  it("has every export of every package, as the same value", async () => {
    const missing: string[] = [];
    const different: string[] = [];
    for (const [name, load] of Object.entries(packages)) {
      const mod = await load();
      expect(Object.keys(mod).length, `${name} exports nothing`).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(mod)) {
        if (!(key in umbrella)) missing.push(`${name}: ${key}`);
        else if ((umbrella as Record<string, unknown>)[key] !== value) different.push(`${name}: ${key}`);
      }
    }
    // A name exported by two packages with different values would be
    // ambiguous in `export *` and silently dropped: it shows up as missing.
    expect(missing).toEqual([]);
    expect(different).toEqual([]);
  });

  it("exports nothing of its own", async () => {
    const all = new Set<string>();
    for (const load of Object.values(packages)) for (const key of Object.keys(await load())) all.add(key);
    expect(Object.keys(umbrella).filter((key) => !all.has(key))).toEqual([]);
  });
});
