import { realpathSync } from "node:fs";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import type { ConnectionFileMixin } from "@jupyter-ts/connection";
import type { KernelSpec } from "@jupyter-ts/kernelspec";
import { discoverProvisioners, type DiscoveredProvisioner } from "./discovery.js";
import { InvalidProvisionerError, NoSuchProvisionerError } from "./errors.js";
import { LocalProvisioner } from "./local-provisioner.js";
import { KernelProvisionerBase, type ProvisionerLogger, type ProvisionerOptions } from "./provisioner-base.js";

/** A provisioner class: what a provisioner module's default export is. */
export type ProvisionerClass = new (options: ProvisionerOptions) => KernelProvisionerBase;

/** Options of {@link KernelProvisionerFactory}. */
export interface KernelProvisionerFactoryOptions {
  /**
   * The provisioner of kernelspecs that name none; default
   * `$JUPYTER_DEFAULT_PROVISIONER_NAME`, else `"local-provisioner"`.
   */
  defaultProvisionerName?: string;
  /**
   * Where the application is: provisioner packages are looked for in the
   * `node_modules` directories Node searches from here (walking up). Default
   * the current directory and the directory of the main script.
   */
  searchFrom?: string | readonly string[];
  /** Default `console`. */
  logger?: ProvisionerLogger;
}

/** A kernelspec's `metadata.kernel_provisioner`, with the defaults filled in. */
export interface ProvisionerConfig {
  provisionerName: string;
  config: Record<string, unknown>;
}

/** The name of the provisioner built into this package. */
export const LOCAL_PROVISIONER_NAME = "local-provisioner";

const REQUIRED_METHODS = ["poll", "wait", "sendSignal", "kill", "terminate", "launchKernel", "cleanup", "preLaunch", "postLaunch"] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The methods of {@link KernelProvisionerBase} a class lacks. A provisioner
 * package may extend another copy of `@jupyter-ts/provisioning` than the
 * application's, so the check is on the shape, not on `instanceof`.
 */
function missingMethods(cls: unknown): string[] | undefined {
  if (typeof cls !== "function" || !isObject(cls.prototype)) return undefined;
  if (cls.prototype instanceof KernelProvisionerBase) return [];
  const proto = cls.prototype as Record<string, unknown>;
  const missing: string[] = REQUIRED_METHODS.filter((m) => typeof proto[m] !== "function");
  if (!("hasProcess" in proto)) missing.push("hasProcess");
  return missing;
}

function checkClass(name: string, source: string, value: unknown): ProvisionerClass {
  const missing = missingMethods(value);
  if (missing === undefined) {
    throw new InvalidProvisionerError(
      name,
      source,
      `kernel provisioner '${name}' (${source}) is not a class: its module's default export must be a class extending KernelProvisionerBase (or LocalProvisioner) of @jupyter-ts/provisioning`,
    );
  }
  if (missing.length > 0) {
    throw new InvalidProvisionerError(
      name,
      source,
      `kernel provisioner '${name}' (${source}) lacks ${missing.join(", ")}; extend KernelProvisionerBase (or LocalProvisioner) of @jupyter-ts/provisioning`,
    );
  }
  return value as ProvisionerClass;
}

function mainScriptDir(): string | undefined {
  const main = process.argv[1];
  if (!main) return undefined;
  try {
    return dirname(realpathSync(main));
  } catch {
    return undefined;
  }
}

const defaultLogger: ProvisionerLogger = { warn: (message) => console.warn(message) };

let instance: KernelProvisionerFactory | undefined;

/**
 * Creates the provisioner a kernelspec asks for (Python's
 * `KernelProvisionerFactory`). A kernelspec names one in
 * `metadata.kernel_provisioner = { provisioner_name, config }`; without it
 * the {@link defaultProvisionerName} is used. `config` becomes the
 * constructor's `config` option.
 *
 * Provisioners come from three places, in this order of precedence:
 * {@link registerProvisioner}, the built-in `local-provisioner`, and npm
 * packages installed where the application can resolve them (the
 * `node_modules` directories from {@link searchFrom} up to the root) that
 * declare them in their `package.json`:
 *
 * ```json
 * { "name": "my-provisioner", "jupyter-ts": { "provisioners": { "docker-provisioner": "./dist/provisioner.js" } } }
 * ```
 *
 * The module's default export is the class. Packages are scanned once, on
 * first use (see {@link rescan}); modules are imported when first needed.
 *
 * @example
 * const factory = KernelProvisionerFactory.instance();
 * await factory.getProvisionerEntries(); // { "local-provisioner": "builtin", "docker-provisioner": "my-provisioner@1.0.0:./dist/provisioner.js" }
 * const provisioner = await factory.createProvisionerInstance(kernelId, spec, km);
 */
export class KernelProvisionerFactory {
  /** The provisioner of kernelspecs that name none. */
  readonly defaultProvisionerName: string;
  /** The directories whose `node_modules` (walking up) are searched. */
  readonly searchFrom: readonly string[];
  readonly logger: ProvisionerLogger;

  readonly #registered = new Map<string, ProvisionerClass>();
  readonly #loaded = new Map<string, Promise<ProvisionerClass>>();
  #scan: Promise<Map<string, DiscoveredProvisioner>> | undefined;

  constructor(options: KernelProvisionerFactoryOptions = {}) {
    this.defaultProvisionerName =
      options.defaultProvisionerName ?? (process.env["JUPYTER_DEFAULT_PROVISIONER_NAME"] || LOCAL_PROVISIONER_NAME);
    const from = options.searchFrom;
    if (typeof from === "string") this.searchFrom = [from];
    else if (from !== undefined) this.searchFrom = [...from];
    else {
      const main = mainScriptDir();
      this.searchFrom = main === undefined ? [process.cwd()] : [process.cwd(), main];
    }
    this.logger = options.logger ?? defaultLogger;
  }

  /** The process-wide factory, made with the default options on first use. */
  static instance(): KernelProvisionerFactory {
    instance ??= new KernelProvisionerFactory();
    return instance;
  }

  /**
   * Makes a provisioner class available under `name`, over any built-in or
   * installed one of that name.
   *
   * @throws InvalidProvisionerError when `cls` is not a provisioner class.
   */
  registerProvisioner(name: string, cls: ProvisionerClass): void {
    this.#registered.set(name, checkClass(name, "registered", cls));
  }

  /** Forgets the package scan: the next use looks at `node_modules` again. */
  rescan(): void {
    this.#scan = undefined;
    this.#loaded.clear();
  }

  #discovered(): Promise<Map<string, DiscoveredProvisioner>> {
    this.#scan ??= discoverProvisioners(this.searchFrom, this.logger);
    return this.#scan;
  }

  /**
   * Every available provisioner: its name and where it comes from
   * (`"registered"`, `"builtin"`, or `package@version:./module`), sorted by
   * name. Python's `get_provisioner_entries`.
   */
  async getProvisionerEntries(): Promise<Record<string, string>> {
    const entries = new Map<string, string>();
    for (const [name, found] of await this.#discovered()) entries.set(name, `${found.packageName}@${found.packageVersion}:${found.module}`);
    entries.set(LOCAL_PROVISIONER_NAME, "builtin");
    for (const name of this.#registered.keys()) entries.set(name, "registered");
    return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * The provisioner a kernelspec asks for and its config: its
   * `metadata.kernel_provisioner` when that has a `provisioner_name`, else
   * the default provisioner with `{}`.
   */
  getProvisionerConfig(spec: KernelSpec): ProvisionerConfig {
    const stanza = spec.metadata["kernel_provisioner"];
    if (isObject(stanza) && typeof stanza["provisioner_name"] === "string") {
      const config = stanza["config"];
      return { provisionerName: stanza["provisioner_name"], config: isObject(config) ? { ...config } : {} };
    }
    return { provisionerName: this.defaultProvisionerName, config: {} };
  }

  async #has(name: string): Promise<boolean> {
    return this.#registered.has(name) || name === LOCAL_PROVISIONER_NAME || (await this.#discovered()).has(name);
  }

  /**
   * Whether the provisioner the kernelspec asks for is available (declared;
   * its module is loaded only when a kernel starts). Warns when not, as
   * Python does.
   */
  async isProvisionerAvailable(spec: KernelSpec): Promise<boolean> {
    const { provisionerName } = this.getProvisionerConfig(spec);
    if (await this.#has(provisionerName)) return true;
    this.logger.warn(
      `kernel '${spec.displayName || spec.name}' asks for kernel provisioner '${provisionerName}', which is not available; install the package that provides it`,
    );
    return false;
  }

  /**
   * A filter for `KernelSpecManagerOptions.isAvailable`: kernelspecs whose
   * provisioner is missing are left out of listings and not found by name.
   *
   * @example
   * const ksm = new KernelSpecManager({ isAvailable: KernelProvisionerFactory.instance().kernelSpecFilter() });
   */
  kernelSpecFilter(): (spec: KernelSpec) => Promise<boolean> {
    return (spec) => this.isProvisionerAvailable(spec);
  }

  /**
   * The class of a provisioner, importing its module on first use.
   *
   * @throws NoSuchProvisionerError when there is none of that name;
   *   InvalidProvisionerError when its module fails to load or exports no
   *   provisioner class.
   */
  async getProvisionerClass(name: string, kernelName = ""): Promise<ProvisionerClass> {
    const registered = this.#registered.get(name);
    if (registered) return registered;
    if (name === LOCAL_PROVISIONER_NAME) return LocalProvisioner;
    const found = (await this.#discovered()).get(name);
    if (!found) throw new NoSuchProvisionerError(name, kernelName, Object.keys(await this.getProvisionerEntries()));
    let loading = this.#loaded.get(name);
    if (!loading) {
      loading = this.#load(found);
      this.#loaded.set(name, loading);
      // a failed import may succeed once the package is fixed: do not cache it
      loading.catch(() => this.#loaded.delete(name));
    }
    return loading;
  }

  async #load(found: DiscoveredProvisioner): Promise<ProvisionerClass> {
    const source = `${found.packageName}@${found.packageVersion}:${found.module}`;
    let module: Record<string, unknown>;
    try {
      module = (await import(/* @vite-ignore */ pathToFileURL(found.modulePath).href)) as Record<string, unknown>;
    } catch (cause) {
      throw new InvalidProvisionerError(
        found.name,
        source,
        `kernel provisioner '${found.name}' (${source}) failed to load from ${found.modulePath}: ${(cause as Error).message}; reinstall or fix the package`,
        { cause },
      );
    }
    let cls = module["default"];
    // a CommonJS module's exports object, or its `default` property
    if (isObject(cls) && typeof cls["default"] === "function") cls = cls["default"];
    return checkClass(found.name, source, cls);
  }

  /**
   * The provisioner for a kernel: the class the kernelspec asks for,
   * constructed with `{ kernelId, kernelSpec, parent, config, logger }`.
   *
   * @throws NoSuchProvisionerError naming the provisioner, the kernelspec and
   *   the installed provisioners; InvalidProvisionerError when its module is
   *   broken.
   *
   * @example
   * const provisioner = await KernelProvisionerFactory.instance().createProvisionerInstance(kernelId, spec, km);
   */
  async createProvisionerInstance(
    kernelId: string,
    spec: KernelSpec,
    parent: ConnectionFileMixin,
    options: { logger?: ProvisionerLogger } = {},
  ): Promise<KernelProvisionerBase> {
    const { provisionerName, config } = this.getProvisionerConfig(spec);
    const cls = await this.getProvisionerClass(provisionerName, spec.name || spec.displayName);
    this.logger.debug?.(`starting kernel '${spec.displayName || spec.name}' with kernel provisioner ${provisionerName}`);
    return new cls({ kernelId, kernelSpec: spec, parent, config, logger: options.logger ?? this.logger });
  }
}
