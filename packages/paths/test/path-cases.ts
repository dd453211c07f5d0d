// jupyter_core 5.x answers that Debian's jupyter_core 4.12 cannot give: its
// platformdirs layout, the de-duplicated system directories, and the macOS
// and Windows rules. Each `expected` was produced by jupyter_core 5.9.1 with
// platformdirs 4.12.2 (on Linux, with sys.platform, os.name, sys.prefix and
// site.getuserbase() set to the row's values) and checked against the
// 5.x source by hand.
import type { JupyterPathsListing, PathOptions } from "../src/index.js";

export interface PathCase {
  name: string;
  options: PathOptions & { env: NodeJS.ProcessEnv; platform: NodeJS.Platform };
  expected: JupyterPathsListing;
}

const linuxHome = { HOME: "/home/ann" };
const macHome = { HOME: "/Users/ann" };
const winHome = { USERPROFILE: "C:\\Users\\ann", APPDATA: "C:\\Users\\ann\\AppData\\Roaming", LOCALAPPDATA: "C:\\Users\\ann\\AppData\\Local" };

export const linuxCases: PathCase[] = [
  {
    name: "JUPYTER_PATH repeating a system directory lists it once",
    options: { platform: "linux", prefix: "/usr", env: { ...linuxHome, JUPYTER_PATH: "/usr/share/jupyter:/opt/extra" } },
    expected: {
      runtime: ["/home/ann/.local/share/jupyter/runtime"],
      config: ["/home/ann/.jupyter", "/home/ann/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"],
      data: ["/usr/share/jupyter", "/opt/extra", "/home/ann/.local/share/jupyter", "/usr/local/share/jupyter"],
    },
  },
  {
    name: "JUPYTER_DATA_DIR equal to a system directory is not repeated",
    options: { platform: "linux", prefix: "/usr", env: { ...linuxHome, JUPYTER_DATA_DIR: "/usr/local/share/jupyter" } },
    expected: {
      runtime: ["/usr/local/share/jupyter/runtime"],
      config: ["/home/ann/.jupyter", "/home/ann/.local/etc/jupyter", "/usr/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"],
      data: ["/usr/local/share/jupyter", "/home/ann/.local/share/jupyter", "/usr/share/jupyter"],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1 uses the XDG layout",
    options: { platform: "linux", prefix: "/usr", env: { ...linuxHome, JUPYTER_PLATFORM_DIRS: "1" } },
    expected: {
      runtime: ["/home/ann/.local/share/jupyter/runtime"],
      config: ["/home/ann/.config/jupyter", "/home/ann/.local/etc/jupyter", "/usr/etc/jupyter", "/etc/xdg/jupyter"],
      data: ["/home/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1 honours XDG variables, ignoring relative entries",
    options: {
      platform: "linux",
      prefix: "/usr",
      env: {
        ...linuxHome,
        JUPYTER_PLATFORM_DIRS: "yes",
        XDG_DATA_HOME: " /xdg/data ",
        XDG_CONFIG_HOME: "relative/config",
        XDG_DATA_DIRS: "/xdg/sys1:relative:/xdg/sys2",
        XDG_CONFIG_DIRS: "/xdg/etc",
      },
    },
    expected: {
      runtime: ["/xdg/data/jupyter/runtime"],
      config: ["/home/ann/.config/jupyter", "/home/ann/.local/etc/jupyter", "/usr/etc/jupyter", "/xdg/etc/jupyter"],
      data: ["/xdg/data/jupyter", "/home/ann/.local/share/jupyter", "/usr/share/jupyter", "/xdg/sys1/jupyter", "/xdg/sys2/jupyter"],
    },
  },
  {
    name: "an empty JUPYTER_PREFER_ENV_PATH counts as set",
    options: { platform: "linux", prefix: "/opt/conda", env: { ...linuxHome, JUPYTER_PREFER_ENV_PATH: "" } },
    expected: {
      runtime: ["/home/ann/.local/share/jupyter/runtime"],
      config: ["/opt/conda/etc/jupyter", "/home/ann/.jupyter", "/home/ann/.local/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"],
      data: ["/opt/conda/share/jupyter", "/home/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"],
    },
  },
];

export const macCases: PathCase[] = [
  {
    name: "defaults",
    options: { platform: "darwin", env: { ...macHome } },
    expected: {
      runtime: ["/Users/ann/Library/Jupyter/runtime"],
      config: ["/Users/ann/.jupyter", "/Users/ann/.local/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"],
      data: ["/Users/ann/Library/Jupyter", "/Users/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/usr/share/jupyter"],
    },
  },
  {
    name: "a python.org framework Python",
    options: {
      platform: "darwin",
      prefix: "/Library/Frameworks/Python.framework/Versions/3.12",
      userBase: "/Users/ann/Library/Python/3.12",
      env: { ...macHome, XDG_DATA_HOME: "/ignored/without/platform/dirs" },
    },
    expected: {
      runtime: ["/Users/ann/Library/Jupyter/runtime"],
      config: [
        "/Users/ann/.jupyter",
        "/Users/ann/Library/Python/3.12/etc/jupyter",
        "/Library/Frameworks/Python.framework/Versions/3.12/etc/jupyter",
        "/usr/local/etc/jupyter",
        "/etc/jupyter",
      ],
      data: [
        "/Users/ann/Library/Jupyter",
        "/Users/ann/Library/Python/3.12/share/jupyter",
        "/Library/Frameworks/Python.framework/Versions/3.12/share/jupyter",
        "/usr/local/share/jupyter",
        "/usr/share/jupyter",
      ],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1: Application Support, capitalized",
    options: { platform: "darwin", prefix: "/Users/ann/miniforge3", env: { ...macHome, JUPYTER_PLATFORM_DIRS: "1" } },
    expected: {
      runtime: ["/Users/ann/Library/Application Support/Jupyter/runtime"],
      config: [
        "/Users/ann/Library/Application Support/Jupyter",
        "/Users/ann/.local/etc/jupyter",
        "/Users/ann/miniforge3/etc/jupyter",
        "/Library/Application Support/Jupyter",
      ],
      data: [
        "/Users/ann/Library/Application Support/Jupyter",
        "/Users/ann/.local/share/jupyter",
        "/Users/ann/miniforge3/share/jupyter",
        "/Library/Application Support/Jupyter",
      ],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1 under Homebrew: lower case, and the Homebrew share dir",
    options: {
      platform: "darwin",
      prefix: "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12",
      userBase: "/Users/ann/Library/Python/3.12",
      env: { ...macHome, JUPYTER_PLATFORM_DIRS: "1" },
    },
    expected: {
      runtime: ["/Users/ann/Library/Application Support/jupyter/runtime"],
      config: [
        "/Users/ann/Library/Application Support/jupyter",
        "/Users/ann/Library/Python/3.12/etc/jupyter",
        "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12/etc/jupyter",
        "/opt/homebrew/share/jupyter",
        "/Library/Application Support/jupyter",
      ],
      data: [
        "/Users/ann/Library/Application Support/jupyter",
        "/Users/ann/Library/Python/3.12/share/jupyter",
        "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12/share/jupyter",
        "/opt/homebrew/share/jupyter",
        "/Library/Application Support/jupyter",
      ],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1 honours XDG_DATA_HOME on macOS too",
    options: { platform: "darwin", env: { ...macHome, JUPYTER_PLATFORM_DIRS: "1", XDG_DATA_HOME: "/Users/ann/.xdg" } },
    expected: {
      runtime: ["/Users/ann/.xdg/Jupyter/runtime"],
      config: ["/Users/ann/Library/Application Support/Jupyter", "/Users/ann/.local/etc/jupyter", "/usr/local/etc/jupyter", "/Library/Application Support/Jupyter"],
      data: ["/Users/ann/.xdg/Jupyter", "/Users/ann/.local/share/jupyter", "/usr/local/share/jupyter", "/Library/Application Support/Jupyter"],
    },
  },
  {
    name: "an activated conda env with JUPYTER_PREFER_ENV_PATH=1",
    options: {
      platform: "darwin",
      env: { ...macHome, CONDA_PREFIX: "/Users/ann/miniforge3/envs/ds", CONDA_DEFAULT_ENV: "ds", JUPYTER_PREFER_ENV_PATH: "1" },
    },
    expected: {
      runtime: ["/Users/ann/Library/Jupyter/runtime"],
      config: ["/Users/ann/miniforge3/envs/ds/etc/jupyter", "/Users/ann/.jupyter", "/Users/ann/.local/etc/jupyter", "/usr/local/etc/jupyter", "/etc/jupyter"],
      data: [
        "/Users/ann/miniforge3/envs/ds/share/jupyter",
        "/Users/ann/Library/Jupyter",
        "/Users/ann/.local/share/jupyter",
        "/usr/local/share/jupyter",
        "/usr/share/jupyter",
      ],
    },
  },
];

export const windowsCases: PathCase[] = [
  {
    name: "defaults with a python.org Python",
    options: { platform: "win32", prefix: "C:\\Python312", env: { ...winHome } },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter\\runtime"],
      config: ["C:\\Users\\ann\\.jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\etc\\jupyter", "C:\\Python312\\etc\\jupyter"],
      data: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter", "C:\\Python312\\share\\jupyter"],
    },
  },
  {
    name: "no APPDATA: the data dir lives in the config dir",
    options: { platform: "win32", prefix: "C:\\Python312", userBase: null, env: { USERPROFILE: "C:\\Users\\ann" } },
    expected: {
      runtime: ["C:\\Users\\ann\\.jupyter\\data\\runtime"],
      config: ["C:\\Users\\ann\\.jupyter", "C:\\Python312\\etc\\jupyter"],
      data: ["C:\\Users\\ann\\.jupyter\\data", "C:\\Python312\\share\\jupyter"],
    },
  },
  {
    name: "PROGRAMDATA is ignored unless JUPYTER_USE_PROGRAMDATA",
    options: { platform: "win32", prefix: "C:\\Python312", env: { ...winHome, PROGRAMDATA: "C:\\ProgramData" } },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter\\runtime"],
      config: ["C:\\Users\\ann\\.jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\etc\\jupyter", "C:\\Python312\\etc\\jupyter"],
      data: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter", "C:\\Python312\\share\\jupyter"],
    },
  },
  {
    name: "JUPYTER_USE_PROGRAMDATA=1",
    options: { platform: "win32", prefix: "C:\\Python312", env: { ...winHome, PROGRAMDATA: "C:\\ProgramData", JUPYTER_USE_PROGRAMDATA: "1" } },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter\\runtime"],
      config: [
        "C:\\Users\\ann\\.jupyter",
        "C:\\Users\\ann\\AppData\\Roaming\\Python\\etc\\jupyter",
        "C:\\Python312\\etc\\jupyter",
        "C:\\ProgramData\\jupyter",
      ],
      data: [
        "C:\\Users\\ann\\AppData\\Roaming\\jupyter",
        "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter",
        "C:\\Python312\\share\\jupyter",
        "C:\\ProgramData\\jupyter",
      ],
    },
  },
  {
    name: "JUPYTER_PREFER_ENV_PATH=1 moves the env (= system) dir first",
    options: {
      platform: "win32",
      prefix: "C:\\Users\\ann\\miniconda3",
      env: { ...winHome, JUPYTER_PREFER_ENV_PATH: "1", JUPYTER_PATH: "D:\\kernels\\;E:\\more", JUPYTER_CONFIG_PATH: "D:\\cfg" },
    },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Roaming\\jupyter\\runtime"],
      config: ["D:\\cfg", "C:\\Users\\ann\\miniconda3\\etc\\jupyter", "C:\\Users\\ann\\.jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\etc\\jupyter"],
      data: [
        "D:\\kernels",
        "E:\\more",
        "C:\\Users\\ann\\miniconda3\\share\\jupyter",
        "C:\\Users\\ann\\AppData\\Roaming\\jupyter",
        "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter",
      ],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1: LOCALAPPDATA, capitalized",
    options: { platform: "win32", prefix: "C:\\Python312", env: { ...winHome, JUPYTER_PLATFORM_DIRS: "1" } },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Local\\Jupyter\\runtime"],
      config: ["C:\\Users\\ann\\AppData\\Local\\Jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\etc\\jupyter", "C:\\Python312\\etc\\jupyter"],
      data: ["C:\\Users\\ann\\AppData\\Local\\Jupyter", "C:\\Users\\ann\\AppData\\Roaming\\Python\\share\\jupyter", "C:\\Python312\\share\\jupyter"],
    },
  },
  {
    name: "JUPYTER_PLATFORM_DIRS=1 with JUPYTER_USE_PROGRAMDATA=1",
    options: {
      platform: "win32",
      prefix: "C:\\Python312",
      userBase: null,
      env: { ...winHome, JUPYTER_PLATFORM_DIRS: "1", JUPYTER_USE_PROGRAMDATA: "1", PROGRAMDATA: "C:\\ProgramData", ALLUSERSPROFILE: "C:\\ProgramData" },
    },
    expected: {
      runtime: ["C:\\Users\\ann\\AppData\\Local\\Jupyter\\runtime"],
      config: ["C:\\Users\\ann\\AppData\\Local\\Jupyter", "C:\\Python312\\etc\\jupyter", "C:\\ProgramData\\Jupyter"],
      data: ["C:\\Users\\ann\\AppData\\Local\\Jupyter", "C:\\Python312\\share\\jupyter", "C:\\ProgramData\\Jupyter"],
    },
  },
];
