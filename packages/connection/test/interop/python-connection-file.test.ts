// Connection files and local IPs against the real jupyter_client: what Python
// writes we read field for field, what we write is byte for byte what Python
// writes, and both find the same file and the same addresses.
import { execFile } from "node:child_process";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { findJupyterPython, requirePeer } from "@jupyter-ts/testing";
import {
  findConnectionFile,
  localIps,
  localhost,
  publicIps,
  readConnectionFile,
  writeConnectionFile,
} from "../../src/index.js";
import { tempDir } from "../helpers.js";

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const python = requirePeer(
  findJupyterPython(),
  "Python with jupyter_client (Debian's /usr/bin/python3)",
  "apt-get install python3-jupyter-client",
);

async function py(code: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(python!.python, ["-c", code, ...args], { timeout: 30_000 });
  return stdout;
}

async function pythonWrites(kwargs: Record<string, unknown>): Promise<{ fname: string; cfg: Record<string, unknown> }> {
  const { stdout } = await run(python!.python, [fixture("write_connection_file.py"), JSON.stringify(kwargs)], { timeout: 30_000 });
  return JSON.parse(stdout);
}

describe.skipIf(!python)("connection files against Python's jupyter_client", () => {
  for (const transport of ["tcp", "ipc"] as const) {
    it(`we read what write_connection_file writes, every field equal (${transport})`, async () => {
      const dir = await tempDir();
      const fname = join(dir, `kernel-py-${transport}.json`);
      const kwargs = transport === "tcp"
        ? { fname, key: "a0436f6c-1916-498b-8eb9-e81ab9368e84", kernel_name: "python3", signature_scheme: "hmac-sha512" }
        : { fname, key: "", transport: "ipc", ip: join(dir, "kernel-py-ipc"), kernel_name: "python3" };
      const { cfg } = await pythonWrites(kwargs);
      const info = await readConnectionFile(fname);
      expect(info).toEqual(cfg);
      expect(Object.keys(info)).toEqual(Object.keys(cfg));
      if (transport === "ipc") expect([info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port]).toEqual([1, 2, 3, 4, 5]);
    });
  }

  it("we write byte for byte what Python writes (tcp with ports given, ipc with ports picked)", async () => {
    const dir = await tempDir();
    const ports = { shell_port: 50001, iopub_port: 50002, stdin_port: 50003, hb_port: 50004, control_port: 50005 };
    const key = "clé 🔑 \"quoted\"\\";
    const py1 = await pythonWrites({ fname: join(dir, "py.json"), ip: "10.0.0.5", key, kernel_name: "nœud", ...ports });
    const ours1 = await writeConnectionFile({
      fname: join(dir, "ts.json"), ip: "10.0.0.5", key, kernelName: "nœud",
      shellPort: 50001, iopubPort: 50002, stdinPort: 50003, hbPort: 50004, controlPort: 50005,
    });
    expect(await readFile(join(dir, "ts.json"), "utf8")).toBe(await readFile(join(dir, "py.json"), "utf8"));
    expect(ours1.info).toEqual(py1.cfg);

    const py2 = await pythonWrites({ fname: join(dir, "py-ipc.json"), transport: "ipc", ip: join(dir, "py-sock"), key: "k" });
    const ours2 = await writeConnectionFile({ fname: join(dir, "ts-ipc.json"), transport: "ipc", ip: join(dir, "py-sock"), key: "k" });
    expect(ours2.info).toEqual(py2.cfg);
    expect(await readFile(join(dir, "ts-ipc.json"), "utf8")).toBe(await readFile(join(dir, "py-ipc.json"), "utf8"));
  });

  it("Python's ConnectionFileMixin loads the file we write", async () => {
    const dir = await tempDir();
    const { fname, info } = await writeConnectionFile({ fname: join(dir, "k.json"), key: "s3cret", signatureScheme: "hmac-sha384", kernelName: "python3" });
    const out = await py(
      [
        "import json, sys",
        "from jupyter_client.connect import ConnectionFileMixin",
        "c = ConnectionFileMixin()",
        "c.load_connection_file(sys.argv[1])",
        "i = c.get_connection_info()",
        "i['key'] = i['key'].decode()",
        "print(json.dumps(i))",
      ].join("\n"),
      fname,
    );
    const { kernel_name: _k, ...expected } = info;
    expect(JSON.parse(out)).toEqual(expected);
  });

  it("findConnectionFile picks what find_connection_file picks", async () => {
    const dir = await tempDir();
    const now = Date.now() / 1000;
    // Python orders by access time, we by modification time: make them agree.
    const names: Array<[string, number]> = [["kernel-aa11.json", 300], ["kernel-bb22.json", 100], ["kernel-cc33.json", 200], ["kernel-aa11-b.json", 50], [".kernel-zz.json", 0]];
    for (const [name, age] of names) {
      await writeFile(join(dir, name), "{}");
      await utimes(join(dir, name), now - age, now - age);
    }
    const asks = ["kernel-*.json", "aa11", "cc", "kernel-cc33.json", "kernel-?b22.json", "*-b*"];
    const pyOut = await py(
      [
        "import json, sys",
        "from jupyter_client.connect import find_connection_file",
        "print(json.dumps([find_connection_file(a, path=[sys.argv[1]]) for a in json.loads(sys.argv[2])]))",
      ].join("\n"),
      dir,
      JSON.stringify(asks),
    );
    const ours = [];
    for (const ask of asks) ours.push(await findConnectionFile(ask, { path: [dir] }));
    expect(ours).toEqual(JSON.parse(pyOut));
  });

  it("localIps, publicIps and localhost equal jupyter_client.localinterfaces", async () => {
    const out = await py("import json\nfrom jupyter_client.localinterfaces import local_ips, public_ips, localhost\nprint(json.dumps([local_ips(), public_ips(), localhost()]))");
    expect([localIps(), publicIps(), localhost()]).toEqual(JSON.parse(out));
  });
});
