// Python's path spellings, so that our strings equal jupyter_core's byte for
// byte: `os.path.join` (which never normalizes), `str(pathlib.Path(...))`
// (which collapses separators but keeps `..`), `expanduser` and
// `Path.resolve()`. Node's `path.join` normalizes and would differ.
import { realpathSync } from "node:fs";
import { homedir as osHomedir, userInfo } from "node:os";
import { posix, win32 } from "node:path";

/** True for the platform Python calls `nt`. */
export const isWindows = (platform: NodeJS.Platform): boolean => platform === "win32";

/** The separator between entries of JUPYTER_PATH and friends (`os.pathsep`). */
export const pathsep = (platform: NodeJS.Platform): string => (isWindows(platform) ? ";" : ":");

/** `os.sep`. */
export const sep = (platform: NodeJS.Platform): string => (isWindows(platform) ? "\\" : "/");

const hostIsWindows = process.platform === "win32";

/** Whether paths of `platform` can be looked up on this machine's file system. */
export const sameFamily = (platform: NodeJS.Platform): boolean => isWindows(platform) === hostIsWindows;

function splitDrive(path: string): [drive: string, rest: string] {
  if (/^[A-Za-z]:/.test(path)) return [path.slice(0, 2), path.slice(2)];
  const unc = /^[\\/]{2}[^\\/]+[\\/]+[^\\/]+/.exec(path);
  if (unc) return [unc[0], path.slice(unc[0].length)];
  return ["", path];
}

/** `os.path.join` of the target platform: no normalization, an absolute part restarts. */
export function pyJoin(platform: NodeJS.Platform, first: string, ...rest: string[]): string {
  if (!isWindows(platform)) {
    let path = first;
    for (const part of rest) {
      if (part.startsWith("/")) path = part;
      else if (path === "" || path.endsWith("/")) path += part;
      else path += `/${part}`;
    }
    return path;
  }
  let [drive, path] = splitDrive(first);
  for (const part of rest) {
    const [partDrive, partPath] = splitDrive(part);
    if (/^[\\/]/.test(partPath)) {
      if (partDrive || !drive) drive = partDrive;
      path = partPath;
      continue;
    }
    if (partDrive && partDrive.toLowerCase() !== drive.toLowerCase()) {
      [drive, path] = [partDrive, partPath];
      continue;
    }
    if (partDrive) drive = partDrive;
    if (path !== "" && !/[\\/]$/.test(path)) path += "\\";
    path += partPath;
  }
  // "C:" + "x" is "C:x" (drive-relative), as in ntpath
  return drive + path;
}

/** `str(pathlib.Path(first, ...rest))`: joined, separators collapsed, `.` parts dropped. */
export function pyPath(platform: NodeJS.Platform, first: string, ...rest: string[]): string {
  const joined = pyJoin(platform, first, ...rest);
  if (isWindows(platform)) {
    const [drive, tail] = splitDrive(joined.replaceAll("/", "\\"));
    const rooted = tail.startsWith("\\");
    const parts = tail.split("\\").filter((p) => p !== "" && p !== ".");
    const root = rooted || drive.startsWith("\\\\") ? "\\" : "";
    const body = parts.join("\\");
    return drive + root + body || ".";
  }
  // POSIX keeps exactly two leading slashes (implementation-defined root)
  const root = /^\/\/(?!\/)/.test(joined) ? "//" : joined.startsWith("/") ? "/" : "";
  const body = joined
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
  return root + body || ".";
}

/** `str.rstrip(chars)`. */
export const rstrip = (value: string, chars: string): string => {
  let end = value.length;
  while (end > 0 && chars.includes(value[end - 1]!)) end--;
  return value.slice(0, end);
};

/**
 * What `os.path.expanduser("~")` gives in `env`: $HOME (POSIX), or
 * %USERPROFILE% / %HOMEDRIVE%%HOMEPATH% (Windows), else the account's home.
 */
export function expandHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (isWindows(platform)) {
    const profile = env["USERPROFILE"];
    if (profile !== undefined) return profile;
    const homePath = env["HOMEPATH"];
    if (homePath !== undefined) return pyJoin(platform, env["HOMEDRIVE"] ?? "", homePath);
    return osHomedir();
  }
  const home = env["HOME"];
  if (home !== undefined) return rstrip(home, "/") || "/";
  try {
    return userInfo().homedir;
  } catch {
    return osHomedir();
  }
}

/** `os.path.expanduser("~/" + tail)` given the value of `~`. */
export function underHome(home: string, platform: NodeJS.Platform, ...tail: string[]): string {
  const trimmed = rstrip(home, isWindows(platform) ? "\\/" : "/");
  return pyJoin(platform, trimmed || sep(platform), ...tail);
}

/** A real path as far as it exists, the rest kept as spelled (`os.path.realpath(strict=False)`). */
function realpathLoose(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = hostIsWindows ? win32.dirname(path) : posix.dirname(path);
    if (parent === path) return path;
    const base = hostIsWindows ? win32.basename(path) : posix.basename(path);
    return (hostIsWindows ? win32 : posix).join(realpathLoose(parent), base);
  }
}

/**
 * `str(Path(path).resolve())`: absolute, symlinks resolved. Paths of another
 * OS family (Windows answers computed on Linux) cannot be looked up here, so
 * they are only normalized.
 */
export function pyResolve(path: string, platform: NodeJS.Platform): string {
  if (!sameFamily(platform)) return pyPath(platform, path);
  const absolute = hostIsWindows ? win32.resolve(path) : posix.resolve(path);
  return realpathLoose(absolute);
}
