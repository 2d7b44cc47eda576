import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parse,
  nodeAt,
  tokenAt,
  commentAt,
  walk,
  children,
  declarations,
  references,
  resolveName,
  positionAt,
  offsetAt,
  KEYWORDS,
  STATEMENT_KEYWORDS,
} from '../../../language-server/src/dsl';
import type { Node } from '../../../language-server/src/dsl';

const text = [
  'smmu smmu0 { oas 48 }', // 0
  'pagetable nic : s1 4k { map 0x1000 +4K -> 0x8000 rw } # pt', // 1
  'cd nic_cd { asid 5; ttb0 nic }', // 2
  'ste smmu0 0x100 { config s1; cd nic_cd }', // 3
  'map nic 0x2000 +4K -> 0x9000 r', // 4
  'dma smmu0 read sid 0x100 iova 0x1000 expect pa 0x8000', // 5
].join('\n');
const { tree } = parse(text);

function off(line: number, needle: string, delta = 0): number {
  return offsetAt(tree, { line, character: text.split('\n')[line].indexOf(needle) + delta });
}

test('nodeAt: chain from the script to the innermost node', () => {
  const chain = nodeAt(tree, off(2, 'nic }', 1));
  assert.deepEqual(
    chain.map((n) => n.kind),
    ['script', 'cd', 'block', 'field', 'word'],
  );
  const last = chain[chain.length - 1];
  assert.equal(last.kind === 'word' && last.text, 'nic');
});

test('tokenAt: the token under the cursor and right after it; nothing on spaces', () => {
  const inWord = tokenAt(tree, off(5, 'iova', 2));
  assert.equal(inWord?.token.kind, 'word');
  assert.equal(inWord?.token.kind === 'word' && inWord.token.text, 'iova');
  assert.deepEqual(
    inWord?.chain.map((n) => n.kind),
    ['script', 'dma', 'field', 'word'],
  );
  const afterNum = tokenAt(tree, off(5, '0x8000', 6)); // cursor at the end of the token
  assert.equal(afterNum?.token.kind === 'number' && afterNum.token.value, 0x8000n);
  assert.deepEqual(
    afterNum?.chain.map((n) => n.kind),
    ['script', 'dma', 'expectation', 'number'],
  );
  const decl = tokenAt(tree, off(0, 'smmu0'));
  assert.equal(decl?.token.kind, 'nameDecl');
  const ref = tokenAt(tree, off(3, 'smmu0'));
  assert.equal(ref?.token.kind, 'nameRef');
  assert.equal(tokenAt(tree, off(1, ' {', 0) - 1)?.token.kind, 'number'); // end of `4k`
  assert.equal(tokenAt(tree, off(3, '{ config') + 1), undefined); // the space after `{`
});

test('commentAt', () => {
  assert.ok(commentAt(tree, off(1, '# pt', 2)));
  assert.equal(commentAt(tree, off(1, 'map')), undefined);
});

test('walk visits every node once, parents first, in source order', () => {
  const seen: [string, number][] = [];
  const once = new Set<Node>();
  walk(parse('dma read sid 1 iova 2 expect pa 3\nexpect no hazard').tree, (n) => {
    assert.ok(!once.has(n), `visited twice: ${n.kind}`);
    once.add(n);
  });
  // script, dma, `dma`, read field+word, sid field+word+number, iova field+word+number,
  // expectation+`expect`+`pa`+number, expect stmt+expectation+`expect`+`no`+`hazard`
  assert.equal(once.size, 1 + 1 + 1 + 2 + 3 + 3 + 4 + 5);
  walk(tree, (n, parents) => {
    seen.push([n.kind, parents.length]);
    if (parents.length > 0) assert.ok(children(parents[parents.length - 1]).includes(n));
  });
  assert.equal(seen[0][0], 'script');
  assert.equal(seen.filter(([k]) => k === 'nameDecl').length, 3);
  let last = -1;
  walk(tree, (n) => {
    if (n.kind === 'script') return;
    assert.ok(n.start >= last);
    last = n.start;
  });
  let statements = 0;
  walk(tree, (n: Node) => {
    if (n.kind !== 'script') {
      statements++;
      return false; // do not descend
    }
  });
  assert.equal(statements, 6);
});

test('declarations, references (fixed positions and value words), resolution', () => {
  assert.deepEqual(
    declarations(tree).map((d) => [d.name, d.declares]),
    [
      ['smmu0', 'smmu'],
      ['nic', 'pagetable'],
      ['nic_cd', 'cd'],
    ],
  );
  const refs = references(tree).map((r) => [r.name, r.node.kind, positionAt(tree, r.node.start).line]);
  assert.deepEqual(refs, [
    ['nic', 'word', 2],
    ['smmu0', 'nameRef', 3],
    ['nic_cd', 'word', 3],
    ['nic', 'nameRef', 4],
    ['smmu0', 'nameRef', 5],
  ]);
  assert.equal(resolveName(tree, 'nic', ['pagetable'])?.start, off(1, 'nic'));
  assert.equal(resolveName(tree, 'nic', ['cd']), undefined);
});

test('keyword lists for completion and the grammar', () => {
  assert.ok(STATEMENT_KEYWORDS.includes('dma'));
  assert.ok(KEYWORDS.includes('raw'));
  assert.ok(KEYWORDS.includes('expect'));
  assert.equal(new Set(KEYWORDS).size, KEYWORDS.length);
});
