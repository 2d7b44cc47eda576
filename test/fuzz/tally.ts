// The CI fuzz budget's total: each suite of test/unit/robust records how many inputs it tried in a
// file shared by the test files of one `node --test` run (keyed by the runner's pid), and prints
// the running total, so the last line printed is the whole run's total.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FILE = path.join(os.tmpdir(), `iommu-lens-fuzz-${process.ppid}.jsonl`);

/** Records `inputs` tried by `target` and prints the totals of this test run so far. */
export function recordFuzz(target: string, inputs: number): void {
  try {
    fs.appendFileSync(FILE, JSON.stringify({ target, inputs, pid: process.pid, t: Date.now() }) + '\n');
    const rows = fs.readFileSync(FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { target: string; inputs: number; t: number });
    const first = Math.min(...rows.map((r) => r.t));
    const by = new Map<string, number>();
    for (const r of rows) by.set(r.target, (by.get(r.target) ?? 0) + r.inputs);
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz total: ${total} inputs so far in this run (${[...by].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `${((Date.now() - first) / 1000).toFixed(0)} s since the first suite finished)`);
  } catch {
    // The tally is a report, never a failure.
  }
}
