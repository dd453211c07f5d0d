import type { HistoryEntry, HistoryRequestContent } from "@jupyter-ts/protocol";

/** The history session number the in-memory history reports for this process. */
const SESSION = 1;

interface Cell {
  line: number;
  input: string;
  output: string | null;
}

// fnmatch-style glob (`*`, `?`, `[...]`) as IPython's history search uses.
function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        out += `[${body}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}

/**
 * The executed inputs of this kernel process, kept in memory: what the base
 * class answers `history_request` with when a kernel does not override
 * `history`.
 */
export class InMemoryHistory {
  readonly #cells: Cell[] = [];

  /** Records an executed cell. */
  add(line: number, input: string, output: string | null = null): void {
    this.#cells.push({ line, input, output });
  }

  /** How many cells are recorded. */
  get size(): number {
    return this.#cells.length;
  }

  /** The entries a `history_request` asks for. */
  query(request: HistoryRequestContent): HistoryEntry[] {
    const entry = (cell: Cell): HistoryEntry => [SESSION, cell.line, request.output ? [cell.input, cell.output] : cell.input];
    switch (request.hist_access_type) {
      case "tail": {
        const n = Number(request.n);
        return Number.isFinite(n) && n > 0 ? this.#cells.slice(-n).map(entry) : [];
      }
      case "range": {
        // Only this process's session exists: 0 (current), its number, or -1 counted back from it.
        const session = Number(request.session ?? 0);
        if (session !== 0 && session !== SESSION) return [];
        const start = Number(request.start ?? 1);
        const stop = request.stop === undefined || request.stop === null ? Infinity : Number(request.stop);
        return this.#cells.filter((c) => c.line >= start && c.line < stop).map(entry);
      }
      case "search": {
        const re = globToRegExp(String(request.pattern ?? "*"));
        let found = this.#cells.filter((c) => re.test(c.input));
        if (request.unique) {
          const seen = new Set<string>();
          found = found.reverse().filter((c) => !seen.has(c.input) && seen.add(c.input)).reverse();
        }
        const n = request.n === undefined || request.n === null ? 0 : Number(request.n);
        return (n > 0 ? found.slice(-n) : found).map(entry);
      }
      default:
        return [];
    }
  }
}
