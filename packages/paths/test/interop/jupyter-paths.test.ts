// Our answer must equal `jupyter --paths --json` of the real jupyter_core,
// run with the same environment. Debian ships jupyter_core 4.12; rows where
// 5.x (which we implement) differs from 4.x run only against a 5.x peer and
// are pinned down by test/paths.test.ts instead.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import { listJupyterPaths, type JupyterPathsListing, type PathOptions } from "../../src/index.js";

const peer = requirePeer(
  findJupyterPython(),
  "Python with jupyter_core (Debian's /usr/bin/python3)",
  "apt-get install python3-jupyter-core python3-jupyter-client python3-zmq",
);

interface PythonFacts {
  version: string;
  prefix: string;
  sitePackages: string;
}

function pythonFacts(python: string): PythonFacts {
  const code = "import jupyter_core, os, sys; print(jupyter_core.__version__); print(sys.prefix); print(os.path.dirname(os.path.dirname(jupyter_core.__file__)))";
  const r = spawnSync(python, ["-c", code], { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${python} cannot import jupyter_core: ${r.stderr}`);
  const [version = "", prefix = "", sitePackages = ""] = r.stdout.trim().split("\n");
  return { version, prefix, sitePackages };
}

function pythonPaths(python: string, env: NodeJS.ProcessEnv): JupyterPathsListing {
  const r = spawnSync(python, ["-m", "jupyter_core.command", "--paths", "--json"], { env, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`jupyter --paths failed (${r.status}): ${r.stderr}`);
  // stderr carries debugger and deprecation warnings; the answer is on stdout
  return JSON.parse(r.stdout) as JupyterPathsListing;
}

interface Row {
  name: string;
  env: (dirs: Dirs) => NodeJS.ProcessEnv;
  /** Run in the virtualenv made from the peer Python (else the peer itself). */
  venv?: boolean;
  /** jupyter_core 4.x answers differently: compare only with a 5.x peer. */
  since5?: string;
}

interface Dirs {
  tmp: string;
  home: string;
  venv: string;
  prefix: string;
}

const rows: Row[] = [
  { name: "defaults", env: () => ({}) },
  { name: "JUPYTER_PATH with several entries", env: () => ({ JUPYTER_PATH: "/opt/jp/one:/opt/jp/two/:/opt/jp/three" }) },
  { name: "JUPYTER_PATH with an empty entry and a trailing separator", env: () => ({ JUPYTER_PATH: "/opt/jp/a::/opt/jp/b:" }) },
  { name: "JUPYTER_DATA_DIR", env: ({ tmp }) => ({ JUPYTER_DATA_DIR: join(tmp, "data") }) },
  { name: "JUPYTER_RUNTIME_DIR", env: ({ tmp }) => ({ JUPYTER_RUNTIME_DIR: join(tmp, "rt") }) },
  { name: "JUPYTER_CONFIG_DIR", env: ({ tmp }) => ({ JUPYTER_CONFIG_DIR: join(tmp, "cfg") }) },
  { name: "JUPYTER_CONFIG_PATH with several entries", env: () => ({ JUPYTER_CONFIG_PATH: "/opt/cfg/one/:/opt/cfg/two" }) },
  { name: "XDG_DATA_HOME", env: ({ tmp }) => ({ XDG_DATA_HOME: join(tmp, "xdg-data") }) },
  {
    name: "XDG_CONFIG_HOME and XDG_RUNTIME_DIR (not used without platform dirs)",
    env: ({ tmp }) => ({ XDG_CONFIG_HOME: join(tmp, "xdg-config"), XDG_RUNTIME_DIR: join(tmp, "xdg-run") }),
  },
  { name: "empty variables count as unset", env: () => ({ JUPYTER_DATA_DIR: "", XDG_DATA_HOME: "", JUPYTER_PATH: "", JUPYTER_CONFIG_DIR: "" }) },
  { name: "JUPYTER_NO_CONFIG", env: () => ({ JUPYTER_NO_CONFIG: "1" }) },
  { name: "PYTHONUSERBASE", env: ({ tmp }) => ({ PYTHONUSERBASE: join(tmp, "userbase") }) },
  { name: "PYTHONNOUSERSITE", env: () => ({ PYTHONNOUSERSITE: "1" }) },
  { name: "JUPYTER_PLATFORM_DIRS=0", env: () => ({ JUPYTER_PLATFORM_DIRS: "0" }) },
  {
    name: "JUPYTER_PREFER_ENV_PATH=1 in a conda base env",
    env: ({ prefix }) => ({ JUPYTER_PREFER_ENV_PATH: "1", CONDA_PREFIX: prefix, CONDA_DEFAULT_ENV: "base" }),
  },
  { name: "JUPYTER_PREFER_ENV_PATH=1 in a virtualenv", venv: true, env: ({ venv }) => ({ JUPYTER_PREFER_ENV_PATH: "1", VIRTUAL_ENV: venv }) },
  { name: "JUPYTER_PREFER_ENV_PATH=0 in a virtualenv", venv: true, env: ({ venv }) => ({ JUPYTER_PREFER_ENV_PATH: "0", VIRTUAL_ENV: venv }) },
  { name: "JUPYTER_PREFER_ENV_PATH=off in a virtualenv", venv: true, env: ({ venv }) => ({ JUPYTER_PREFER_ENV_PATH: "off", VIRTUAL_ENV: venv }) },
  {
    name: "a custom HOME through a symlink",
    env: ({ tmp }) => ({ HOME: join(tmp, "linked-home") }),
  },
  {
    name: "everything at once",
    venv: true,
    env: ({ tmp, venv }) => ({
      VIRTUAL_ENV: venv,
      JUPYTER_PREFER_ENV_PATH: "yes",
      JUPYTER_PATH: `${join(tmp, "p1")}:${join(tmp, "p2")}`,
      JUPYTER_CONFIG_PATH: join(tmp, "c1"),
      XDG_DATA_HOME: join(tmp, "xdg"),
      JUPYTER_RUNTIME_DIR: join(tmp, "run"),
    }),
  },
  // jupyter_core 5 only
  { name: "a virtualenv without JUPYTER_PREFER_ENV_PATH", venv: true, env: ({ venv }) => ({ VIRTUAL_ENV: venv }), since5: "5.0 prefers an activated env" },
  {
    name: "JUPYTER_PATH repeating a system directory",
    env: () => ({ JUPYTER_PATH: "/usr/share/jupyter" }),
    since5: "5.0 lists each system directory once",
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1",
    env: ({ tmp }) => ({ JUPYTER_PLATFORM_DIRS: "1", XDG_CONFIG_HOME: join(tmp, "xdg-config") }),
    since5: "4.x has no platformdirs layout",
  },
];

describe.skipIf(!peer)("jupyter --paths --json agrees with our paths", () => {
  let dirs: Dirs;
  let facts: PythonFacts;
  let venvPython: string;
  let is5 = false;

  beforeAll(() => {
    facts = pythonFacts(peer!.python);
    is5 = Number(facts.version.split(".")[0]) >= 5;
    const tmp = realpathSync(mkdtempSync(join(tmpdir(), "jts-paths-")));
    const home = join(tmp, "home");
    mkdirSync(home);
    mkdirSync(join(tmp, "real-home"));
    symlinkSync(join(tmp, "real-home"), join(tmp, "linked-home"));
    const venv = join(tmp, "venv");
    const made = spawnSync(peer!.python, ["-m", "venv", "--without-pip", venv], { encoding: "utf8", timeout: 60_000 });
    if (made.status !== 0) throw new Error(`could not make a virtualenv with ${peer!.python}: ${made.stderr}`);
    venvPython = join(venv, "bin", "python");
    dirs = { tmp, home, venv, prefix: facts.prefix };
  });

  afterAll(() => {
    if (dirs) rmSync(dirs.tmp, { recursive: true, force: true });
  });

  for (const row of rows) {
    it(row.name, ({ skip }) => {
      if (row.since5 && !is5) skip(`jupyter_core ${facts.version} predates this: ${row.since5}`);
      const env: NodeJS.ProcessEnv = { PATH: "/usr/bin:/bin", HOME: dirs.home, ...row.env(dirs) };
      // the venv has no jupyter_core of its own: lend it the peer's
      const pyEnv = row.venv ? { ...env, PYTHONPATH: facts.sitePackages } : env;
      const theirs = pythonPaths(row.venv ? venvPython : peer!.python, pyEnv);
      const options: PathOptions = { env, platform: "linux", prefix: row.venv ? dirs.venv : facts.prefix };
      const ours = listJupyterPaths(options);
      if (env["JUPYTER_NO_CONFIG"]) {
        // each process makes its own blank config dir
        const blank = (paths: JupyterPathsListing): JupyterPathsListing => {
          expect(paths.config).toHaveLength(1);
          expect(dirname(paths.config[0]!)).toBe(realpathSync(tmpdir()));
          expect(paths.config[0]).toMatch(/\/jupyter-clean-cfg-[^/]+$/);
          return { ...paths, config: ["<blank>"] };
        };
        expect(blank(ours)).toEqual(blank(theirs));
      } else {
        expect(ours).toEqual(theirs);
      }
    });
  }
});
