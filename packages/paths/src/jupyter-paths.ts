import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envFlag, preferEnvironmentOverUser, resolveOptions, usePlatformDirs, type PathOptions, type ResolvedOptions } from "./options.js";
import { siteConfigDirs, siteDataDirs, userConfigDir, userDataDir } from "./platform-dirs.js";
import { isWindows, pathsep, pyJoin, pyPath, pyResolve, rstrip, sep } from "./pypath.js";

// One blank config dir per process and temp root, as jupyter_core's _mkdtemp_once.
const cleanConfigDirs = new Map<string, string>();

function cleanConfigDir(env: NodeJS.ProcessEnv): string {
  // tempfile.gettempdir() reads TMPDIR, TEMP, TMP in that order
  const root = env["TMPDIR"] || env["TEMP"] || env["TMP"] || tmpdir();
  let dir = cleanConfigDirs.get(root);
  if (dir === undefined) {
    dir = mkdtempSync(join(root, "jupyter-clean-cfg-"));
    cleanConfigDirs.set(root, dir);
  }
  return dir;
}

function configDir(o: ResolvedOptions): string {
  if (o.env["JUPYTER_NO_CONFIG"]) return cleanConfigDir(o.env);
  if (o.env["JUPYTER_CONFIG_DIR"]) return o.env["JUPYTER_CONFIG_DIR"];
  if (usePlatformDirs(o)) return userConfigDir(o);
  return pyJoin(o.platform, o.realHome, ".jupyter");
}

function dataDir(o: ResolvedOptions): string {
  if (o.env["JUPYTER_DATA_DIR"]) return o.env["JUPYTER_DATA_DIR"];
  if (usePlatformDirs(o)) return userDataDir(o);
  if (o.platform === "darwin") return pyPath(o.platform, o.realHome, "Library", "Jupyter");
  if (isWindows(o.platform)) {
    const appdata = o.env["APPDATA"];
    if (appdata) return pyResolve(pyJoin(o.platform, appdata, "jupyter"), o.platform);
    return pyJoin(o.platform, configDir(o), "data");
  }
  const xdg = o.env["XDG_DATA_HOME"] || pyJoin(o.platform, o.realHome, ".local", "share");
  return pyJoin(o.platform, xdg, "jupyter");
}

/** `$PROGRAMDATA` when $JUPYTER_USE_PROGRAMDATA opts in (Windows; jupyter_core 5.8+). */
function programData(o: ResolvedOptions): string | undefined {
  if (!isWindows(o.platform) || !envFlag(o.env["JUPYTER_USE_PROGRAMDATA"])) return undefined;
  return o.env["PROGRAMDATA"] || undefined;
}

const prefixed = (o: ResolvedOptions, ...tail: string[]): string[] =>
  o.prefix === null ? [] : [pyPath(o.platform, o.prefix, ...tail)];

function systemData(o: ResolvedOptions): string[] {
  if (usePlatformDirs(o)) {
    // %PROGRAMDATA% is writable by every user, so Windows trusts it only on request
    if (isWindows(o.platform) && !envFlag(o.env["JUPYTER_USE_PROGRAMDATA"])) return prefixed(o, "share", "jupyter");
    return siteDataDirs(o);
  }
  if (isWindows(o.platform)) {
    const pd = programData(o);
    return pd ? [pyJoin(o.platform, pd, "jupyter")] : prefixed(o, "share", "jupyter");
  }
  return ["/usr/local/share/jupyter", "/usr/share/jupyter"];
}

function systemConfig(o: ResolvedOptions): string[] {
  if (usePlatformDirs(o)) {
    if (isWindows(o.platform) && !envFlag(o.env["JUPYTER_USE_PROGRAMDATA"])) return prefixed(o, "etc", "jupyter");
    return siteConfigDirs(o);
  }
  if (isWindows(o.platform)) {
    const pd = programData(o);
    return pd ? [pyPath(o.platform, pd, "jupyter")] : prefixed(o, "etc", "jupyter");
  }
  return ["/usr/local/etc/jupyter", "/etc/jupyter"];
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Splits a JUPYTER_PATH-style variable as Python does: empty entries kept, trailing separators stripped. */
function splitPathVar(o: ResolvedOptions, name: string): string[] {
  const value = o.env[name];
  if (!value) return [];
  return value.split(pathsep(o.platform)).map((p) => rstrip(p, sep(o.platform)));
}

function userSite(o: ResolvedOptions, first: string, ...tail: string[]): string[] {
  const user = [first];
  if (o.userBase) {
    const dir = pyPath(o.platform, o.userBase, ...tail);
    if (!user.includes(dir)) user.push(dir);
  }
  return user;
}

function orderEnvUser(o: ResolvedOptions, env: string[], user: string[]): string[] {
  return preferEnvironmentOverUser(o) ? [...env, ...user] : [...user, ...env];
}

/**
 * The user's Jupyter config directory: $JUPYTER_CONFIG_DIR, else `~/.jupyter`
 * (or the platformdirs config dir with $JUPYTER_PLATFORM_DIRS). With
 * $JUPYTER_NO_CONFIG set, a fresh empty temporary directory (the same one for
 * the life of the process), as jupyter_core does.
 *
 * @example
 * jupyterConfigDir(); // "/home/ann/.jupyter"
 */
export function jupyterConfigDir(options?: PathOptions): string {
  return configDir(resolveOptions(options));
}

/**
 * The user's Jupyter data directory (kernelspecs installed with `--user`
 * live in its `kernels/`): $JUPYTER_DATA_DIR, else `~/.local/share/jupyter`
 * ($XDG_DATA_HOME/jupyter) on Linux, `~/Library/Jupyter` on macOS,
 * `%APPDATA%\jupyter` on Windows.
 *
 * @example
 * jupyterDataDir(); // "/home/ann/.local/share/jupyter"
 * jupyterDataDir({ platform: "darwin", homedir: "/Users/ann", env: {} }); // "/Users/ann/Library/Jupyter"
 */
export function jupyterDataDir(options?: PathOptions): string {
  return dataDir(resolveOptions(options));
}

/**
 * The directory for connection files and other transient files:
 * $JUPYTER_RUNTIME_DIR, else `<data dir>/runtime`. Like jupyter_core,
 * $XDG_RUNTIME_DIR is not used. Nothing is created; see `ensureRuntimeDir`.
 *
 * @example
 * jupyterRuntimeDir(); // "/home/ann/.local/share/jupyter/runtime"
 */
export function jupyterRuntimeDir(options?: PathOptions): string {
  const o = resolveOptions(options);
  if (o.env["JUPYTER_RUNTIME_DIR"]) return o.env["JUPYTER_RUNTIME_DIR"];
  return pyJoin(o.platform, dataDir(o), "runtime");
}

/**
 * The system-wide data directories (jupyter_core's `SYSTEM_JUPYTER_PATH`):
 * `/usr/local/share/jupyter` and `/usr/share/jupyter` on Linux and macOS;
 * on Windows `<prefix>\share\jupyter`, or `%PROGRAMDATA%\jupyter` with
 * $JUPYTER_USE_PROGRAMDATA. The first is where `installKernelSpec` puts a
 * system-wide kernelspec.
 */
export function systemJupyterPath(options?: PathOptions): string[] {
  return systemData(resolveOptions(options));
}

/** The Python environment's data directories (`ENV_JUPYTER_PATH`): `<prefix>/share/jupyter`, or none. */
export function envJupyterPath(options?: PathOptions): string[] {
  return prefixed(resolveOptions(options), "share", "jupyter");
}

/** The system-wide config directories (`SYSTEM_CONFIG_PATH`): `/usr/local/etc/jupyter`, `/etc/jupyter` on POSIX. */
export function systemConfigPath(options?: PathOptions): string[] {
  return systemConfig(resolveOptions(options));
}

/** The Python environment's config directories (`ENV_CONFIG_PATH`): `<prefix>/etc/jupyter`, or none. */
export function envConfigPath(options?: PathOptions): string[] {
  return prefixed(resolveOptions(options), "etc", "jupyter");
}

/**
 * The directories searched for Jupyter data files, highest priority first,
 * each with `subdirs` appended (`jupyterPath("kernels")` is the kernelspec
 * search path). In order: the entries of $JUPYTER_PATH; the user data dir
 * and Python's user-site `share/jupyter`; the environment's
 * `<prefix>/share/jupyter` (before the user ones with
 * $JUPYTER_PREFER_ENV_PATH, or in an activated virtualenv or conda env); the
 * system directories, without repeating one already listed.
 *
 * @example
 * jupyterPath("kernels");
 * // ["/home/ann/.local/share/jupyter/kernels", "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]
 * jupyterPath({ env: { ...process.env, JUPYTER_PATH: "/opt/a:/opt/b" } });
 * // ["/opt/a", "/opt/b", "/home/ann/.local/share/jupyter", ...]
 */
export function jupyterPath(options?: PathOptions): string[];
export function jupyterPath(subdirs: string | readonly string[], options?: PathOptions): string[];
export function jupyterPath(first?: string | readonly string[] | PathOptions, second?: PathOptions): string[] {
  const subdirs = typeof first === "string" ? [first] : Array.isArray(first) ? (first as readonly string[]) : [];
  const o = resolveOptions(typeof first === "object" && !Array.isArray(first) ? (first as PathOptions) : second);
  const paths = splitPathVar(o, "JUPYTER_PATH");
  const user = userSite(o, dataDir(o), "share", "jupyter");
  const envDirs = prefixed(o, "share", "jupyter");
  const system = systemData(o);
  // on Windows env and system are the same directory: keep it preferable
  const env = sameList(envDirs, system) ? envDirs : envDirs.filter((p) => !system.includes(p));
  paths.push(...orderEnvUser(o, env, user));
  for (const p of system) if (!paths.includes(p)) paths.push(p);
  return subdirs.length === 0 ? paths : paths.map((p) => pyJoin(o.platform, p, ...subdirs));
}

/**
 * The directories searched for Jupyter config files, highest priority first:
 * $JUPYTER_CONFIG_PATH, the user config dir and Python's user-site
 * `etc/jupyter`, `<prefix>/etc/jupyter` (ordered as in {@link jupyterPath}),
 * then the system ones. With $JUPYTER_NO_CONFIG, only the blank temporary
 * config dir.
 *
 * @example
 * jupyterConfigPath();
 * // ["/home/ann/.jupyter", "/home/ann/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"]
 */
export function jupyterConfigPath(options?: PathOptions): string[] {
  const o = resolveOptions(options);
  if (o.env["JUPYTER_NO_CONFIG"]) return [configDir(o)];
  const paths = splitPathVar(o, "JUPYTER_CONFIG_PATH");
  const user = userSite(o, configDir(o), "etc", "jupyter");
  const envDirs = prefixed(o, "etc", "jupyter");
  const system = systemConfig(o);
  const same = sameList(envDirs, system);
  const env = same ? envDirs : envDirs.filter((p) => !system.includes(p));
  paths.push(...orderEnvUser(o, env, user));
  if (!same) paths.push(...system);
  return paths;
}

/** What `jupyter --paths --json` prints. */
export interface JupyterPathsListing {
  runtime: string[];
  config: string[];
  data: string[];
}

/**
 * All three lists at once, in the shape of `jupyter --paths --json`.
 *
 * @example
 * const { data, config, runtime } = listJupyterPaths();
 */
export function listJupyterPaths(options?: PathOptions): JupyterPathsListing {
  const o = resolveOptions(options);
  return { runtime: [jupyterRuntimeDir(o)], config: jupyterConfigPath(o), data: jupyterPath(o) };
}
