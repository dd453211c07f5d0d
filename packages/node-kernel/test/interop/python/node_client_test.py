"""Python's jupyter_client against the jupyter-ts JavaScript kernel.

Run by jupyter-client.test.ts with JUPYTER_PATH pointing at a temp dir that
holds the kernelspecs "node" (interrupt_mode signal) and "node-message"
(interrupt_mode message), both written by installNodeKernelSpec().
"""
import time
import unittest
import uuid
from queue import Empty

from jupyter_client.manager import KernelManager

TIMEOUT = 30


class NodeKernelClientTests(unittest.TestCase):
    kernel_name = "node"

    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name=cls.kernel_name)
        cls.km.start_kernel()
        cls.kc = cls.km.client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)
        assert not cls.km.is_alive(), "the kernel survived shutdown_kernel"

    def setUp(self):
        # Output of an earlier test (late comm messages, status) must not leak in.
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except Empty:
                break

    def interactive(self, code, **kwargs):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=TIMEOUT, output_hook=outputs.append, **kwargs)
        return reply, [m for m in outputs if m["msg_type"] not in ("status", "execute_input")]

    def iopub_until(self, predicate, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except Empty:
                continue
            if predicate(msg):
                return msg
        self.fail("the expected iopub message did not come")

    def test_kernelspec(self):
        spec = self.km.kernel_spec
        self.assertEqual(spec.display_name, "JavaScript (Node.js)" if self.kernel_name == "node" else "JavaScript (message interrupts)")
        self.assertEqual(spec.language, "javascript")

    def test_execute_interactive(self):
        reply, outputs = self.interactive("const who = 'world';\nconsole.log(`hello, ${who}`);\nwho.length")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual([m["msg_type"] for m in outputs], ["stream", "execute_result"])
        self.assertEqual(outputs[0]["content"], {"name": "stdout", "text": "hello, world\n"})
        self.assertEqual(outputs[1]["content"]["data"], {"text/plain": "5"})
        self.assertEqual(outputs[1]["content"]["execution_count"], reply["content"]["execution_count"])

    def test_error(self):
        reply, outputs = self.interactive("null.property", stop_on_error=False)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "TypeError")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])
        self.assertIn("Cannot read properties of null", outputs[0]["content"]["evalue"])

    def test_comm_opened_by_the_frontend(self):
        reply, _ = self.interactive(
            "comms.registerTarget('py-echo', (comm, open) => {\n"
            "  comm.send({ opened: open.content.data });\n"
            "  comm.onMsg((msg) => comm.send({ echo: msg.content.data }));\n"
            "  comm.onClose(() => console.log('closed by python'));\n"
            "})"
        )
        self.assertEqual(reply["content"]["status"], "ok")
        comm_id = uuid.uuid4().hex
        session = self.kc.session
        self.kc.shell_channel.send(session.msg("comm_open", {"comm_id": comm_id, "target_name": "py-echo", "data": {"x": 1}}))
        first = self.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id)
        self.assertEqual(first["content"]["data"], {"opened": {"x": 1}})
        self.kc.shell_channel.send(session.msg("comm_msg", {"comm_id": comm_id, "data": {"ping": 2}}))
        echo = self.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id)
        self.assertEqual(echo["content"]["data"], {"echo": {"ping": 2}})
        info = self.kc.comm_info(target_name="py-echo", reply=True, timeout=TIMEOUT)
        self.assertEqual(info["content"]["comms"][comm_id], {"target_name": "py-echo"})
        self.kc.shell_channel.send(session.msg("comm_close", {"comm_id": comm_id, "data": {}}))
        closed = self.iopub_until(lambda m: m["msg_type"] == "stream")
        self.assertEqual(closed["content"]["text"], "closed by python\n")

    def test_comm_opened_by_the_kernel(self):
        reply, outputs = self.interactive(
            "const toPython = comms.createComm('py-target', { data: { hello: 'python' } });\n"
            "toPython.onMsg((msg) => toPython.send({ got: msg.content.data }));\n"
            "toPython.commId"
        )
        self.assertEqual(reply["content"]["status"], "ok")
        opens = [m for m in outputs if m["msg_type"] == "comm_open"]
        self.assertEqual(len(opens), 1)
        self.assertEqual(opens[0]["content"]["target_name"], "py-target")
        self.assertEqual(opens[0]["content"]["data"], {"hello": "python"})
        comm_id = opens[0]["content"]["comm_id"]
        result = [m for m in outputs if m["msg_type"] == "execute_result"][0]
        self.assertEqual(result["content"]["data"]["text/plain"], repr(comm_id))
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"n": 3}}))
        answer = self.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id)
        self.assertEqual(answer["content"]["data"], {"got": {"n": 3}})

    def test_input(self):
        prompts = []

        def stdin_hook(msg):
            prompts.append(msg["content"])
            self.kc.input("Ada" if not msg["content"]["password"] else "secret")

        reply, outputs = self.interactive(
            "const name = await input('name? ');\nconst pw = await input('password? ', { password: true });\n`${name}:${pw.length}`",
            allow_stdin=True,
            stdin_hook=stdin_hook,
        )
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(prompts, [{"prompt": "name? ", "password": False}, {"prompt": "password? ", "password": True}])
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "'Ada:6'")

    def test_interrupt_endless_loop(self):
        msg_id = self.kc.execute("while (true) {}")
        # Wait until the kernel is busy with it.
        self.iopub_until(lambda m: m["msg_type"] == "execute_input" and m["parent_header"].get("msg_id") == msg_id)
        time.sleep(0.3)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        again, outputs = self.interactive("await new Promise((r) => setTimeout(r, 100)); 'after the interrupt'")
        self.assertEqual(again["content"]["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "'after the interrupt'")

    def test_restart(self):
        self.interactive("globalThis.beforeRestart = 1")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        reply, outputs = self.interactive("typeof beforeRestart")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "'undefined'")


class NodeKernelMessageInterruptTests(NodeKernelClientTests):
    """The same, with the kernelspec whose interrupt_mode is "message"."""

    kernel_name = "node-message"


if __name__ == "__main__":
    unittest.main()
