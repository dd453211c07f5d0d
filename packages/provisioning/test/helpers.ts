// Shared helpers: temp dirs that are always removed, process checks, and a
// bundle of this package that plain Node (outside vitest) can import.
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForNode } from "@jupyter-ts/testing";
import { LocalPortCache } from "@jupyter-ts/connection";
import { KernelSpec } from "@jupyter-ts/kernelspec";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = join(HERE, "..");
export const FAKE_KERNEL = join(HERE, "fixtures", "fake-kernel.mjs");

/** A kernelspec running the fake kernel with this process's Node (argv[0] "node" is replaced by process.execPath). */
export function fakeKernelSpec(init: Partial<ConstructorParameters<typeof KernelSpec>[0]> = {}): KernelSpec {
  return new KernelSpec({
    argv: ["node", FAKE_KERNEL, "-f", "{connection_file}"],
    displayName: "Fake",
    language: "javascript",
    name: "fake",
    resourceDir: join(HERE, "fixtures"),
    ...init,
  });
}

const dirs: string[] = [];

/** A new temp dir under the OS temp dir (outside the workspace); {@link removeTempDirs} removes it. */
export async function tempDir(prefix = "jts-prov-"): Promise<string> {
  const dir = realpathSync(await mkdtemp(join(tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Whether a process runs (a zombie waiting for its reaper does not). */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    try {
      process.kill(pid, 0);
      return !existsSync("/proc/self/stat"); // no procfs: trust kill(2)
    } catch {
      return false;
    }
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  return state !== "Z" && state !== "X";
}

/** The process group of a running process (from /proc). */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** Resolves once `check` holds; checks every 20 ms, fails after `timeout` ms. */
export async function waitFor(check: () => boolean, what: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a JSON report file once it exists. */
export async function readReport<T = Record<string, unknown>>(file: string): Promise<T> {
  await waitFor(() => existsSync(file), `report ${file}`);
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/**
 * Installs this package, as npm would, into `<appDir>/node_modules/@jupyter-ts/provisioning`:
 * a package.json and an ESM bundle of src (its workspace dependencies
 * inlined, zeromq linked next to it). Plain Node, which cannot run the
 * TypeScript sources, then imports `@jupyter-ts/provisioning` from there;
 * no build of the workspace is needed.
 */
export async function installProvisioningInto(appDir: string): Promise<void> {
  const target = join(appDir, "node_modules", "@jupyter-ts", "provisioning");
  await mkdir(join(target, "dist"), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string };
  await writeFile(
    join(target, "package.json"),
    JSON.stringify({ name: "@jupyter-ts/provisioning", version: pkg.version, type: "module", exports: { ".": "./dist/index.js" } }),
  );
  await bundleForNode(join(PACKAGE_DIR, "src", "index.ts"), join(target, "dist", "index.js"));
  // where pnpm linked @jupyter-ts/connection's zeromq
  const zeromq = realpathSync(join(PACKAGE_DIR, "..", "connection", "node_modules", "zeromq"));
  await symlink(zeromq, join(appDir, "node_modules", "zeromq"), "dir");
}

/** The module of the third-party test provisioner: plain JS, extending the installed @jupyter-ts/provisioning. */
export const MARKER_PROVISIONER_JS = `
import { appendFileSync } from "node:fs";
import { LocalProvisioner } from "@jupyter-ts/provisioning";

// Records each hook it runs in config.markerFile, and tells the kernel its greeting.
export default class MarkerProvisioner extends LocalProvisioner {
  mark(hook) {
    appendFileSync(this.config.markerFile, hook + "\\n");
  }
  async preLaunch(options) {
    this.mark("preLaunch");
    const result = await super.preLaunch(options);
    result.env.MARKER_GREETING = String(this.config.greeting);
    return result;
  }
  async launchKernel(cmd, options) {
    this.mark("launchKernel");
    return super.launchKernel(cmd, options);
  }
  async postLaunch(options) {
    this.mark("postLaunch");
    await super.postLaunch(options);
  }
  async cleanup(options) {
    this.mark("cleanup");
    await super.cleanup(options);
  }
}
`;

/**
 * An application directory outside the workspace with, in its node_modules,
 * @jupyter-ts/provisioning (see {@link installProvisioningInto}) and the
 * third-party package `@acme/marker-provisioner` declaring
 * `marker-provisioner` in its package.json.
 */
export async function makeThirdPartyApp(): Promise<string> {
  const app = await tempDir("jts-app-");
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", private: true, dependencies: { "@acme/marker-provisioner": "1.2.3" } }));
  await installProvisioningInto(app);
  const pkg = join(app, "node_modules", "@acme", "marker-provisioner");
  await mkdir(join(pkg, "dist"), { recursive: true });
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "@acme/marker-provisioner",
      version: "1.2.3",
      type: "module",
      dependencies: { "@jupyter-ts/provisioning": "*" },
      "jupyter-ts": { provisioners: { "marker-provisioner": "./dist/provisioner.js" } },
    }),
  );
  await writeFile(join(pkg, "dist", "provisioner.js"), MARKER_PROVISIONER_JS);
  return app;
}

/**
 * What this test process left behind: live processes started with
 * `JPY_PARENT_PID` of this process (kernels and their children, orphans
 * too), and ports still reserved in LocalPortCache.
 */
export function leftovers(): string[] {
  const found: string[] = [];
  const marker = `JPY_PARENT_PID=${process.pid}\0`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "utf8");
    } catch {
      continue; // gone, or another user's
    }
    if (`\0${environ}`.includes(`\0${marker}`) && isRunning(Number(entry))) {
      found.push(`process ${entry}: ${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
    }
  }
  for (const port of LocalPortCache.instance().currentlyUsedPorts) found.push(`port ${port} still reserved`);
  return found;
}
