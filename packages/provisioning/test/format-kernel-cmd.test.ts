import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KernelSpec } from "@jupyter-ts/kernelspec";
import { pythonPrefix } from "@jupyter-ts/paths";
import { afterEach, describe, expect, it } from "vitest";
import { formatKernelCmd, substituteEnv } from "../src/index.js";
import { removeTempDirs, tempDir } from "./helpers.js";

afterEach(removeTempDirs);

const spec = (argv: string[]) => new KernelSpec({ argv, resourceDir: "/usr/share/jupyter/kernels/k", name: "k" });

describe("formatKernelCmd", () => {
  it("fills {connection_file}, {resource_dir}, {prefix} and appends extra arguments", () => {
    const cmd = formatKernelCmd(spec(["python3", "-m", "k", "-f", "{connection_file}", "--res={resource_dir}", "{prefix}/lib"]), {
      connectionFile: "/nonexistent/run/kernel-1.json",
      extraArguments: ["--debug", "{resource_dir}"],
      prefix: "/opt/env",
    });
    expect(cmd).toEqual([
      "python3",
      "-m",
      "k",
      "-f",
      "/nonexistent/run/kernel-1.json",
      "--res=/usr/share/jupyter/kernels/k",
      "/opt/env/lib",
      "--debug",
      "/usr/share/jupyter/kernels/k",
    ]);
  });

  it("defaults {prefix} to the Python environment prefix of @jupyter-ts/paths", () => {
    expect(formatKernelCmd(spec(["k", "{prefix}"]), { connectionFile: "/x.json" })).toEqual(["k", pythonPrefix() ?? ""]);
  });

  it("launch arguments fill their placeholders and win over the built-in names; unknown ones stay", () => {
    const cmd = formatKernelCmd(spec(["k", "{user}", "{port}", "{flag}", "{resource_dir}", "{obj}", "{missing}", "{not a name}", "{{connection_file}}"]), {
      connectionFile: "/x.json",
      launchArgs: { user: "ann", port: 8888, flag: true, resource_dir: "/override", obj: { a: 1 } },
    });
    expect(cmd).toEqual(["k", "ann", "8888", "true", "/override", "{obj}", "{missing}", "{not a name}", "{/x.json}"]);
  });

  it("gives the connection file's real path (symlinks resolved), as Python", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "real"));
    await writeFile(join(dir, "real", "kernel.json"), "{}");
    await symlink(join(dir, "real"), join(dir, "link"));
    expect(formatKernelCmd(spec(["k", "{connection_file}"]), { connectionFile: join(dir, "link", "kernel.json") })).toEqual([
      "k",
      join(dir, "real", "kernel.json"),
    ]);
    // not written yet: the directory is still resolved
    expect(formatKernelCmd(spec(["k", "{connection_file}"]), { connectionFile: join(dir, "link", "later.json") })[1]).toBe(join(dir, "real", "later.json"));
  });

  it("runs an argv[0] of `node` with this process's Node and leaves python to the PATH", () => {
    expect(formatKernelCmd(spec(["node", "kernel.js"]), { connectionFile: "/x.json" })[0]).toBe(process.execPath);
    expect(formatKernelCmd(spec(["python", "-m", "k"]), { connectionFile: "/x.json" })[0]).toBe("python");
    expect(formatKernelCmd(spec(["python3", "-m", "k"]), { connectionFile: "/x.json" })[0]).toBe("python3");
    expect(formatKernelCmd(spec(["/usr/bin/node", "k.js"]), { connectionFile: "/x.json" })[0]).toBe("/usr/bin/node");
  });
});

describe("substituteEnv", () => {
  it("substitutes $VAR and ${VAR} like Python's Template.safe_substitute", () => {
    const values = { HOME: "/home/ann", PATH: "/usr/bin", EMPTY: "", UNDEF: undefined };
    expect(
      substituteEnv(
        {
          A: "${HOME}/bin:$PATH",
          B: "$$HOME is literal, $$ too",
          C: "$MISSING ${MISSING} $ ${ bad } $1 ${UNDEF}",
          D: "[$EMPTY]",
          E: "$HOME_DIR ${HOME}_DIR",
          F: "$toString ${constructor}",
        },
        values,
      ),
    ).toEqual({
      A: "/home/ann/bin:/usr/bin",
      B: "$HOME is literal, $ too",
      C: "$MISSING ${MISSING} $ ${ bad } $1 ${UNDEF}",
      D: "[]",
      E: "$HOME_DIR /home/ann_DIR",
      F: "$toString ${constructor}",
    });
  });
});
