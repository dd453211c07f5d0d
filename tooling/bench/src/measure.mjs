/** Runs `fn` repeatedly for about `seconds` after a warm-up; returns ops/s. */
export function opsPerSecond(fn, seconds = 1) {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2));

/** Prints rows of { name, ours, reference, target } as a table with ratios. */
export function printTable(title, rows, referenceName = "python") {
  const header = ["case", "jupyter-ts ops/s", `${referenceName} ops/s`, "ratio", "target", ""];
  const lines = rows.map((r) => {
    const ratio = r.reference ? r.ours / r.reference : NaN;
    const ok = r.target === undefined || Number.isNaN(ratio) ? "" : ratio >= r.target ? "ok" : "BELOW TARGET";
    return [r.name, fmt(r.ours), r.reference ? fmt(r.reference) : "-", Number.isNaN(ratio) ? "-" : `${ratio.toFixed(2)}x`, r.target ? `>= ${r.target}x` : "", ok];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const row = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  console.log(`\n${title}\n`);
  console.log(row(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(row(l));
  console.log("");
}
