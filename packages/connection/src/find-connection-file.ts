import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { jupyterRuntimeDir } from "@jupyter-ts/paths";
import { ConnectionFileNotFoundError } from "./errors.js";

/** Options of {@link findConnectionFile}. */
export interface FindConnectionFileOptions {
  /** Directories to search; default the current directory, then the Jupyter runtime dir. */
  path?: string | readonly string[];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `$VAR`, `${VAR}` (unset ones left as they are) and a leading `~`, as Python's `_expand_path`. */
function expandPath(path: string): string {
  const vars = path.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const value = process.env[name.startsWith("{") ? name.slice(1, -1) : name];
    return value ?? whole;
  });
  return vars === "~" || vars.startsWith(`~${sep}`) || vars.startsWith("~/") ? homedir() + vars.slice(1) : vars;
}

const MAGIC = /[*?[]/;

/** One path segment of a glob (`*`, `?`, `[seq]`, `[!seq]`, as Python's fnmatch) as a RegExp. */
function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      let j = i + 1;
      if (segment[j] === "!") j++;
      if (segment[j] === "]") j++;
      const close = segment.indexOf("]", j);
      if (close === -1) {
        re += "\\[";
      } else {
        let body = segment.slice(i + 1, close).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        else if (body.startsWith("^")) body = `\\${body}`;
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** Python's `glob.glob` for one pattern: files only, hidden names only when the pattern starts with a dot. */
async function glob(pattern: string): Promise<string[]> {
  const segments = pattern.split(/[\\/]+/).filter((s, i) => s !== "" || i === 0);
  let current = [isAbsolute(pattern) ? (segments.shift(), sep) : "."];
  for (const segment of segments) {
    if (!MAGIC.test(segment)) {
      current = current.map((dir) => join(dir, segment));
      continue;
    }
    const re = segmentRegExp(segment);
    const next: string[] = [];
    for (const dir of current) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (name.startsWith(".") && !segment.startsWith(".")) continue;
        if (re.test(name)) next.push(join(dir, name));
      }
    }
    current = next;
  }
  const files: string[] = [];
  for (const path of current) if (await isFile(path)) files.push(path);
  return files;
}

/**
 * Finds a kernel's connection file and returns its absolute path, the way
 * jupyter_client does:
 *
 * 1. an absolute path to an existing file is returned as is;
 * 2. otherwise `filename` is looked for in each `path` directory (`$VARS`
 *    and `~` expanded);
 * 3. otherwise it is a glob: `filename` itself when it has a `*`, else
 *    `*filename*` (so a kernel id, or part of one, is enough). Of several
 *    matches, the most recently modified wins.
 *
 * @throws ConnectionFileNotFoundError listing where it looked.
 *
 * @example
 * await findConnectionFile();                 // the newest kernel-*.json here or in the runtime dir
 * await findConnectionFile("6f1c");           // .../runtime/kernel-6f1c2a....json
 * await findConnectionFile("kernel-*.json", { path: "/tmp/kernels" });
 */
export async function findConnectionFile(
  filename = "kernel-*.json",
  options: FindConnectionFileOptions = {},
): Promise<string> {
  const name = filename.replace(/^"+|"+$/g, "").replace(/^'+|'+$/g, "");
  const given = options.path ?? [".", jupyterRuntimeDir()];
  const dirs = typeof given === "string" ? [given] : [...given];

  if (isAbsolute(name) && (await isFile(name))) return name;
  for (const dir of dirs) {
    const candidate = expandPath(join(dir === "." ? process.cwd() : dir, name));
    if (await isFile(candidate)) return resolve(candidate);
  }

  const pattern = name.includes("*") ? name : `*${name}*`;
  const matches: string[] = [];
  for (const full of isAbsolute(pattern) ? [pattern] : dirs.map((dir) => join(dir, pattern))) {
    for (const match of await glob(full)) matches.push(resolve(match));
  }
  const unique = [...new Set(matches)];
  if (unique.length === 0) {
    const searched = isAbsolute(pattern) ? [dirname(pattern)] : dirs.map((d) => resolve(d));
    throw new ConnectionFileNotFoundError(
      filename,
      searched,
      `no connection file ${JSON.stringify(filename)}: looked for it by name, then for ${JSON.stringify(pattern)}, in ${searched.join(", ")} (is the kernel running? give the full path, or { path } to search elsewhere)`,
    );
  }
  if (unique.length === 1) return unique[0] as string;
  // jupyter_client picks the latest *access* time; the modification time says
  // more (many file systems do not update atime) and is what this uses.
  let best = unique[0] as string;
  let bestTime = -Infinity;
  for (const path of unique) {
    const time = (await stat(path)).mtimeMs;
    if (time >= bestTime) {
      best = path;
      bestTime = time;
    }
  }
  return best;
}
