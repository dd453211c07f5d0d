// jupyter_client issue #311: listing N kernelspecs re-scanned every kernel
// directory once per spec, O(N^2) file-system calls. We count the calls
// (not the time) and require them to grow linearly, and not at all for
// unchanged specs on a second listing.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelSpecManager, nodeFs, type KernelSpecFs } from "../src/index.js";

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "jts-kernelspec-cost-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Counts {
  readdir: number;
  stat: number;
  readFile: number;
}

function countingFs(): { fs: KernelSpecFs; counts: Counts; reset(): void } {
  const counts: Counts = { readdir: 0, stat: 0, readFile: 0 };
  const fs: KernelSpecFs = {
    readdir: (path, options) => (counts.readdir++, nodeFs.readdir(path, options)),
    stat: (path) => (counts.stat++, nodeFs.stat(path)),
    readFile: (path, encoding) => (counts.readFile++, nodeFs.readFile(path, encoding)),
  };
  return { fs, counts, reset: () => Object.assign(counts, { readdir: 0, stat: 0, readFile: 0 }) };
}

/** `count` kernelspecs spread over two kernel dirs, plus a stray file and an empty dir in each. */
function makeKernelDirs(count: number): string[] {
  const root = mkdtempSync(join(scratch, `n${count}-`));
  const dirs = [join(root, "a", "kernels"), join(root, "b", "kernels")];
  for (const dir of dirs) {
    mkdirSync(join(dir, "not-a-kernel"), { recursive: true });
    writeFileSync(join(dir, "README"), "not a kernel either");
  }
  for (let i = 0; i < count; i++) {
    const dir = join(dirs[i % 2]!, `k${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "kernel.json"), JSON.stringify({ argv: ["kernel", String(i), "{connection_file}"], display_name: `K ${i}`, language: "x" }));
  }
  return [...dirs, join(root, "missing", "kernels")];
}

async function listingCost(count: number) {
  const kernelDirs = makeKernelDirs(count);
  const { fs, counts, reset } = countingFs();
  const ksm = new KernelSpecManager({ kernelDirs, fs, logger: { warn: () => {} } });

  const found = await ksm.findKernelSpecs();
  expect(Object.keys(found)).toHaveLength(count);
  const find = { ...counts };

  reset();
  const all = await ksm.getAllSpecs();
  expect(Object.keys(all)).toHaveLength(count);
  const first = { ...counts };

  reset();
  await ksm.getAllSpecs();
  const second = { ...counts };

  reset();
  await ksm.getKernelSpec(`k${count - 1}`);
  const one = { ...counts };

  return { kernelDirs, fs, counts, reset, find, first, second, one };
}

describe("discovery cost", () => {
  it("reads each kernel dir once and each kernel.json once for 200 kernelspecs", async () => {
    const { find, first, second, one } = await listingCost(200);
    // three kernel dirs (one missing); a stat per subdirectory, the stray files skipped
    expect(find).toEqual({ readdir: 3, stat: 200 + 2, readFile: 0 });
    expect(first).toEqual({ readdir: 3, stat: 202, readFile: 200 });
    // unchanged files come from the cache
    expect(second).toEqual({ readdir: 3, stat: 202, readFile: 0 });
    // a lookup by name stops at the directory that has it
    expect(one.readdir).toBeLessThanOrEqual(2);
    expect(one.stat).toBe(1);
    expect(one.readFile).toBe(0);
  });

  it("grows linearly: each extra kernelspec costs the same number of calls", async () => {
    const total = (c: Counts) => c.readdir + c.stat + c.readFile;
    const [n50, n100, n200] = await Promise.all([listingCost(50), listingCost(100), listingCost(200)]);
    for (const phase of ["find", "first", "second"] as const) {
      const step = total(n100[phase]) - total(n50[phase]);
      expect(total(n200[phase]) - total(n100[phase])).toBe(2 * step);
      // at most a stat and a read per kernelspec
      expect(step).toBeLessThanOrEqual(2 * 50);
    }
  });

  it("re-reads only the kernel.json that changed, across managers sharing a file system", async () => {
    const { kernelDirs, fs, counts, reset } = await listingCost(50);
    const changed = join(kernelDirs[0]!, "k0", "kernel.json");
    writeFileSync(changed, JSON.stringify({ argv: ["changed", "{connection_file}"], display_name: "Changed and longer" }));
    reset();
    const all = await new KernelSpecManager({ kernelDirs, fs, logger: { warn: () => {} } }).getAllSpecs();
    expect(all["k0"]?.spec.display_name).toBe("Changed and longer");
    expect(all["k1"]?.spec.display_name).toBe("K 1");
    expect(counts.readFile).toBe(1);
  });
});
