import { readFile, readdir, stat } from "node:fs/promises";

/** The part of a directory entry discovery looks at. */
export interface KernelSpecDirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The part of `fs.Stats` discovery looks at. */
export interface KernelSpecStats {
  isFile(): boolean;
  isDirectory(): boolean;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * The reads kernelspec discovery makes; `node:fs/promises` by default.
 * Inject another to count calls or to serve kernelspecs from elsewhere
 * (install and remove always use the real file system).
 */
export interface KernelSpecFs {
  readdir(path: string, options: { withFileTypes: true }): Promise<KernelSpecDirent[]>;
  stat(path: string): Promise<KernelSpecStats>;
  readFile(path: string, encoding: "utf8"): Promise<string>;
}

/** The default {@link KernelSpecFs}: Node's file system. */
export const nodeFs: KernelSpecFs = {
  readdir: (path, options) => readdir(path, options),
  stat: (path) => stat(path),
  readFile: (path, encoding) => readFile(path, encoding),
};
