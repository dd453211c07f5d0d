import type { Dirent } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import type { ProvisionerLogger } from "./provisioner-base.js";

/** A provisioner declared by an installed package's `package.json` (`"jupyter-ts": { "provisioners": { name: "./module.js" } }`). */
export interface DiscoveredProvisioner {
  /** The provisioner's name, as kernelspecs give it in `metadata.kernel_provisioner.provisioner_name`. */
  name: string;
  /** The declaring package's name and version. */
  packageName: string;
  packageVersion: string;
  /** The package's directory (as found, symlinks not resolved). */
  packageDir: string;
  /** The module as declared (`./dist/provisioner.js`) and as an absolute path. */
  module: string;
  modulePath: string;
}

/** The `node_modules` directories Node searches from `dir`, nearest first (as `Module._nodeModulePaths`). */
export function nodeModulesDirs(dir: string): string[] {
  const dirs: string[] = [];
  let current = resolve(dir);
  for (;;) {
    if (basename(current) !== "node_modules") dirs.push(join(current, "node_modules"));
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return dirs;
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

const maybePackage = (entry: Dirent): boolean => !entry.name.startsWith(".") && (entry.isDirectory() || entry.isSymbolicLink());

/** Every package directory directly in one `node_modules` (scoped ones too). */
async function packageDirs(nodeModules: string): Promise<string[]> {
  const entries = (await listDir(nodeModules)).filter(maybePackage);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(nodeModules, entry.name);
      if (!entry.name.startsWith("@")) return [path];
      return (await listDir(path)).filter(maybePackage).map((e) => join(path, e.name));
    }),
  );
  return nested.flat();
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The provisioners one package declares; a broken package.json warns and declares none. */
async function readDeclarations(packageDir: string, logger: ProvisionerLogger): Promise<DiscoveredProvisioner[]> {
  const file = join(packageDir, "package.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  // Most packages say nothing about us: skip the parse.
  if (!text.includes('"jupyter-ts"')) return [];
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (error) {
    logger.warn(`ignoring ${file} while looking for kernel provisioners: not valid JSON (${(error as Error).message})`);
    return [];
  }
  if (!isObject(pkg)) return [];
  const section = pkg["jupyter-ts"];
  if (!isObject(section) || section["provisioners"] === undefined) return [];
  const provisioners = section["provisioners"];
  const packageName = typeof pkg["name"] === "string" ? pkg["name"] : basename(packageDir);
  const packageVersion = typeof pkg["version"] === "string" ? pkg["version"] : "0.0.0";
  if (!isObject(provisioners)) {
    logger.warn(`ignoring "jupyter-ts".provisioners of ${file}: it must be an object of provisioner name to module path`);
    return [];
  }
  const found: DiscoveredProvisioner[] = [];
  for (const [name, module] of Object.entries(provisioners)) {
    if (typeof module !== "string" || module === "" || isAbsolute(module)) {
      logger.warn(`ignoring provisioner '${name}' of ${file}: its module must be a path relative to the package, like "./dist/provisioner.js"`);
      continue;
    }
    const modulePath = resolve(packageDir, module);
    if (!(modulePath + sep).startsWith(resolve(packageDir) + sep)) {
      logger.warn(`ignoring provisioner '${name}' of ${file}: its module ${module} is outside the package`);
      continue;
    }
    found.push({ name, packageName, packageVersion, packageDir, module, modulePath });
  }
  return found;
}

/**
 * The provisioners declared by the packages installed in the `node_modules`
 * directories Node would search from each of `from` (nearest first). The
 * first declaration of a name wins; a different package declaring it again
 * gets a warning.
 */
export async function discoverProvisioners(from: readonly string[], logger: ProvisionerLogger): Promise<Map<string, DiscoveredProvisioner>> {
  const seen = new Set<string>();
  const nodeModules = from.flatMap(nodeModulesDirs).filter((dir) => !seen.has(dir) && seen.add(dir));
  const perDir = await Promise.all(
    nodeModules.map(async (dir) => {
      const packages = await packageDirs(dir);
      return (await Promise.all(packages.map((p) => readDeclarations(p, logger)))).flat();
    }),
  );
  const found = new Map<string, DiscoveredProvisioner>();
  for (const declared of perDir.flat()) {
    const first = found.get(declared.name);
    if (!first) found.set(declared.name, declared);
    else if (first.packageName !== declared.packageName) {
      logger.warn(
        `kernel provisioner '${declared.name}' is declared by ${first.packageName} (${first.packageDir}) and by ` +
          `${declared.packageName} (${declared.packageDir}); using the first`,
      );
    }
  }
  return found;
}
