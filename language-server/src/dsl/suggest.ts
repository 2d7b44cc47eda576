// "Did you mean": the closest known words to a misspelt one, the message suffix that names them,
// and the reading of that suffix back (the language server's quick fixes replace the word with each).

/** Levenshtein distance, for suggestions. */
export function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** Up to 3 candidates within a small edit distance (or sharing a prefix), closest first. */
export function closest(name: string, candidates: Iterable<string>): string[] {
  const scored: Array<[number, string]> = [];
  // No name is that long: a pasted blob gets no suggestion (and costs no distance computation).
  if (name.length > 64) return [];
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const dist = distance(name, c);
    const cl = c.toLowerCase();
    if (dist <= Math.max(2, Math.floor(name.length / 3)) || (lower.length >= 3 && (cl.startsWith(lower) || cl.includes(lower)))) scored.push([dist, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, 3).map((s) => s[1]);
}

export function didYouMean(names: string[]): string {
  return names.length ? ` (did you mean ${names.map((n) => `'${n}'`).join(', ')}?)` : '';
}

/** The suggestions a message's `didYouMean` suffix names (for quick fixes). */
export function suggestionsIn(message: string): string[] {
  const m = /\(did you mean ((?:'[^']+'(?:, )?)+)\?\)/.exec(message);
  return m ? [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]) : [];
}
