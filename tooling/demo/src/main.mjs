#!/usr/bin/env node
// The README's main job: what a kernel host (an editor, a notebook runner, a
// CI tool) does with jupyter-ts. Find the installed kernels, start the best
// one (Python's when it can start, else the JavaScript kernel that ships
// with jupyter-ts), run code and show its output, talk to the kernel over a
// comm, and shut it down leaving nothing behind.
//
//   npm start                 # the best kernel
//   npm start -- --kernel node
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { chooseKernel, kernelSpecManagerWithNode, startNewKernel } from "jupyter-ts";

const { values } = parseArgs({ options: { kernel: { type: "string" } } });
const step = (text) => console.log(`\n== ${text} ==`);
const ms = (since) => `${Math.round(performance.now() - since)} ms`;

// What each language runs: some output, a result, an error, and a comm
// target that answers every message it gets.
const CODE = {
  python: {
    hello: 'import sys\nprint("hello from", sys.implementation.name, sys.version.split()[0])\nsum(i * i for i in range(10))',
    display: 'from IPython.display import display, HTML\ndisplay(HTML("<b>rich</b> output"))',
    error: "1 / 0",
    target: [
      "def _demo_target(comm, open_msg):",
      "    comm.send({'opened_with': open_msg['content']['data']})",
      "    @comm.on_msg",
      "    def _echo(msg):",
      "        comm.send({'echo': msg['content']['data'], 'by': 'python'})",
      "get_ipython().kernel.comm_manager.register_target('jupyter-ts-demo', _demo_target)",
    ].join("\n"),
  },
  javascript: {
    hello: 'console.log("hello from Node.js", process.version)\nArray.from({ length: 10 }, (_, i) => i * i).reduce((a, b) => a + b)',
    display: 'display({ "text/html": "<b>rich</b> output", "text/plain": "rich output" }, { raw: true })',
    error: "null.property",
    target: [
      'comms.registerTarget("jupyter-ts-demo", (comm, openMsg) => {',
      "  comm.send({ opened_with: openMsg.content.data });",
      '  comm.onMsg((msg) => comm.send({ echo: msg.content.data, by: "javascript" }));',
      "});",
    ].join("\n"),
  },
};

function printOutput(msg) {
  const c = msg.content;
  switch (msg.msg_type) {
    case "stream":
      for (const line of c.text.replace(/\n$/, "").split("\n")) console.log(`  [${c.name}] ${line}`);
      break;
    case "execute_result":
      console.log(`  [Out ${c.execution_count}] ${c.data["text/plain"]}`);
      break;
    case "display_data":
      console.log(`  [display] ${Object.keys(c.data).join(", ")}: ${c.data["text/html"] ?? c.data["text/plain"]}`);
      break;
    case "error":
      console.log(`  [error] ${c.ename}: ${c.evalue}`);
      break;
  }
}

step("1. find kernels");
const ksm = kernelSpecManagerWithNode();
const specs = await ksm.getAllSpecs();
for (const [name, { resource_dir, spec }] of Object.entries(specs)) {
  console.log(`  ${name.padEnd(10)} ${spec.display_name.padEnd(24)} ${resource_dir}`);
}
const choice = values.kernel ? { name: values.kernel, reason: "asked for with --kernel" } : await chooseKernel(ksm);

step(`2. start '${choice.name}' (${choice.reason})`);
let started = performance.now();
const kernel = await startNewKernel({
  kernelName: choice.name,
  kernelSpecManager: ksm,
  startupTimeout: 60_000,
  // ipykernel's debugger otherwise warns about frozen modules on every start.
  env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
});
const { km, kc } = kernel;
const connectionFile = km.connectionFile;
try {
  const info = (await kc.kernelInfo({ reply: true })).content;
  console.log(`  ready in ${ms(started)}: ${info.implementation} ${info.implementation_version}, ${info.language_info.name} ${info.language_info.version}, protocol ${info.protocol_version}`);
  console.log(`  connection file ${connectionFile}`);
  const language = info.language_info.name.toLowerCase() === "python" ? "python" : "javascript";
  const code = CODE[language];

  step("3. run code");
  for (const [label, source] of [["hello", code.hello], ["display", code.display], ["error", code.error]]) {
    console.log(`  >>> ${source.split("\n").join("\n  ... ")}`);
    const reply = await kc.executeInteractive(source, { outputHook: printOutput, allowStdin: false, timeout: 30_000 });
    console.log(`  (${label}: execute_reply status ${reply.content.status})`);
  }

  step("4. talk over a comm");
  await kc.executeInteractive(code.target, { outputHook: printOutput, allowStdin: false, timeout: 30_000 });
  const answers = [];
  let answered;
  const comm = kc.comms.createComm("jupyter-ts-demo", { data: { hello: "kernel" } });
  comm.onMsg((msg) => {
    answers.push(msg.content.data);
    console.log(`  kernel -> us: ${JSON.stringify(msg.content.data)}`);
    if (answers.length === 2) answered();
  });
  const both = new Promise((resolve) => (answered = resolve));
  console.log(`  us -> kernel: opened comm ${comm.commId} on target 'jupyter-ts-demo'`);
  comm.send({ ping: 1 });
  console.log('  us -> kernel: {"ping":1}');
  await Promise.race([both, new Promise((_, reject) => setTimeout(() => reject(new Error("the kernel did not answer on the comm within 10 s")), 10_000).unref())]);
  comm.close();
  console.log("  closed the comm");
} finally {
  step("5. shut down");
  started = performance.now();
  const pid = km.provisioner?.pid;
  await kernel[Symbol.asyncDispose]();
  const gone = (() => {
    if (pid === undefined) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  })();
  console.log(`  shut down in ${ms(started)}: kernel process ${gone ? "gone" : "STILL RUNNING"}, connection file ${existsSync(connectionFile) ? "STILL THERE" : "removed"}`);
  if (!gone || existsSync(connectionFile)) process.exitCode = 1;
}
