"""jupyter_kernel_test's protocol checks against the jupyter-ts echo test kernel.

Run by kernel-test.test.ts with JUPYTER_PATH pointing at a kernelspec "jts-echo".
"""
import unittest

import jupyter_kernel_test


class EchoKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "jts-echo"
    language_name = "echo"
    file_extension = ".txt"

    code_hello_world = "hello, world"
    code_stderr = "stderr:oops"
    completion_samples = [{"text": "hel", "matches": {"hello", "help"}}]
    complete_code_samples = ["f()", "hello"]
    incomplete_code_samples = ["a \\"]
    invalid_code_samples = ["f("]
    code_generate_error = "error:boom"
    code_execute_result = [{"code": "history-a", "result": "history-a"}, {"code": "42", "result": "42"}]
    code_display_data = [{"code": "display:x", "mime": "text/plain"}]
    code_history_pattern = "history-*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "hello"
    code_clear_output = "clear:"


if __name__ == "__main__":
    unittest.main()
