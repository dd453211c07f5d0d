import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelSpecManager, type InterruptMode, type KernelSpecDict } from "@jupyter-ts/kernelspec";
import { VERSION } from "./version.js";

/** The default kernelspec name. */
export const NODE_KERNEL_NAME = "node";
/** The display name of the kernelspec. */
export const NODE_KERNEL_DISPLAY_NAME = "JavaScript (Node.js)";


/** The kernel program: the built `dist/main.js` of this package (also when running from source). */
export function kernelEntry(): string {
  return fileURLToPath(new URL("../dist/main.js", import.meta.url));
}

/**
 * The kernelspec directory that ships inside this package (kernel.json and
 * a logo): the JavaScript kernel as a "native" kernel that is there without
 * installing anything, as Python offers ipykernel's `python3`. Its argv is
 * `node {resource_dir}/../dist/main.js`; jupyter-ts's provisioner starts
 * `node` as the Node.js that runs it.
 *
 * @example
 * new KernelSpecManager({ ensureNativeKernel: true, nativeKernel: { name: NODE_KERNEL_NAME, resourceDir: nodeKernelResourceDir() } });
 */
export function nodeKernelResourceDir(): string {
  return fileURLToPath(new URL("../kernelspec", import.meta.url));
}

/** Options of {@link nodeKernelSpec}. */
export interface NodeKernelSpecOptions {
  /** Default "JavaScript (Node.js)". */
  displayName?: string;
  /** The Node.js executable; default the one running now (`process.execPath`). */
  node?: string;
  /** How Jupyter interrupts the kernel: SIGINT (default) or `interrupt_request`; both stop `while (true) {}`. */
  interruptMode?: InterruptMode;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
}

/**
 * The kernel.json of the JavaScript kernel: it starts `dist/main.js` of this
 * package with the Node.js that runs now.
 *
 * @example
 * nodeKernelSpec().argv; // ["/usr/bin/node", "/…/node-kernel/dist/main.js", "-f", "{connection_file}"]
 */
export function nodeKernelSpec(options: NodeKernelSpecOptions = {}): KernelSpecDict {
  return {
    argv: [options.node ?? process.execPath, kernelEntry(), "-f", "{connection_file}"],
    display_name: options.displayName ?? NODE_KERNEL_DISPLAY_NAME,
    language: "javascript",
    interrupt_mode: options.interruptMode ?? "signal",
    env: options.env ?? {},
    metadata: { debugger: false, "jupyter-ts": { kernel: "@jupyter-ts/node-kernel", version: VERSION } },
  };
}

/** Options of {@link installNodeKernelSpec}. */
export interface InstallNodeKernelSpecOptions extends NodeKernelSpecOptions {
  /** The kernelspec name; default "node". */
  name?: string;
  /** Install for the current user (`<data dir>/kernels`). */
  user?: boolean;
  /** Install into `<prefix>/share/jupyter/kernels` (a virtualenv or conda env). */
  prefix?: string;
  /** The manager that installs; default one made with `dataDir`. */
  kernelSpecManager?: KernelSpecManager;
  /** The user data dir for `user: true` (default `jupyterDataDir()`), when no manager is given. */
  dataDir?: string;
}

// The JavaScript logo colours; JupyterLab's launcher shows logo-svg.svg.
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect width="64" height="64" fill="#f7df1e"/>
<text x="60" y="58" font-family="Helvetica, Arial, sans-serif" font-weight="bold" font-size="30" text-anchor="end" fill="#000">JS</text>
</svg>
`;

/**
 * Installs the JavaScript kernel's kernelspec (kernel.json and a logo) and
 * returns the directory it went to: system-wide by default, the user's with
 * `user: true`, or under `prefix`. An existing kernelspec of that name is
 * replaced.
 *
 * @example
 * await installNodeKernelSpec({ user: true }); // "/home/ann/.local/share/jupyter/kernels/node"
 */
export async function installNodeKernelSpec(options: InstallNodeKernelSpecOptions = {}): Promise<string> {
  const manager = options.kernelSpecManager ?? new KernelSpecManager(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const source = await mkdtemp(join(tmpdir(), "jupyter-ts-node-kernel-"));
  try {
    await writeFile(join(source, "kernel.json"), `${JSON.stringify(nodeKernelSpec(options), null, 2)}\n`);
    await writeFile(join(source, "logo-svg.svg"), LOGO_SVG);
    return await manager.installKernelSpec(source, {
      kernelName: options.name ?? NODE_KERNEL_NAME,
      ...(options.user !== undefined && { user: options.user }),
      ...(options.prefix !== undefined && { prefix: options.prefix }),
    });
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}
