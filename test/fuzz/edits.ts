// Random incremental edit sessions, as an editor sends them (LSP didChange with ranges): inserts,
// deletes, pastes of other parts of the text, undo of an earlier edit, edits across statement
// boundaries (ranges spanning line ends), replacements of a statement's words. Each edit is
// applied to a text model here too, so the session always knows the document's text.
// Used by the CI fuzz (test/unit/robust/incremental.test.ts) and `npm run fuzz`.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CancellationToken, type Diagnostic } from 'vscode-languageserver';
import { completion } from '../../language-server/src/server/completion';
import { hover } from '../../language-server/src/server/hover';
import { signatureHelp } from '../../language-server/src/server/signatureHelp';
import type { ServerContext } from '../../language-server/src/server/context';
import { Analyzer, type Executed } from '../../language-server/src/server/documents';
import { InlineRunner } from '../../language-server/src/server/runner';
import { DEFAULT_SETTINGS } from '../../language-server/src/server/settings';
import { EDGE_NUMBERS, Rng } from './lib';

export interface Edit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

const SNIPPETS = [
  ' ', '\n', '#', '# note', '0x1000', '+4K', 'sid 0x10', 'iova 0x1000_0000', ' expect pa 0x8000_0000', '{', '}', ';',
  'dma smmu0 read sid 0x10 iova 0x1000_0000\n', 'map 0x2000_0000 +4K -> 0x9000_0000 rw\n', 'cmd smmu0 CMD_SYNC\n',
  'write64 0x4000_0000 0x1\n', 'smmu smmu1\n', 'ste smmu0 0x20 { config bypass }\n', 'cd c2 { asid 9 }\n', '"', '->', 'expect',
];

/** One edit session over a document: `next()` makes a random edit and applies it. */
export class EditSession {
  readonly doc: TextDocument;
  /** Inverse edits, most recent last (undo pops one). */
  private readonly undo: Edit[] = [];

  constructor(private readonly rng: Rng, uri: string, text: string) {
    this.doc = TextDocument.create(uri, 'smmu', 1, text);
  }

  get text(): string {
    return this.doc.getText();
  }

  private pos(offset: number) {
    return this.doc.positionAt(offset);
  }

  /** A random offset, biased towards line starts and ends (statement boundaries). */
  private offset(): number {
    const t = this.doc.getText();
    const o = this.rng.int(t.length + 1);
    if (this.rng.chance(0.3)) {
      const nl = t.indexOf('\n', o);
      return nl < 0 ? t.length : this.rng.chance(0.5) ? nl : nl + 1;
    }
    return o;
  }

  /** The edit that replaces [a, b) with `text`; records its inverse for undo. */
  private replace(a: number, b: number, text: string, record = true): Edit {
    const t = this.doc.getText();
    const e: Edit = { range: { start: this.pos(a), end: this.pos(b) }, text };
    if (record) {
      const startPos = this.pos(a);
      // After the edit, the inserted text spans [a, a + text.length): the inverse puts back t[a, b).
      const after = TextDocument.create('x', 'smmu', 0, t.slice(0, a) + text + t.slice(b));
      this.undo.push({ range: { start: startPos, end: after.positionAt(a + text.length) }, text: t.slice(a, b) });
      if (this.undo.length > 50) this.undo.shift();
    }
    return e;
  }

  /** Makes one random edit, applies it to the document and returns it with its new version. */
  next(): { edit: Edit; version: number; kind: string } {
    const rng = this.rng;
    const t = this.doc.getText();
    let edit: Edit;
    let kind: string;
    const k = rng.int(10);
    if (k === 0 && this.undo.length) {
      kind = 'undo';
      edit = this.undo.pop()!;
    } else if (k === 1 && rng.chance(0.6)) {
      // One digit of a number replaced by another: the same length, so the line starts stand
      // (a transaction's address, a declaration's PA, ASID or StreamID: relowered or re-run).
      kind = 'digit';
      // Half the time its number's last digit: a transaction's page offset, which leaves the model
      // state as before by the next checkpoint (the resumed run rejoins the previous one).
      // Sometimes a digit on a declaration's line (a map line's address, a CD's ASID, an STE's field):
      // its words patched into the resumed run when the layout stands (engine/run/declPatch.ts).
      const at = rng.chance(0.3) ? declDigit(t, rng) : digitAt(t, this.offset(), rng.chance(0.5));
      edit = at < 0 ? this.replace(0, 0, '#') : this.replace(at, at + 1, String(rng.int(10)));
    } else if (k <= 2) {
      kind = 'insert';
      const o = this.offset();
      const s = rng.chance(0.7) ? rng.pick(SNIPPETS) : rng.pick(EDGE_NUMBERS);
      edit = this.replace(o, o, rng.chance(0.5) ? s : s.slice(0, 1 + rng.int(s.length)));
    } else if (k <= 4) {
      kind = 'delete';
      const a = this.offset();
      const b = Math.min(t.length, a + 1 + rng.int(rng.chance(0.2) ? 200 : 8));
      edit = this.replace(a, b, '');
    } else if (k <= 6) {
      kind = 'paste';
      const a = rng.int(t.length + 1);
      const b = Math.min(t.length, a + rng.int(rng.chance(0.2) ? 2000 : 120));
      const o = this.offset();
      edit = this.replace(o, o, t.slice(a, b));
    } else if (k === 7) {
      kind = 'join';
      // Delete a line end: two statements become one line (or a statement joins a comment).
      const nl = t.indexOf('\n', rng.int(t.length + 1));
      edit = nl < 0 ? this.replace(t.length, t.length, '\n') : this.replace(nl, nl + 1, rng.chance(0.5) ? '' : ' ');
    } else if (k === 8) {
      kind = 'split';
      const o = this.offset();
      edit = this.replace(o, o, rng.chance(0.5) ? '\n' : ';');
    } else {
      kind = 'replace';
      const a = this.offset();
      const b = Math.min(t.length, a + rng.int(30));
      edit = this.replace(a, b, rng.pick(SNIPPETS));
    }
    const version = this.doc.version + 1;
    TextDocument.update(this.doc, [edit], version);
    return { edit, version, kind };
  }
}

/** The offset of the first digit at or after `from` (wrapping around), or of the last digit of the
 *  word it is in when `last`; -1 if the text has none. */
/** The offset of a random digit on a random declaration line (`map`, `cd`, `ste`, `pte`, a
 *  `pagetable`'s or `cd`'s field), or -1. */
function declDigit(t: string, rng: Rng): number {
  const re = /^[ \t]*(map|cd|ste|pte|asid|ttb0|s2ttb|vmid)\b[^\n]*$/gm;
  const lines: Array<[number, string]> = [];
  for (let m = re.exec(t); m; m = re.exec(t)) lines.push([m.index, m[0]]);
  if (!lines.length) return -1;
  const [at, line] = rng.pick(lines);
  const digits = [...line.matchAll(/[0-9]/g)];
  return digits.length ? at + rng.pick(digits).index! : -1;
}

function digitAt(t: string, from: number, last: boolean): number {
  const re = /[0-9]/g;
  for (const start of [from, 0]) {
    re.lastIndex = start;
    const m = re.exec(t);
    if (!m) continue;
    if (!last) return m.index;
    let e = m.index;
    while (/[0-9A-Za-z_]/.test(t[e + 1] ?? '')) e++;
    while (!/[0-9]/.test(t[e])) e--;
    return e;
  }
  return -1;
}

function analyzer(debounceMs: number, published: Executed[]): Analyzer {
  return new Analyzer({
    settings: () => ({ ...DEFAULT_SETTINGS, debounceMs }),
    runner: new InlineRunner(),
    roots: () => [],
    openDocs: () => ({}),
    publish: (ex) => published.push(ex),
    log: () => {},
  });
}

/** Completion, signature help and hover at a random position of the current version, right after
 *  an edit (they answer from the incremental tree, and hover from the run before): the first
 *  exception thrown, if any. The real server's guard would hide it (logged, empty answer). */
async function featuresAt(rng: Rng, ctx: ServerContext, doc: TextDocument): Promise<string | undefined> {
  const line = rng.int(doc.lineCount + 1);
  const len = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).length;
  const position = { line, character: rng.int(len + 2) };
  const p = { textDocument: { uri: doc.uri }, position };
  for (const [name, f] of [['completion', () => completion(ctx, p, CancellationToken.None)], ['signatureHelp', () => signatureHelp(ctx, p)], ['hover', () => hover(ctx, p, CancellationToken.None)]] as const) {
    try {
      await f();
    } catch (e) {
      return `${name} at ${line}:${position.character} threw ${e instanceof Error ? e.stack?.split('\n').slice(0, 3).join(' | ') : String(e)}`;
    }
  }
  return undefined;
}

const key = (d: Diagnostic) => JSON.stringify([d.range, d.severity, d.code, d.message]);
const sorted = (ds: readonly Diagnostic[]) => ds.map(key).sort();

/** Diagnostics of `text` analysed from scratch (a fresh analyzer, version 1), as sorted keys. */
async function fromScratch(uri: string, text: string): Promise<string[]> {
  const a = analyzer(0, []);
  const s = new EditSession(new Rng(1), uri, text);
  a.update(s.doc);
  const ex = await a.executedNow(uri);
  a.close(uri);
  return sorted(ex?.diagnostics ?? []);
}

/**
 * One session through the server's document analysis (Analyzer, inline engine runner): `base`
 * opened, 5 to 24 random edits (some waited for, some in bursts), then the diagnostics published
 * for the last version compared with a from-scratch analysis of the same text. Returns the number
 * of edits and the problem found, if any.
 */
export async function checkEditSession(rng: Rng, base: string, uri: string): Promise<{ edits: number; features: number; problem?: string }> {
  const published: Executed[] = [];
  const debounceMs = rng.pick([0, 0, 1]);
  const a = analyzer(debounceMs, published);
  const ctx: ServerContext = { analyzer: a, settings: () => ({ ...DEFAULT_SETTINGS, debounceMs }), log: () => {} };
  const s = new EditSession(rng, uri, base);
  a.update(s.doc);
  const kinds: string[] = [];
  const n = 5 + rng.int(20);
  let features = 0;
  for (let k = 0; k < n; k++) {
    kinds.push(s.next().kind);
    a.update(s.doc);
    if (rng.chance(0.5)) {
      features++;
      const thrown = await featuresAt(rng, ctx, s.doc);
      if (thrown) return { edits: k + 1, features, problem: `${kinds.join(' ')}: ${thrown}` };
    }
    // Sometimes let the run finish (the next edit starts from a completed analysis), else a burst.
    if (rng.chance(0.3)) await a.executedNow(uri);
  }
  const ex = await a.executedNow(uri);
  a.close(uri);
  const last = published[published.length - 1];
  if (!ex || ex.version !== s.doc.version || last?.version !== s.doc.version) {
    return { edits: n, features, problem: `last published version ${last?.version}, document ${s.doc.version} (${kinds.join(' ')})` };
  }
  const want = await fromScratch(uri, s.text);
  const got = sorted(ex.diagnostics);
  if (JSON.stringify(got) === JSON.stringify(want)) return { edits: n, features };
  return {
    edits: n,
    features,
    problem: `${kinds.join(' ')}: published ${got.length} diagnostics, from scratch ${want.length}\n` +
      `  only published: ${got.filter((d) => !want.includes(d)).slice(0, 2).join(' ')}\n  only from scratch: ${want.filter((d) => !got.includes(d)).slice(0, 2).join(' ')}`,
  };
}
