import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  InsecureFileError,
  NotADirectoryError,
  ensureDirExists,
  ensureRuntimeDir,
  envFlag,
  jupyterConfigDir,
  jupyterConfigPath,
  jupyterDataDir,
  jupyterPath,
  jupyterRuntimeDir,
  listJupyterPaths,
  preferEnvironmentOverUser,
  pythonPrefix,
  secureWrite,
  systemJupyterPath,
} from "../src/index.js";
import { linuxCases, macCases, windowsCases } from "./path-cases.js";

const scratch = realpathSync(mkdtempSync(join(tmpdir(), "jts-paths-unit-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each([
  ["Linux (jupyter_core 5.x only)", linuxCases],
  ["macOS", macCases],
  ["Windows", windowsCases],
])("jupyter_core 5.x answers on %s", (_label, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(listJupyterPaths(c.options)).toEqual(c.expected);
  });
});

describe("defaults", () => {
  const home = { HOME: "/home/ann" };

  it("finds the Python environment from VIRTUAL_ENV, then CONDA_PREFIX, then the platform", () => {
    expect(pythonPrefix({ env: { VIRTUAL_ENV: "/v", CONDA_PREFIX: "/c" }, platform: "linux" })).toBe("/v");
    expect(pythonPrefix({ env: { CONDA_PREFIX: "/c" }, platform: "linux" })).toBe("/c");
    expect(pythonPrefix({ env: {}, platform: "linux" })).toBe("/usr");
    expect(pythonPrefix({ env: {}, platform: "darwin" })).toBe("/usr/local");
    expect(pythonPrefix({ env: {}, platform: "win32" })).toBeNull();
  });

  it("without a Python environment on Windows, searches only the user's directories", () => {
    const env = { USERPROFILE: "C:\\Users\\ann", APPDATA: "C:\\Users\\ann\\AppData\\Roaming" };
    expect(jupyterPath("kernels", { env, platform: "win32" })).toEqual([
      "C:\\Users\\ann\\AppData\\Roaming\\jupyter\\kernels",
      "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter\\kernels",
    ]);
    expect(systemJupyterPath({ env, platform: "win32" })).toEqual([]);
  });

  it("turns Python's user site off in a virtualenv and with PYTHONNOUSERSITE, and moves it with PYTHONUSERBASE", () => {
    const base = { env: { ...home, JUPYTER_PREFER_ENV_PATH: "0" }, platform: "linux" } as const;
    expect(jupyterPath(base)).toEqual(["/home/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"]);
    expect(jupyterPath({ ...base, env: { ...base.env, XDG_DATA_HOME: "/xdg" } })[1]).toBe("/home/ann/.local/share/jupyter");
    expect(jupyterPath({ ...base, env: { ...base.env, XDG_DATA_HOME: "/xdg", PYTHONNOUSERSITE: "1" } })).toEqual([
      "/xdg/jupyter",
      "/usr/local/share/jupyter",
      "/usr/share/jupyter",
    ]);
    expect(jupyterPath({ ...base, env: { ...base.env, XDG_DATA_HOME: "/xdg", VIRTUAL_ENV: "/venv" } })).toEqual([
      "/xdg/jupyter",
      "/venv/share/jupyter",
      "/usr/local/share/jupyter",
      "/usr/share/jupyter",
    ]);
    expect(jupyterConfigPath({ ...base, env: { ...base.env, PYTHONUSERBASE: "/ub" } })).toEqual([
      "/home/ann/.jupyter",
      "/ub/etc/jupyter",
      "/usr/etc/jupyter",
      "/usr/local/etc/jupyter",
      "/etc/jupyter",
    ]);
  });

  it("takes jupyterPath(options) and jupyterPath(subdirs, options)", () => {
    const options = { env: { ...home, JUPYTER_PATH: "/a/" }, platform: "linux", prefix: null } as const;
    expect(jupyterPath(options)[0]).toBe("/a");
    expect(jupyterPath("kernels", options)[0]).toBe("/a/kernels");
    expect(jupyterPath(["nbextensions", "widgets"], options)[0]).toBe("/a/nbextensions/widgets");
  });
});

describe("environment before user (jupyter_core 5)", () => {
  // made by this test, so owned by whoever runs it
  const venv = join(scratch, "venv");
  mkdirSync(venv);
  const env = { HOME: "/home/ann" };

  it("prefers an activated virtualenv the user owns", () => {
    const options = { env: { ...env, VIRTUAL_ENV: venv }, platform: "linux" } as const;
    expect(preferEnvironmentOverUser(options)).toBe(true);
    expect(jupyterPath(options)).toEqual([join(venv, "share/jupyter"), "/home/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"]);
    expect(jupyterConfigPath(options)).toEqual([join(venv, "etc/jupyter"), "/home/ann/.jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"]);
  });

  it("prefers an activated conda env other than base", () => {
    expect(preferEnvironmentOverUser({ env: { ...env, CONDA_PREFIX: venv, CONDA_DEFAULT_ENV: "ds" }, platform: "linux" })).toBe(true);
    expect(preferEnvironmentOverUser({ env: { ...env, CONDA_PREFIX: venv, CONDA_DEFAULT_ENV: "base" }, platform: "linux" })).toBe(false);
    expect(preferEnvironmentOverUser({ env: { ...env, CONDA_PREFIX: venv }, platform: "linux" })).toBe(false);
  });

  it("lets JUPYTER_PREFER_ENV_PATH decide when set", () => {
    expect(preferEnvironmentOverUser({ env: { ...env, VIRTUAL_ENV: venv, JUPYTER_PREFER_ENV_PATH: "False" }, platform: "linux" })).toBe(false);
    expect(preferEnvironmentOverUser({ env: { ...env, JUPYTER_PREFER_ENV_PATH: "1" }, platform: "linux" })).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)("keeps the user first in an environment someone else owns (root owns everything to root)", () => {
    expect(preferEnvironmentOverUser({ env: { ...env, VIRTUAL_ENV: "/usr" }, platform: "linux" })).toBe(false);
  });
});

describe("single directories", () => {
  it("reads JUPYTER_*_DIR overrides and ignores empty values", () => {
    const env = { HOME: "/home/ann", JUPYTER_CONFIG_DIR: "/c", JUPYTER_DATA_DIR: "/d", JUPYTER_RUNTIME_DIR: "" };
    expect(jupyterConfigDir({ env, platform: "linux" })).toBe("/c");
    expect(jupyterDataDir({ env, platform: "linux" })).toBe("/d");
    expect(jupyterRuntimeDir({ env, platform: "linux" })).toBe("/d/runtime");
  });

  it("does not use XDG_RUNTIME_DIR, as jupyter_core", () => {
    expect(jupyterRuntimeDir({ env: { HOME: "/home/ann", XDG_RUNTIME_DIR: "/run/user/1000" }, platform: "linux" })).toBe(
      "/home/ann/.local/share/jupyter/runtime",
    );
  });

  it("resolves the home directory through symlinks, as get_home_dir does", () => {
    const real = join(scratch, "real-home");
    mkdirSync(real);
    const link = join(scratch, "link-home");
    symlinkSync(real, link);
    expect(jupyterDataDir({ homedir: link, env: {}, platform: "linux" })).toBe(join(real, ".local/share/jupyter"));
  });

  it("gives one blank config dir per process with JUPYTER_NO_CONFIG", () => {
    const options = { env: { HOME: "/home/ann", JUPYTER_NO_CONFIG: "1", TMPDIR: scratch }, platform: "linux" } as const;
    const dir = jupyterConfigDir(options);
    expect(dir.startsWith(join(scratch, "jupyter-clean-cfg-"))).toBe(true);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(jupyterConfigDir(options)).toBe(dir);
    expect(jupyterConfigPath(options)).toEqual([dir]);
  });

  it("reads flags as envset does", () => {
    for (const no of ["no", "N", "false", "OFF", "0", "0.0"]) expect(envFlag(no)).toBe(false);
    for (const yes of ["1", "yes", "true", "", "anything"]) expect(envFlag(yes)).toBe(true);
    expect(envFlag(undefined)).toBe(false);
    expect(envFlag(undefined, true)).toBe(true);
  });
});

describe("owner-only files and directories", () => {
  it("creates a 0700 directory with default-mode parents, and leaves existing ones alone", async () => {
    const dir = join(scratch, "a", "b", "runtime");
    await ensureDirExists(dir, { mode: 0o700 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(scratch, "a")).mode & 0o777).not.toBe(0o700);
    await expect(ensureDirExists(dir, { mode: 0o755 })).resolves.toBeUndefined();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("refuses a path that is a file", async () => {
    const file = join(scratch, "not-a-dir");
    writeFileSync(file, "x");
    const error = await ensureDirExists(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotADirectoryError);
    expect(error).toMatchObject({ code: "ERR_NOT_A_DIRECTORY", path: file });
  });

  it("makes the runtime dir owner-only", async () => {
    const dir = await ensureRuntimeDir({ env: { JUPYTER_RUNTIME_DIR: join(scratch, "rt") } });
    expect(dir).toBe(join(scratch, "rt"));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("writes 0600 files, replacing an existing file instead of inheriting its mode", async () => {
    const file = join(scratch, "kernel-1.json");
    writeFileSync(file, "old and long content", { mode: 0o644 });
    await secureWrite(file, '{"key": "secret"}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe('{"key": "secret"}');
    await secureWrite(file, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
  });

  it("exposes InsecureFileError with its code", () => {
    const error = new InsecureFileError("/x", "msg", { mode: 0o644 });
    expect(error).toMatchObject({ name: "InsecureFileError", code: "ERR_INSECURE_FILE", path: "/x", mode: 0o644 });
  });
});
