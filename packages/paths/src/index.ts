/**
 * `@jupyter-ts/paths`: the directories Jupyter uses (data, runtime, config
 * and their search paths), resolved as Python's `jupyter_core.paths` does on
 * Linux, macOS and Windows, plus owner-only directory and file helpers.
 *
 * @packageDocumentation
 */
export {
  envConfigPath,
  envJupyterPath,
  jupyterConfigDir,
  jupyterConfigPath,
  jupyterDataDir,
  jupyterPath,
  jupyterRuntimeDir,
  listJupyterPaths,
  systemConfigPath,
  systemJupyterPath,
  type JupyterPathsListing,
} from "./jupyter-paths.js";
export { envFlag, preferEnvironmentOverUser, pythonPrefix, usePlatformDirs, type PathOptions } from "./options.js";
export {
  ensureDirExists,
  ensureRuntimeDir,
  secureWrite,
  type EnsureDirOptions,
  type SecureWriteOptions,
} from "./secure-fs.js";
export { InsecureFileError, NotADirectoryError } from "./errors.js";
