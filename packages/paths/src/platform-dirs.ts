// The subset of the `platformdirs` package (4.12) that jupyter_core uses when
// JUPYTER_PLATFORM_DIRS is on: user/site data and config dirs, appauthor off,
// multipath on. Windows folders come from the environment here, where Python
// asks the shell (SHGetKnownFolderPath); the two agree on ordinary machines.
import type { ResolvedOptions } from "./options.js";
import { isWindows, pathsep, pyJoin, pyPath, underHome } from "./pypath.js";

/** jupyter_core's APPNAME: capitalized on Windows and macOS, except under Homebrew. */
export function appName(o: ResolvedOptions): string {
  if (isWindows(o.platform)) return "Jupyter";
  if (o.platform === "darwin" && !(o.prefix ?? "").startsWith("/opt/homebrew")) return "Jupyter";
  return "jupyter";
}

// platformdirs ignores relative XDG values, as the XDG spec says to
function xdgHome(o: ResolvedOptions, name: string): string | undefined {
  const value = (o.env[name] ?? "").trim();
  return value.startsWith("/") ? value : undefined;
}

function xdgList(o: ResolvedOptions, name: string): string[] {
  return (o.env[name] ?? "")
    .split(pathsep(o.platform))
    .map((p) => p.trim())
    .filter((p) => p.startsWith("/"));
}

function winFolder(o: ResolvedOptions, folder: "LOCAL_APPDATA" | "COMMON_APPDATA"): string {
  const override = (o.env[`WIN_PD_OVERRIDE_${folder}`] ?? "").trim();
  if (override) return override;
  if (folder === "LOCAL_APPDATA") return o.env["LOCALAPPDATA"] || pyJoin(o.platform, o.homedir, "AppData", "Local");
  return o.env["PROGRAMDATA"] || o.env["ALLUSERSPROFILE"] || "C:\\ProgramData";
}

const HOMEBREW_PYTHON = /^(.+)\/opt\/python[^/]*\/Frameworks\/Python\.framework\/Versions\/[^/]+$/s;

function macSiteDirs(o: ResolvedOptions, name: string): string[] {
  const dirs: string[] = [];
  // Homebrew's framework Python: <brew>/opt/python@3.x/Frameworks/...
  const brew = HOMEBREW_PYTHON.exec(o.basePrefix ?? "")?.[1];
  if (brew !== undefined) dirs.push(pyJoin(o.platform, `${brew}/share`, name));
  dirs.push(pyJoin(o.platform, "/Library/Application Support", name));
  return dirs;
}

/** `platformdirs.user_data_dir(APPNAME, appauthor=False)`. */
export function userDataDir(o: ResolvedOptions): string {
  const name = appName(o);
  if (isWindows(o.platform)) return pyJoin(o.platform, pyPath(o.platform, winFolder(o, "LOCAL_APPDATA")), name);
  const xdg = xdgHome(o, "XDG_DATA_HOME");
  if (xdg) return pyJoin(o.platform, xdg, name);
  if (o.platform === "darwin") return pyJoin(o.platform, underHome(o.homedir, o.platform, "Library", "Application Support"), name);
  return pyJoin(o.platform, underHome(o.homedir, o.platform, ".local", "share"), name);
}

/** `platformdirs.user_config_dir(APPNAME, appauthor=False)`. */
export function userConfigDir(o: ResolvedOptions): string {
  const name = appName(o);
  if (isWindows(o.platform)) return userDataDir(o);
  const xdg = xdgHome(o, "XDG_CONFIG_HOME");
  if (xdg) return pyJoin(o.platform, xdg, name);
  if (o.platform === "darwin") return pyJoin(o.platform, underHome(o.homedir, o.platform, "Library", "Application Support"), name);
  return pyJoin(o.platform, underHome(o.homedir, o.platform, ".config"), name);
}

/** `platformdirs.site_data_dir(APPNAME, appauthor=False, multipath=True).split(os.pathsep)`. */
export function siteDataDirs(o: ResolvedOptions): string[] {
  const name = appName(o);
  if (isWindows(o.platform)) return [pyJoin(o.platform, pyPath(o.platform, winFolder(o, "COMMON_APPDATA")), name)];
  const xdg = xdgList(o, "XDG_DATA_DIRS");
  if (xdg.length > 0) return xdg.map((p) => pyJoin(o.platform, p, name));
  if (o.platform === "darwin") return macSiteDirs(o, name);
  return ["/usr/local/share", "/usr/share"].map((p) => pyJoin(o.platform, p, name));
}

/** `platformdirs.site_config_dir(APPNAME, appauthor=False, multipath=True).split(os.pathsep)`. */
export function siteConfigDirs(o: ResolvedOptions): string[] {
  const name = appName(o);
  if (isWindows(o.platform)) return siteDataDirs(o);
  const xdg = xdgList(o, "XDG_CONFIG_DIRS");
  if (xdg.length > 0) return xdg.map((p) => pyJoin(o.platform, p, name));
  if (o.platform === "darwin") return macSiteDirs(o, name);
  return [pyJoin(o.platform, "/etc/xdg", name)];
}
