// The versions of a document as analysed (server/sources.ts): whether a line may start with
// `include` follows each edit from the lines it touched, and equals a search of the whole text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { nextSource, type Source } from '../../../language-server/src/server/sources';
import { Rng } from '../../fuzz/lib';

const URI = 'file:///inc.smmu';
const LINES = ['include "a.smmu"', 'dma read sid 0x1 iova 0x1000', '# include "b.smmu"', '  include "c.smmu"', 'write64 0x1000 0x1', ''];

test('property: `includes` after each random line edit is true whenever a line starts with include', () => {
  const rng = new Rng(5);
  let lines = [LINES[1], LINES[4], LINES[1]];
  let doc = TextDocument.create(URI, 'smmu', 1, lines.join('\n'));
  let src: Source = nextSource(undefined, doc, 1e7);
  const saw = { yes: 0, no: 0 };
  for (let v = 2; v < 600; v++) {
    const k = rng.int(lines.length + 1);
    if (k < lines.length && rng.chance(0.5)) lines.splice(k, 1);
    else lines.splice(k, 0, rng.pick(LINES));
    if (lines.length === 0) lines = [LINES[1]];
    doc = TextDocument.create(URI, 'smmu', v, lines.join('\n'));
    src = nextSource(src, doc, 1e7);
    const has = /^\s*include\b/m.test(src.text);
    if (has) {
      assert.equal(src.includes, true, `version ${v}: an include line, not seen`);
      saw.yes++;
    } else saw.no++;
  }
  assert.ok(saw.yes > 50 && saw.no > 5, JSON.stringify(saw));
});

test('removing the include line is noticed; an edit away from it keeps the file\'s include', () => {
  const body = Array.from({ length: 20_000 }, (_, i) => `write64 0x${(0x1000 + i * 8).toString(16)} 0x1`);
  const text = ['include "a.smmu"', ...body].join('\n');
  const doc = TextDocument.create(URI, 'smmu', 1, text);
  const first = nextSource(undefined, doc, 1e7);
  assert.equal(first.includes, true);
  // The include line removed: searched again (only then), and found gone.
  const gone = nextSource(first, TextDocument.create(URI, 'smmu', 2, text.replace('include "a.smmu"', '# removed')), 1e7);
  assert.equal(gone.includes, false);
  // An edit at the end: the file still has its include, known from the edit's lines alone.
  const edited = text.slice(0, -1) + '2';
  const last = nextSource(first, TextDocument.create(URI, 'smmu', 3, edited), 1e7, { p: edited.length - 1, s: 0 });
  assert.equal(last.includes, true);
});
