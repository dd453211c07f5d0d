import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelSpecManager, NoSuchKernelError, type KernelSpec } from "../src/index.js";

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "jts-kernelspec-avail-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function kernel(name: string, metadata: Record<string, unknown> = {}): void {
  mkdirSync(join(scratch, name));
  writeFileSync(join(scratch, name, "kernel.json"), JSON.stringify({ argv: ["k", "{connection_file}"], display_name: name, metadata }));
}
kernel("local");
kernel("remote", { kernel_provisioner: { provisioner_name: "ssh-provisioner" } });
kernel("odd", { wanted: false });
mkdirSync(join(scratch, "broken"));
writeFileSync(join(scratch, "broken", "kernel.json"), "{ not json");

describe("KernelSpecManager isAvailable", () => {
  const warnings: string[] = [];
  const seen: string[] = [];
  const isAvailable = async (spec: KernelSpec) => {
    seen.push(spec.name);
    const stanza = spec.metadata["kernel_provisioner"] as { provisioner_name?: string } | undefined;
    return stanza?.provisioner_name !== "ssh-provisioner" && spec.metadata["wanted"] !== false;
  };
  const ksm = new KernelSpecManager({ kernelDirs: [scratch], isAvailable, logger: { warn: (m) => void warnings.push(m) } });

  it("leaves rejected kernelspecs out of findKernelSpecs (a broken kernel.json stays listed, as without a filter)", async () => {
    expect(await ksm.findKernelSpecs()).toEqual({ broken: join(scratch, "broken"), local: join(scratch, "local") });
    expect(seen.sort()).toEqual(["local", "odd", "remote"]);
  });

  it("leaves them out of getAllSpecs", async () => {
    expect(Object.keys(await ksm.getAllSpecs())).toEqual(["local"]);
  });

  it("getKernelSpec refuses them with NoSuchKernelError naming the missing provisioner", async () => {
    const error = await ksm.getKernelSpec("remote").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchKernelError);
    expect((error as NoSuchKernelError).code).toBe("ERR_NO_SUCH_KERNEL");
    expect((error as NoSuchKernelError).available).toEqual(["broken", "local"]);
    expect((error as Error).message).toBe(
      "kernelspec 'remote' is installed but not available: its kernel provisioner 'ssh-provisioner' is not installed " +
        "(run `jupyter-ts kernelspec provisioners`); available: broken, local (run `jupyter-ts kernelspec list`)",
    );
    await expect(ksm.getKernelSpec("odd")).rejects.toThrow("kernelspec 'odd' is installed but not available: the isAvailable check of the KernelSpecManager rejects it");
    expect((await ksm.getKernelSpec("LOCAL")).name).toBe("local");
  });

  it("without the option every kernelspec is listed and found, as before", async () => {
    const all = new KernelSpecManager({ kernelDirs: [scratch], logger: { warn: () => undefined } });
    expect(Object.keys(await all.findKernelSpecs()).sort()).toEqual(["broken", "local", "odd", "remote"]);
    expect((await all.getKernelSpec("remote")).name).toBe("remote");
    expect(new NoSuchKernelError("x", ["a"]).message).toBe("kernelspec 'x' not found; installed: a (run `jupyter-ts kernelspec list`)");
  });
});
