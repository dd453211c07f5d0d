"""Executes a notebook of JavaScript cells with nbclient on the "node" kernelspec.

Run by nbclient.test.ts (JUPYTER_PATH points at the kernelspec); prints the
executed notebook as JSON on stdout for the test to check.
"""
import json
import sys

import nbformat
from nbclient import NotebookClient

cells = [
    "const greeting = 'hello';\nconsole.log(greeting);",
    "greeting.toUpperCase()",
    "display({ 'text/html': '<b>bold</b>', 'text/plain': 'bold' }, { raw: true });",
    "await new Promise((resolve) => setTimeout(resolve, 50));\n[1, 2, 3].map((x) => x * x)",
    "throw new RangeError('expected in this cell')",
    "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }\nfib(20)",
    "({ nested: { list: [1, 2] } })",
]

nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "node", "display_name": "JavaScript (Node.js)", "language": "javascript"}
for source in cells:
    cell = nbformat.v4.new_code_cell(source)
    if "expected in this cell" in source:
        cell.metadata["tags"] = ["raises-exception"]
    nb.cells.append(cell)

client = NotebookClient(nb, timeout=60, kernel_name="node", resources={"metadata": {"path": "."}})
client.execute()
nbformat.validate(nb)
sys.stdout.write(json.dumps(nb))
