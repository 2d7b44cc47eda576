// Filtering and sorting of table rows (pure). Cells are display strings; 0x-hex and decimal cells
// compare by value (as bigint, never lossy numbers), everything else as text.

export type SortDir = 'asc' | 'desc';

const HEX = /^0x[0-9a-f]+$/i;
const DEC = /^-?\d+$/;

function numeric(s: string): bigint | undefined {
  const t = s.trim().replace(/_/g, '');
  if (HEX.test(t)) return BigInt(t);
  if (DEC.test(t)) return BigInt(t);
  return undefined;
}

export function compareCells(a: string, b: string): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return a.localeCompare(b);
}

/** Rows whose cells contain every whitespace-separated term of `query` (case-insensitive, any column). */
export function filterRows<T extends { cells: readonly string[] }>(rows: readonly T[], query: string): T[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return rows.slice();
  return rows.filter((r) => {
    const text = r.cells.join('\u0000').toLowerCase();
    return terms.every((t) => text.includes(t));
  });
}

/** Stable sort by column `col`. */
export function sortRows<T extends { cells: readonly string[] }>(rows: readonly T[], col: number, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((p, q) => sign * compareCells(p.r.cells[col] ?? '', q.r.cells[col] ?? '') || p.i - q.i)
    .map((p) => p.r);
}
