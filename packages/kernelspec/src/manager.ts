import { copyFile, lstat, mkdir, readdir, rm, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { jupyterDataDir, jupyterPath, pythonPrefix, systemJupyterPath, type PathOptions } from "@jupyter-ts/paths";
import { InvalidKernelSpecError, KernelSpecExistsError, KernelSpecOptionsError, NoSuchKernelError } from "./errors.js";
import { nodeFs, type KernelSpecFs, type KernelSpecStats } from "./fs.js";
import { KernelSpec, parseKernelJson, readKernelJson, type KernelSpecDict } from "./kernel-spec.js";
import { KERNEL_NAME_DESCRIPTION, assertLookupName, assertValidKernelName, isValidKernelName } from "./names.js";

/** Where a {@link KernelSpecManager} reports; `warn` is required, the rest optional. */
export interface KernelSpecLogger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}

/** A kernelspec to add when none of its name is installed (see `ensureNativeKernel`). */
export interface NativeKernel {
  name: string;
  resourceDir: string;
}

/** Options of {@link KernelSpecManager}; the {@link PathOptions} fields shape the default search path. */
export interface KernelSpecManagerOptions extends PathOptions {
  /** The directories to search, first match wins; default `jupyterPath("kernels")`. */
  kernelDirs?: readonly string[];
  /** Only these kernel names are listed and found (any case); default all. */
  allowedKernelspecs?: Iterable<string>;
  /**
   * The user's data directory: `user: true` installs go to its `kernels/`,
   * and it stands for the user data dir in the default search path. Default
   * `jupyterDataDir()`.
   */
  dataDir?: string;
  /**
   * Add `nativeKernel` to listings when no kernelspec of its name is
   * installed, as Python adds ipykernel's `python3`. Default false: jupyter-ts
   * ships no kernel of its own yet, so there is nothing to add unless
   * `nativeKernel` says what.
   */
  ensureNativeKernel?: boolean;
  /** The kernel `ensureNativeKernel` adds. */
  nativeKernel?: NativeKernel;
  /** Where warnings go (broken kernel.json, odd names); default `console`. */
  logger?: KernelSpecLogger;
  /** The reads of discovery; default Node's file system. */
  fs?: KernelSpecFs;
  /**
   * Whether a kernelspec can be used here. When given, listings leave out
   * the kernelspecs it rejects and {@link KernelSpecManager.getKernelSpec}
   * throws {@link NoSuchKernelError} for them, as Python does for a
   * kernelspec whose kernel provisioner is not installed (pass
   * `KernelProvisionerFactory#kernelSpecFilter()` of
   * `@jupyter-ts/provisioning` for that). Default: every kernelspec.
   */
  isAvailable?: (spec: KernelSpec) => boolean | Promise<boolean>;
}

/** Options of {@link KernelSpecManager.installKernelSpec}. */
export interface InstallKernelSpecOptions {
  /** The name to install under; default the source directory's name. Lowercased. */
  kernelName?: string;
  /** Install into the user's data dir (`<dataDir>/kernels`). */
  user?: boolean;
  /** Install into `<prefix>/share/jupyter/kernels` (a virtualenv or conda env). */
  prefix?: string;
  /**
   * Replace a kernelspec already at the destination. Default true, as
   * Python always replaces; false throws {@link KernelSpecExistsError}.
   */
  replace?: boolean;
}

/** One entry of {@link KernelSpecManager.getAllSpecs}, in the JSON shape of `jupyter kernelspec list --json`. */
export interface KernelSpecEntry {
  resource_dir: string;
  spec: KernelSpecDict;
}

interface Found {
  path: string;
  stats?: KernelSpecStats;
}

interface CacheEntry {
  key: string;
  json?: unknown;
  error?: InvalidKernelSpecError;
}

// Parsed kernel.json by file, per file system, valid while the file's stat
// identity holds: a listing re-reads only the specs that changed.
const parsedCache = new WeakMap<KernelSpecFs, Map<string, CacheEntry>>();
const CACHE_LIMIT = 10_000;

const statKey = (s: KernelSpecStats): string => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

async function copyTree(source: string, destination: string): Promise<void> {
  await mkdir(destination);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(destination, entry.name);
    // symlinks are followed and their targets copied, as shutil.copytree does
    const isDir = entry.isSymbolicLink() ? (await stat(from)).isDirectory() : entry.isDirectory();
    if (isDir) await copyTree(from, to);
    else await copyFile(from, to);
  }
}

/**
 * Finds, reads, installs and removes kernelspecs (Python's
 * `KernelSpecManager`). Names are case-insensitive and reported lowercased.
 * Every listing reads each kernel directory once and each kernel.json at
 * most once, and only again after it changes.
 *
 * @example
 * const ksm = new KernelSpecManager();
 * await ksm.findKernelSpecs(); // { python3: "/usr/share/jupyter/kernels/python3" }
 * const spec = await ksm.getKernelSpec("python3");
 * spec.argv; // ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
 */
export class KernelSpecManager {
  /** The search path, highest priority first. */
  readonly kernelDirs: readonly string[];
  /** Lowercased allowed names; empty means all. */
  readonly allowedKernelspecs: ReadonlySet<string>;
  readonly dataDir: string;
  /** Where `user: true` installs go: `<dataDir>/kernels`. */
  readonly userKernelDir: string;
  /** The Python environment prefix (`sys.prefix`) of the path options, for `--sys-prefix` installs. */
  readonly envPrefix: string | undefined;
  readonly ensureNativeKernel: boolean;
  readonly nativeKernel: NativeKernel | undefined;
  readonly logger: KernelSpecLogger;
  /** The availability filter of the options, if any. */
  readonly isAvailable: ((spec: KernelSpec) => boolean | Promise<boolean>) | undefined;
  readonly #fs: KernelSpecFs;
  readonly #pathOptions: PathOptions;
  readonly #warned = new Set<string>();

  constructor(options: KernelSpecManagerOptions = {}) {
    this.#pathOptions = options;
    this.#fs = options.fs ?? nodeFs;
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.dataDir = options.dataDir ?? jupyterDataDir(options);
    this.userKernelDir = join(this.dataDir, "kernels");
    // jupyter_data_dir() is $JUPYTER_DATA_DIR when set: a given dataDir takes the user's place
    const env = options.dataDir === undefined ? options.env : { ...(options.env ?? process.env), JUPYTER_DATA_DIR: options.dataDir };
    this.kernelDirs = [...(options.kernelDirs ?? jupyterPath("kernels", env === undefined ? options : { ...options, env }))];
    this.allowedKernelspecs = new Set([...(options.allowedKernelspecs ?? [])].map((n) => n.toLowerCase()));
    this.envPrefix = pythonPrefix(options) ?? undefined;
    this.ensureNativeKernel = options.ensureNativeKernel ?? false;
    this.nativeKernel = options.nativeKernel;
    this.isAvailable = options.isAvailable;
  }

  /** Why {@link isAvailable} rejects a spec, for errors. */
  #unavailableReason(spec: KernelSpec): string {
    const stanza = spec.metadata["kernel_provisioner"];
    const provisioner =
      typeof stanza === "object" && stanza !== null ? (stanza as Record<string, unknown>)["provisioner_name"] : undefined;
    return typeof provisioner === "string"
      ? `its kernel provisioner '${provisioner}' is not installed (run \`jupyter-ts kernelspec provisioners\`)`
      : "the isAvailable check of the KernelSpecManager rejects it";
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.logger.warn(message);
  }

  #allowed(name: string): boolean {
    return this.allowedKernelspecs.size === 0 || this.allowedKernelspecs.has(name);
  }

  /** The kernel directories of one search-path entry: lowercased name to directory. */
  async #listDir(dir: string): Promise<Map<string, Found>> {
    const found = new Map<string, Found>();
    let entries;
    try {
      entries = await this.#fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = errnoOf(error);
      if (code !== "ENOENT" && code !== "ENOTDIR") this.logger.warn(`cannot list kernelspecs in ${dir}: ${(error as Error).message}`);
      return found;
    }
    // plain files cannot be kernel directories; symlinks and directories may be
    const candidates = entries.filter((e) => !e.isFile());
    const stats = await Promise.all(
      candidates.map((e) => this.#fs.stat(join(dir, e.name, "kernel.json")).then((s) => (s.isFile() ? s : undefined), () => undefined)),
    );
    candidates.forEach((entry, i) => {
      const kernelStats = stats[i];
      if (!kernelStats) return;
      const path = join(dir, entry.name);
      const key = entry.name.toLowerCase();
      if (!isValidKernelName(key)) this.#warnOnce(path, `Invalid kernelspec directory name (${KERNEL_NAME_DESCRIPTION}): ${path}`);
      found.set(key, { path, stats: kernelStats });
    });
    return found;
  }

  async #discover(withNative: boolean): Promise<Map<string, Found>> {
    const perDir = await Promise.all(this.kernelDirs.map((dir) => this.#listDir(dir)));
    const found = new Map<string, Found>();
    for (const specs of perDir) {
      for (const [name, entry] of specs) {
        if (found.has(name)) continue;
        this.logger.debug?.(`Found kernel ${name} in ${dirname(entry.path)}`);
        found.set(name, entry);
      }
    }
    if (withNative && this.ensureNativeKernel) {
      if (!this.nativeKernel) this.#warnOnce("native", "Native kernel is not available: jupyter-ts bundles no kernel yet; pass nativeKernel");
      else if (!found.has(this.nativeKernel.name)) found.set(this.nativeKernel.name, { path: this.nativeKernel.resourceDir });
    }
    for (const name of found.keys()) if (!this.#allowed(name)) found.delete(name);
    return found;
  }

  async #load(name: string, found: Found): Promise<KernelSpec> {
    const file = join(found.path, "kernel.json");
    let stats = found.stats;
    if (!stats) stats = await this.#fs.stat(file).catch(() => undefined);
    let cache = parsedCache.get(this.#fs);
    if (!cache) parsedCache.set(this.#fs, (cache = new Map()));
    let entry = stats ? cache.get(file) : undefined;
    if (!entry || entry.key !== statKey(stats!)) {
      entry = { key: stats ? statKey(stats) : "" };
      try {
        entry.json = parseKernelJson(file, await readKernelJson(this.#fs, file));
      } catch (error) {
        if (!(error instanceof InvalidKernelSpecError)) throw error;
        entry.error = error;
      }
      if (stats) {
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(file, entry);
      }
    }
    if (entry.error) throw entry.error;
    return KernelSpec.fromDict(entry.json, { resourceDir: found.path, file, name });
  }

  /**
   * Names of the installed kernelspecs and their directories. The first
   * directory of {@link kernelDirs} holding a name wins; kernel.json files
   * are not read, so a broken one is listed here (and skipped by
   * {@link getAllSpecs}).
   *
   * @example
   * await new KernelSpecManager().findKernelSpecs();
   * // { python3: "/usr/share/jupyter/kernels/python3", ir: "/home/ann/.local/share/jupyter/kernels/ir" }
   */
  async findKernelSpecs(): Promise<Record<string, string>> {
    const found = await this.#discover(true);
    const isAvailable = this.isAvailable;
    if (isAvailable) {
      const keep = await Promise.all(
        [...found].map(async ([name, entry]) => {
          let spec: KernelSpec;
          try {
            spec = await this.#load(name, entry);
          } catch {
            return true; // broken kernel.json: listed here as without a filter
          }
          return isAvailable(spec);
        }),
      );
      [...found.keys()].forEach((name, i) => {
        if (!keep[i]) found.delete(name);
      });
    }
    return Object.fromEntries([...found].map(([name, entry]) => [name, entry.path]));
  }

  /**
   * The kernelspec of that name (any case). Throws {@link NoSuchKernelError}
   * (listing what is installed) when there is none, and
   * {@link InvalidKernelSpecError} when its kernel.json is broken.
   *
   * @example
   * const spec = await new KernelSpecManager().getKernelSpec("python3");
   */
  async getKernelSpec(name: string): Promise<KernelSpec> {
    assertLookupName(name);
    if (!isValidKernelName(name)) this.logger.warn(`Kernelspec name ${name} is invalid: ${KERNEL_NAME_DESCRIPTION}`);
    const key = name.toLowerCase();
    if (this.#allowed(key)) {
      // search the directories in order and stop at the first hit
      for (const dir of this.kernelDirs) {
        let entries;
        try {
          entries = await this.#fs.readdir(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        for (const entry of entries) {
          if (entry.isFile() || entry.name.toLowerCase() !== key) continue;
          const path = join(dir, entry.name);
          const stats = await this.#fs.stat(join(path, "kernel.json")).catch(() => undefined);
          if (stats?.isFile()) return this.#checkAvailable(name, await this.#load(key, { path, stats }));
        }
      }
      if (this.ensureNativeKernel && this.nativeKernel?.name === key) {
        return this.#checkAvailable(name, await this.#load(key, { path: this.nativeKernel.resourceDir }));
      }
    }
    const available = Object.keys(await this.findKernelSpecs()).sort();
    throw new NoSuchKernelError(name, available);
  }

  async #checkAvailable(name: string, spec: KernelSpec): Promise<KernelSpec> {
    if (!this.isAvailable || (await this.isAvailable(spec))) return spec;
    const available = Object.keys(await this.findKernelSpecs()).sort();
    throw new NoSuchKernelError(name, available, { reason: this.#unavailableReason(spec) });
  }

  /**
   * Every installed kernelspec with its directory: the `kernelspecs` object
   * of `jupyter kernelspec list --json`. A kernelspec whose kernel.json is
   * broken is left out with a warning to the logger.
   *
   * @example
   * const specs = await new KernelSpecManager().getAllSpecs();
   * specs.python3?.spec.display_name; // "Python 3 (ipykernel)"
   */
  async getAllSpecs(): Promise<Record<string, KernelSpecEntry>> {
    const found = await this.#discover(true);
    const loaded = await Promise.all(
      [...found].map(async ([name, entry]) => {
        try {
          const spec = await this.#load(name, entry);
          if (this.isAvailable && !(await this.isAvailable(spec))) return undefined;
          return [name, { resource_dir: entry.path, spec: spec.toDict() }] as const;
        } catch (error) {
          this.logger.warn(`Error loading kernelspec '${name}': ${(error as Error).message}`);
          return undefined;
        }
      }),
    );
    return Object.fromEntries(loaded.filter((e) => e !== undefined));
  }

  /**
   * Deletes an installed kernelspec's directory (or the symlink to it) and
   * returns its path. Throws {@link NoSuchKernelError} when not installed.
   *
   * @example
   * await new KernelSpecManager().removeKernelSpec("old-kernel"); // "/home/ann/.local/share/jupyter/kernels/old-kernel"
   */
  async removeKernelSpec(name: string): Promise<string> {
    assertLookupName(name);
    const found = await this.#discover(false);
    const entry = found.get(name.toLowerCase());
    if (!entry) throw new NoSuchKernelError(name, [...found.keys()].sort());
    this.logger.debug?.(`Removing ${entry.path}`);
    if ((await lstat(entry.path)).isSymbolicLink()) await unlink(entry.path);
    else await rm(entry.path, { recursive: true, force: true });
    return entry.path;
  }

  /** Where {@link installKernelSpec} puts a kernelspec of that name. */
  destinationDir(kernelName: string, options: Pick<InstallKernelSpecOptions, "user" | "prefix"> = {}): string {
    if (options.user) return join(this.userKernelDir, kernelName);
    if (options.prefix) return join(resolve(options.prefix), "share", "jupyter", "kernels", kernelName);
    const system = systemJupyterPath(this.#pathOptions)[0];
    if (system === undefined) {
      throw new KernelSpecOptionsError(
        "there is no system-wide Jupyter directory here (Windows without a Python environment); install with user: true or a prefix",
      );
    }
    return join(system, "kernels", kernelName);
  }

  /**
   * Copies a kernelspec directory (kernel.json and its resources) into a
   * kernel directory and returns where it went: the system-wide directory by
   * default, the user's with `user: true`, or `<prefix>/share/jupyter/kernels`.
   * The source must hold a valid kernel.json. An existing kernelspec of the
   * same name there is replaced, as in Python, unless `replace: false`.
   *
   * @example
   * await new KernelSpecManager().installKernelSpec("./my-kernel", { user: true });
   * // "/home/ann/.local/share/jupyter/kernels/my-kernel"
   */
  async installKernelSpec(sourceDir: string, options: InstallKernelSpecOptions = {}): Promise<string> {
    const source = sourceDir.replace(/[\\/]+$/, "") || sourceDir;
    const kernelName = (options.kernelName || basename(source)).toLowerCase();
    assertValidKernelName(kernelName);
    if (options.user && options.prefix) {
      throw new KernelSpecOptionsError("user and prefix exclude each other: install for the user or into a prefix, not both");
    }
    await KernelSpec.fromResourceDir(source);
    const destination = this.destinationDir(kernelName, options);
    if (resolve(source) === resolve(destination)) {
      throw new KernelSpecOptionsError(`${source} is already installed there; installing it onto itself would delete it`);
    }
    const kernelDir = dirname(destination);
    if (!this.kernelDirs.includes(kernelDir)) {
      this.logger.warn(`Installing to ${kernelDir}, which is not in ${this.kernelDirs.join(", ")}. The kernelspec may not be found.`);
    }
    const existing = await lstat(destination).catch(() => undefined);
    if (existing) {
      if (options.replace === false) throw new KernelSpecExistsError(kernelName, destination);
      this.logger.info?.(`Removing existing kernelspec in ${destination}`);
      if (existing.isDirectory()) await rm(destination, { recursive: true, force: true });
      else await unlink(destination);
    }
    await mkdir(kernelDir, { recursive: true });
    try {
      await copyTree(source, destination);
    } catch (error) {
      // leave nothing half-copied behind for a later listing to trip over
      await rm(destination, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    this.logger.info?.(`Installed kernelspec ${kernelName} in ${destination}`);
    return destination;
  }
}

/**
 * Names and directories of the installed kernelspecs, with a default
 * {@link KernelSpecManager} (or one made from `options`).
 *
 * @example
 * await findKernelSpecs(); // { python3: "/usr/share/jupyter/kernels/python3" }
 */
export function findKernelSpecs(options?: KernelSpecManagerOptions): Promise<Record<string, string>> {
  return new KernelSpecManager(options).findKernelSpecs();
}

/**
 * The kernelspec of that name; see {@link KernelSpecManager.getKernelSpec}.
 *
 * @example
 * const spec = await getKernelSpec("python3");
 */
export function getKernelSpec(name: string, options?: KernelSpecManagerOptions): Promise<KernelSpec> {
  return new KernelSpecManager(options).getKernelSpec(name);
}

/**
 * Installs a kernelspec directory; see {@link KernelSpecManager.installKernelSpec}.
 * `prefix` is where to install (as in Python's function); the manager's own
 * options, if any, go in `manager`.
 *
 * @example
 * await installKernelSpec("./my-kernel", { user: true });
 */
export function installKernelSpec(
  sourceDir: string,
  options: InstallKernelSpecOptions & { manager?: KernelSpecManagerOptions } = {},
): Promise<string> {
  const { manager, ...install } = options;
  return new KernelSpecManager(manager).installKernelSpec(sourceDir, install);
}
