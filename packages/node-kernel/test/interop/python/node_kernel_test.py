"""jupyter_kernel_test's protocol checks against the jupyter-ts JavaScript kernel.

Run by jupyter-kernel-test.test.ts with JUPYTER_PATH pointing at a temp dir
where installNodeKernelSpec() put the kernelspec "node". Every check of
jupyter_kernel_test 0.4.5 that applies to JavaScript is configured; only the
pager (an IPython feature) is left out. 0.4.5 has no iopub_welcome check
(JEP 65), so test_iopub_welcome below subscribes a raw SUB socket itself.
"""
import time
import unittest

import zmq
from jupyter_client.session import Session

import jupyter_kernel_test


class NodeKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "node"
    language_name = "javascript"
    file_extension = ".js"

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('oops')"

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "JSON.str", "matches": {"stringify"}},
        {"text": "const someLongName = 1;\nsomeLo", "matches": {"someLongName"}},
        {"text": "process.versions.nod", "matches": {"node"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1", "function f() {\n  return 1\n}", "await Promise.resolve(1)", ""]
    incomplete_code_samples = ["function f() {", "foo(1,", "`template", "const x =", "for (const x of xs)"]
    invalid_code_samples = ["1 +* 2", "}", "let let = 1", "'unterminated"]

    code_generate_error = "throw new Error('boom')"

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'history-' + 'a'", "result": "'history-a'"},
        {"code": "[1, 2, 3].map((n) => n * 2)", "result": "[ 2, 4, 6 ]"},
        {"code": "({ a: [1, { b: 'c' }] })", "mime": "application/json", "result": {"a": [1, {"b": "c"}]}},
        {"code": "await new Promise((r) => setTimeout(() => r('later'), 10))", "result": "'later'"},
    ]

    code_display_data = [
        {"code": "display({ 'text/html': '<b>hi</b>' }, { raw: true })", "mime": "text/html"},
        {"code": "display('plain')", "mime": "text/plain"},
        {"code": "display({ [Symbol.for('jupyter.display')]: () => ({ 'text/markdown': '**md**' }) })", "mime": "text/markdown"},
    ]

    code_history_pattern = "*history-*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput()"

    def test_iopub_welcome(self):
        """A new IOPub subscriber is greeted with iopub_welcome (JEP 65)."""
        info = self.km.get_connection_info(session=False)
        session = Session(key=self.km.session.key, signature_scheme=self.km.session.signature_scheme)
        ctx = zmq.Context.instance()
        sub = ctx.socket(zmq.SUB)
        sub.linger = 0
        try:
            sub.setsockopt(zmq.SUBSCRIBE, b"")
            sub.connect(f"{info['transport']}://{info['ip']}:{info['iopub_port']}")
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if not sub.poll(int((deadline - time.monotonic()) * 1000)):
                    break
                frames = sub.recv_multipart()
                _, parts = session.feed_identities(frames)
                msg = session.deserialize(parts)
                if msg["msg_type"] == "iopub_welcome":
                    self.assertEqual(msg["content"], {"subscription": ""})
                    break
            else:
                self.fail("no iopub_welcome within 15 s of subscribing")
        finally:
            sub.close()
        # XPUB cannot greet one subscriber alone: the harness's own client got
        # the welcome too, and 0.4.5's validator does not know the type. Take it.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except Exception:
                continue
            if msg["msg_type"] == "iopub_welcome":
                return
        self.fail("the harness's client did not see the iopub_welcome")


if __name__ == "__main__":
    unittest.main()
