export declare const PYTHON_SCRIPTS_DIR: string;
export declare const IN_CI: boolean;

export interface PythonKernelspec {
  file: string;
  resourceDir: string;
  spec: { argv: string[]; display_name: string; language: string; [key: string]: unknown };
}
export declare function findPythonKernelspec(): PythonKernelspec | undefined;

export interface JupyterPython {
  python: string;
  jupyterClientVersion: string;
}
export declare function findJupyterPython(): JupyterPython | undefined;

export declare function requirePeer<T>(peer: T | undefined, what: string, install: string): T | undefined;

export interface PythonSessionPeer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request(op: string, fields?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}
export declare function startPythonSessionPeer(python: string): PythonSessionPeer;

export declare const b64: {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
};

/** A deterministic PRNG in [0, 1) for fuzz tests. */
export declare function seededRandom(seed: number): () => number;

export interface BuiltinImport {
  path: string;
  importer: string;
}
/** Bundles for the browser and lists the Node built-ins reached. */
export declare function bundleForBrowser(
  entry: string | { contents: string; resolveDir: string },
  options?: { globalName?: string },
): Promise<{ code: string; builtins: BuiltinImport[]; errors: unknown[] }>;
