import { access, constants } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import type { KernelSpec, KernelSpecManager, KernelSpecManagerOptions } from "@jupyter-ts/kernelspec";
import { availableKernelSpecManager } from "@jupyter-ts/provisioning";
import { NODE_KERNEL_NAME, nodeKernelResourceDir } from "@jupyter-ts/node-kernel";

/** The kernel {@link chooseKernel} picked, and why. */
export interface KernelChoice {
  name: string;
  spec: KernelSpec;
  /** One line for the user: why this kernel. */
  reason: string;
}

/** Whether `command` (absolute, relative or on PATH) is an executable file. */
export async function isExecutableAvailable(command: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!command) return false;
  const candidates =
    isAbsolute(command) || command.includes("/")
      ? [command]
      : (env["PATH"] ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return true;
    } catch {
      // try the next one
    }
  }
  return false;
}

/**
 * A KernelSpecManager that always offers the JavaScript kernel of
 * `@jupyter-ts/node-kernel` (as `node`), installed or not, the way Python's
 * offers ipykernel's `python3`; kernelspecs whose provisioner is not
 * installed are left out, as Python leaves them out.
 */
export function kernelSpecManagerWithNode(options: KernelSpecManagerOptions = {}): KernelSpecManager {
  return availableKernelSpecManager({
    ensureNativeKernel: true,
    nativeKernel: { name: NODE_KERNEL_NAME, resourceDir: nodeKernelResourceDir() },
    ...options,
  });
}

/**
 * The best kernel to start when the user named none: Python's `python3`
 * when its program exists, else another Python kernel that can start, else
 * the JavaScript kernel (always there).
 */
export async function chooseKernel(ksm: KernelSpecManager = kernelSpecManagerWithNode(), env: NodeJS.ProcessEnv = process.env): Promise<KernelChoice> {
  const all = await ksm.getAllSpecs();
  const startable = async (name: string): Promise<boolean> => {
    const argv0 = all[name]?.spec.argv[0];
    return argv0 !== undefined && (argv0 === "node" || (await isExecutableAvailable(argv0, env)));
  };
  if (await startable("python3")) return { name: "python3", spec: await ksm.getKernelSpec("python3"), reason: "Python (ipykernel) is installed" };
  for (const [name, entry] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.spec.language.toLowerCase() === "python" && (await startable(name))) {
      return { name, spec: await ksm.getKernelSpec(name), reason: `a Python kernel ('${name}') is installed` };
    }
  }
  return {
    name: NODE_KERNEL_NAME,
    spec: await ksm.getKernelSpec(NODE_KERNEL_NAME),
    reason: "no Python kernel can start here, so the JavaScript kernel of jupyter-ts runs",
  };
}
