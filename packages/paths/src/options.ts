import { accessSync, constants, statSync } from "node:fs";
import { posix, win32 } from "node:path";
import { expandHome, isWindows, pyJoin, pyResolve, sameFamily, underHome } from "./pypath.js";

/**
 * Where and for whom to resolve Jupyter's directories. Every field is
 * optional; the defaults describe this process. Pass `env` and `platform` to
 * compute another machine's answer (Windows paths on Linux, in tests).
 */
export interface PathOptions {
  /** The environment variables to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The OS whose rules apply; default `process.platform`. */
  platform?: NodeJS.Platform;
  /**
   * What `~` expands to; default $HOME (POSIX), %USERPROFILE% (Windows),
   * else the account's home directory. Resolved through symlinks as
   * jupyter_core does (only when `platform` is of this machine's OS family).
   */
  homedir?: string;
  /**
   * The Python environment whose `share/jupyter` and `etc/jupyter` are
   * searched: Python's `sys.prefix`. Default: $VIRTUAL_ENV, else
   * $CONDA_PREFIX, else `/usr` on Linux and other Unixes (what distribution
   * Pythons report), `/usr/local` on macOS (adds nothing beyond the system
   * directories), and none on Windows, where no Python location is typical.
   * `null` means no Python environment: no environment directories.
   */
  prefix?: string | null;
  /**
   * Python's `sys.base_prefix`: differs from `prefix` inside a virtualenv.
   * Default: a different value when `prefix` is $VIRTUAL_ENV, else `prefix`.
   */
  basePrefix?: string | null;
  /**
   * Python's user base (`site.getuserbase()`), whose `share/jupyter` and
   * `etc/jupyter` are searched after the user directories; `null` when
   * Python's user site is off. Default: off in a virtualenv or with
   * $PYTHONNOUSERSITE, else $PYTHONUSERBASE, else `~/.local`
   * (`%APPDATA%\Python` on Windows). macOS framework Pythons (python.org,
   * Homebrew) use `~/Library/Python/X.Y`: pass it to match one of those.
   */
  userBase?: string | null;
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** `~` as expanded, not resolved (platformdirs and `site` use this). */
  homedir: string;
  /** `~` resolved through symlinks (jupyter_core's `get_home_dir()`). */
  realHome: string;
  prefix: string | null;
  basePrefix: string | null;
  userBase: string | null;
}

/**
 * The environment-variable test of jupyter_core's `envset`: set to anything
 * but `no`, `n`, `false`, `off`, `0` or `0.0` (any case). An unset variable
 * gives `fallback`.
 */
export function envFlag(value: string | undefined, fallback = false): boolean {
  if (value === undefined) return fallback;
  return !["no", "n", "false", "off", "0", "0.0"].includes(value.toLowerCase());
}

function defaultPrefix(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  // an activated venv wins over the conda env it may have been made from
  if (env["VIRTUAL_ENV"]) return env["VIRTUAL_ENV"];
  if (env["CONDA_PREFIX"]) return env["CONDA_PREFIX"];
  if (isWindows(platform)) return null;
  return platform === "darwin" ? "/usr/local" : "/usr";
}

// Options already resolved pass through: the home lookup touches the disk.
const resolved = new WeakSet<object>();

/** Fills in the defaults of {@link PathOptions}. */
export function resolveOptions(options: PathOptions = {}): ResolvedOptions {
  if (resolved.has(options)) return options as ResolvedOptions;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? expandHome(env, platform);
  const prefix = options.prefix === undefined ? defaultPrefix(env, platform) : options.prefix;
  const inVenv = Boolean(env["VIRTUAL_ENV"]) && prefix === env["VIRTUAL_ENV"];
  const basePrefix = options.basePrefix === undefined ? (inVenv ? null : prefix) : options.basePrefix;
  let userBase: string | null;
  if (options.userBase !== undefined) userBase = options.userBase;
  else if (env["PYTHONNOUSERSITE"] || (prefix !== null && basePrefix !== prefix)) {
    // a venv made without --system-site-packages turns the user site off
    userBase = null;
  } else if (env["PYTHONUSERBASE"]) userBase = env["PYTHONUSERBASE"];
  else if (isWindows(platform)) userBase = pyJoin(platform, env["APPDATA"] || home, "Python");
  else userBase = underHome(home, platform, ".local");
  const result: ResolvedOptions = { env, platform, homedir: home, realHome: pyResolve(home, platform), prefix, basePrefix, userBase };
  resolved.add(result);
  return result;
}

/** jupyter_core's `_do_i_own`: owner of the path, or of its first existing parent. */
function ownedByMe(path: string, platform: NodeJS.Platform): boolean {
  // another OS's paths cannot be checked here; an activated env is usually the user's own
  if (!sameFamily(platform)) return true;
  const lib = process.platform === "win32" ? win32 : posix;
  let p = pyResolve(path, platform);
  for (;;) {
    try {
      const stats = statSync(p);
      const euid = process.geteuid?.();
      if (euid !== undefined) return stats.uid === euid;
      break;
    } catch {
      const parent = lib.dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `jupyterPath` and `jupyterConfigPath` put the Python environment's
 * directories before the user's (jupyter_core 5's
 * `prefer_environment_over_user`): $JUPYTER_PREFER_ENV_PATH when set, else
 * true inside a virtualenv or a non-base conda env that the user owns.
 *
 * @example
 * preferEnvironmentOverUser({ env: { JUPYTER_PREFER_ENV_PATH: "1" } }); // true
 */
export function preferEnvironmentOverUser(options: PathOptions = {}): boolean {
  const o = resolveOptions(options);
  const { env } = o;
  if (env["JUPYTER_PREFER_ENV_PATH"] !== undefined) return envFlag(env["JUPYTER_PREFER_ENV_PATH"]);
  if (o.prefix === null) return false;
  if (o.prefix !== o.basePrefix && ownedByMe(o.prefix, o.platform)) return true;
  const conda = env["CONDA_PREFIX"];
  return (
    conda !== undefined &&
    o.prefix.startsWith(conda) &&
    (env["CONDA_DEFAULT_ENV"] ?? "base") !== "base" &&
    ownedByMe(o.prefix, o.platform)
  );
}

/** Whether $JUPYTER_PLATFORM_DIRS asks for the platformdirs layout (jupyter_core 5, default off). */
export function usePlatformDirs(options: PathOptions = {}): boolean {
  return envFlag((options.env ?? process.env)["JUPYTER_PLATFORM_DIRS"]);
}

/** The Python environment prefix these options resolve to (`sys.prefix`), or `null`. */
export function pythonPrefix(options: PathOptions = {}): string | null {
  return resolveOptions(options).prefix;
}
