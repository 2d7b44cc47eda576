import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, rangeOf } from '../../../language-server/src/dsl';
import type { Statement, Span, Field, Value } from '../../../language-server/src/dsl';

/** Parses text that must be free of syntax errors. */
function ok(text: string): Statement[] {
  const r = parse(text);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for ${JSON.stringify(text)}`);
  return r.tree.statements;
}

type Of<K, S = Statement> = S extends { kind: infer SK } ? (K extends SK ? S : never) : never;

function one<K extends Statement['kind']>(text: string, kind: K): Of<K> {
  const s = ok(text);
  assert.equal(s.length, 1);
  assert.equal(s[0].kind, kind);
  return s[0] as Of<K>;
}

/** The span of the nth occurrence of `needle` in `text`. */
function span(text: string, needle: string, nth = 0): Span {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `${needle} not found`);
  return { start: i, end: i + needle.length };
}

function sp(n: Span | undefined): Span {
  assert.ok(n, 'node missing');
  return { start: n.start, end: n.end };
}

function val(v: Value | undefined): string | bigint {
  assert.ok(v);
  if (v.kind === 'number') return v.value;
  if (v.kind === 'word') return v.text;
  if (v.kind === 'string') return v.value;
  return 'block';
}

function fields(fs: Field[]): [string, ...(string | bigint)[]][] {
  return fs.map((f) => [f.name.text, ...f.values.map(val)]);
}

test('interchange line: write64 / write32', () => {
  const text = 'write64 0x40000200 0x4003000b';
  const s = one(text, 'write');
  assert.equal(s.width, 64);
  assert.equal(s.addr?.value, 0x40000200n);
  assert.equal(s.value?.value, 0x4003000bn);
  assert.deepEqual(sp(s), { start: 0, end: text.length });
  assert.deepEqual(sp(s.keyword), span(text, 'write64'));
  assert.deepEqual(sp(s.value), span(text, '0x4003000b'));
  assert.equal(one('write32 0x10 0xdead_beef', 'write').width, 32);
});

test('interchange line: reg SMMU.REGISTER value, SMMU_ prefix optional, single-SMMU form', () => {
  const text = 'reg smmu0.SMMU_STRTAB_BASE 0x40000000';
  const s = one(text, 'reg');
  assert.equal(s.smmu?.name, 'smmu0');
  assert.equal(s.smmu?.kind, 'nameRef');
  assert.equal(s.register?.text, 'SMMU_STRTAB_BASE');
  assert.deepEqual(sp(s.register), span(text, 'SMMU_STRTAB_BASE'));
  assert.equal(s.value?.value, 0x40000000n);
  const t = one('reg CR0 0xd', 'reg');
  assert.equal(t.smmu, undefined);
  assert.equal(t.register?.text, 'CR0');
  const f = one('reg smmu0.CR0 smmuen 1 cmdqen 1', 'reg');
  assert.deepEqual(fields(f.fields), [
    ['smmuen', 1n],
    ['cmdqen', 1n],
  ]);
});

test('interchange line: cmd SMMU raw d0 d1', () => {
  const s = one('cmd smmu0 raw 0xab7a000000000011 0x0', 'cmd');
  assert.equal(s.smmu?.name, 'smmu0');
  assert.deepEqual(s.raw?.dwords.map((d) => d.value), [0xab7a000000000011n, 0n]);
  assert.equal(one('cmd raw 0x46 0', 'cmd').smmu, undefined);
});

test('commands by name with fields; SMMU optional; fields in a block', () => {
  const text = 'cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf';
  const s = one(text, 'cmd');
  assert.equal(s.opcode?.text, 'CMD_TLBI_NH_VA');
  assert.deepEqual(fields(s.fields), [['asid', 5n], ['addr', 0x10000000n], ['leaf']]);
  assert.deepEqual(sp(s.fields[1]), span(text, 'addr 0x1000_0000'));
  const sync = one('cmd CMD_SYNC', 'cmd');
  assert.equal(sync.smmu, undefined);
  assert.equal(sync.opcode?.text, 'CMD_SYNC');
  assert.deepEqual(fields(one('cmd CMD_SYNC cs sev', 'cmd').fields), [['cs', 'sev']]);
  const b = one('cmd smmu1 CMD_CFGI_STE { sid 0x100\n leaf }', 'cmd');
  assert.equal(b.smmu?.name, 'smmu1');
  assert.deepEqual(fields(b.body!.items as Field[]), [['sid', 0x100n], ['leaf']]);
});

test('interchange line: dma SMMU read|write sid ssid iova len priv exec', () => {
  const text = 'dma smmu0 write sid 8 ssid 3 iova 0xba7c668 len 4 priv exec';
  const s = one(text, 'dma');
  assert.equal(s.smmu?.name, 'smmu0');
  assert.equal(s.access?.text, 'write');
  assert.equal(s.sid?.value, 8n);
  assert.equal(s.ssid?.value, 3n);
  assert.equal(s.iova?.value, 0xba7c668n);
  assert.equal(s.len?.value, 4n);
  assert.equal(s.priv, true);
  assert.equal(s.exec, true);
  assert.deepEqual(sp(s.iova), span(text, '0xba7c668'));
  const r = one('dma read sid 0x100 iova 0x1000_0040', 'dma');
  assert.equal(r.smmu, undefined);
  assert.equal(r.priv, false);
  assert.equal(r.ssid, undefined);
});

test('transactions with inline expectations, and expectation lines', () => {
  const text = 'dma read sid 0x100 iova 0x1000_0040 expect pa 0x8000_0040 expect tlb miss';
  const s = one(text, 'dma');
  assert.equal(s.expects.length, 2);
  assert.equal(s.expects[0].what?.text, 'pa');
  assert.equal(val(s.expects[0].values[0]), 0x80000040n);
  assert.deepEqual(sp(s.expects[0]), span(text, 'expect pa 0x8000_0040'));
  assert.equal(val(s.expects[1].values[0]), 'miss');
  assert.deepEqual(sp(s), { start: 0, end: text.length });

  const lines = ok('ats sid 1 iova 0x1000\nexpect fault F_TRANSLATION stage 2 class TT\nexpect no hazard\nexpect hazard STALE_TLB\nexpect outcome stalled\nexpect mem 0x8000 0x1234');
  assert.equal(lines[0].kind, 'ats');
  const e = lines.slice(1).map((x) => (x.kind === 'expect' ? x.expectation : assert.fail('not expect')));
  assert.equal(e[0].what?.text, 'fault');
  assert.equal(val(e[0].values[0]), 'F_TRANSLATION');
  assert.deepEqual(fields(e[0].fields), [
    ['stage', 2n],
    ['class', 'TT'],
  ]);
  assert.equal(e[1].negated?.text, 'no');
  assert.equal(e[1].what?.text, 'hazard');
  assert.equal(e[1].values.length, 0);
  assert.equal(val(e[2].values[0]), 'STALE_TLB');
  assert.equal(val(e[3].values[0]), 'stalled');
  assert.deepEqual(e[4].values.map(val), [0x8000n, 0x1234n]);
});

test('smmu declaration: name, features block with multi-value fields and nested blocks', () => {
  const text = 'smmu smmu0 { stages s1 s2 nested; oas 48; tlb 256 lru\n  strtab 2level split 8 at 0x4000_0000\n  version 3.1\n  queues { cmdq 8 }\n}';
  const s = one(text, 'smmu');
  assert.equal(s.name?.kind, 'nameDecl');
  assert.equal(s.name?.name, 'smmu0');
  assert.deepEqual(sp(s.name), span(text, 'smmu0'));
  const items = s.body!.items as Field[];
  assert.deepEqual(fields(items.slice(0, 5)), [
    ['stages', 's1', 's2', 'nested'],
    ['oas', 48n],
    ['tlb', 256n, 'lru'],
    ['strtab', '2level', 'split', 8n, 'at', 0x40000000n],
    ['version', '3.1'],
  ]);
  const q = items[5].values[0];
  assert.equal(q.kind, 'block');
  assert.deepEqual(fields(q.kind === 'block' ? (q.items as Field[]) : []), [['cmdq', 8n]]);
  assert.equal(s.body?.closed, true);
  assert.deepEqual(sp(s.body), { start: text.indexOf('{'), end: text.length });
  assert.equal(one('smmu smmu1', 'smmu').body, undefined);
});

test('field names and enum values keep their case; lower is provided', () => {
  const s = one('ste smmu0 0x100 { S2T0SZ 25; config S1; s1dss bypass }', 'ste');
  const f = s.body!.items[0] as Field;
  assert.equal(f.name.text, 'S2T0SZ');
  assert.equal(f.name.lower, 's2t0sz');
  assert.equal(s.sid?.value, 0x100n);
  assert.equal(s.smmu?.name, 'smmu0');
});

test('STE: SMMU optional; raw dwords', () => {
  const s = one('ste 0x101 raw 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8', 'ste');
  assert.equal(s.smmu, undefined);
  assert.equal(s.sid?.value, 0x101n);
  assert.deepEqual(s.raw?.dwords.map((d) => d.value), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  assert.equal(s.body, undefined);
});

test('pagetable: header (stage, granule, options) and mappings', () => {
  const text = 'pagetable nic : s1 4k ia 48 {\n  map 0x1000_0000 +2M -> 0x8000_0000 rw\n  map 0x2000_0000 4K -> 0x9000_0000 r nG attrindx 1\n}';
  const s = one(text, 'pagetable');
  assert.equal(s.name?.name, 'nic');
  assert.equal(s.stage?.text, 's1');
  assert.equal(s.granule?.value, 4096n);
  assert.deepEqual(fields(s.options), [['ia', 48n]]);
  const [m1, m2] = s.body!.items;
  assert.equal(m1.kind, 'mapping');
  assert.equal(m2.kind, 'mapping');
  if (m1.kind !== 'mapping' || m2.kind !== 'mapping') return;
  assert.equal(m1.iova?.value, 0x10000000n);
  assert.equal(m1.size?.value, 0x200000n);
  assert.equal(m1.size?.text, '+2M');
  assert.deepEqual(sp(m1.size), span(text, '+2M'));
  assert.equal(m1.pa?.value, 0x80000000n);
  assert.equal(m1.perms?.text, 'rw');
  assert.deepEqual(sp(m1), span(text, 'map 0x1000_0000 +2M -> 0x8000_0000 rw'));
  assert.equal(m2.size?.value, 4096n);
  assert.equal(m2.perms?.text, 'r');
  assert.deepEqual(fields(m2.attrs), [['nG'], ['attrindx', 1n]]);
});

test('cd and cdtable declarations; references by value words', () => {
  const st = ok('cd nic_cd { asid 5; ttb0 nic }\ncd raw_cd raw 0x1 0x2\ncdtable t : 2level { ssid 0 nic_cd; ssid 3 raw_cd }');
  const [cd, raw, tbl] = st;
  assert.ok(cd.kind === 'cd' && raw.kind === 'cd' && tbl.kind === 'cdtable');
  assert.equal(cd.name?.declares, 'cd');
  assert.deepEqual(fields(cd.body!.items as Field[]), [
    ['asid', 5n],
    ['ttb0', 'nic'],
  ]);
  assert.equal(raw.raw?.dwords.length, 2);
  assert.equal(tbl.name?.declares, 'cdtable');
  assert.deepEqual(fields(tbl.options), [['2level']]);
  assert.deepEqual(fields(tbl.body!.items as Field[]), [
    ['ssid', 0n, 'nic_cd'],
    ['ssid', 3n, 'raw_cd'],
  ]);
});

test('page-table steps: map, unmap, pte', () => {
  const st = ok('map nic 0x3000_0000 +1G -> 0x1_0000_0000 rwx\nunmap nic 0x3000_0000 +1G\npte nic 0x1000_0000 level 3 0x0\npte nic 0x1000_0000 af 0');
  const [m, u, p1, p2] = st;
  assert.ok(m.kind === 'map' && u.kind === 'unmap' && p1.kind === 'pte' && p2.kind === 'pte');
  assert.equal(m.table?.kind, 'nameRef');
  assert.equal(m.table?.refers, 'pagetable');
  assert.equal(m.mapping.size?.value, 1n << 30n);
  assert.equal(m.mapping.pa?.value, 0x100000000n);
  assert.equal(m.mapping.perms?.text, 'rwx');
  assert.equal(u.iova?.value, 0x30000000n);
  assert.equal(u.size?.value, 1n << 30n);
  assert.equal(p1.value?.value, 0n);
  assert.deepEqual(fields(p1.fields), [['level', 3n]]);
  assert.equal(p2.value, undefined);
  assert.deepEqual(fields(p2.fields), [['af', 0n]]);
});

test('include, comments, `;` separators, keywords case-insensitive', () => {
  const text = '# header\ninclude "other.smmu" // why\nWRITE64 0x1 0x2; write32 0x3 0x4';
  const r = parse(text);
  assert.deepEqual(r.diagnostics, []);
  const [inc, w1, w2] = r.tree.statements;
  assert.ok(inc.kind === 'include' && w1.kind === 'write' && w2.kind === 'write');
  assert.equal(inc.path?.value, 'other.smmu');
  assert.equal(w2.width, 32);
  assert.deepEqual(
    r.tree.comments.map((c) => text.slice(c.start, c.end)),
    ['# header', '// why'],
  );
  assert.deepEqual(rangeOf(r.tree, w2), { start: { line: 2, character: 17 }, end: { line: 2, character: 32 } });
});

test('a later declaration of the same STE is a separate statement, in order', () => {
  const st = ok('ste smmu0 0x100 { config s1 }\ndma read sid 0x100 iova 0\nste smmu0 0x100 { config abort }');
  assert.deepEqual(
    st.map((s) => s.kind),
    ['ste', 'dma', 'ste'],
  );
});

test('block field separators: `=`, `:`, commas; binary numbers; keywords in any case', () => {
  const s = one('STE 0x5 { config = 0b101; s2t0sz: 25\n  strw 2; granules 4k, 64k }', 'ste');
  assert.deepEqual(fields(s.body!.items as Field[]), [
    ['config', 5n], // STE.Config 0b101: stage 1 translate, stage 2 bypass (IHI 0070 §5.2)
    ['s2t0sz', 25n],
    ['strw', 2n],
    ['granules', 4096n, 65536n],
  ]);
});

test('inline lists: flag words take no value, other names take exactly one', () => {
  const s = one('cmd CMD_CFGI_STE leaf sid 0x100 ssec 1 ssv 0x1', 'cmd');
  assert.deepEqual(fields(s.fields), [['leaf'], ['sid', 0x100n], ['ssec', 1n], ['ssv', 1n]]);
  const p = one('pagetable t : s1 4k', 'pagetable'); // a flag never takes a size
  assert.equal(p.stage?.text, 's1');
  assert.equal(p.granule?.value, 4096n);
  const d = one('dma sid 1 iova 2 write priv', 'dma');
  assert.equal(d.access?.text, 'write');
  assert.equal(d.priv, true);
  assert.equal(d.sid?.value, 1n);
  assert.deepEqual(
    d.options.map((f) => f.name.text),
    ['sid', 'iova', 'write', 'priv'],
  );
  const z = one('dma sid 1 iova 2 priv 0 exec 1', 'dma');
  assert.equal(z.priv, false);
  assert.equal(z.exec, true);
});

test('expect no hazard CODE; unknown expectation is a diagnostic', () => {
  const e = one('expect no hazard STALE_TLB', 'expect').expectation;
  assert.equal(e.negated?.text, 'no');
  assert.equal(val(e.values[0]), 'STALE_TLB');
  const r = parse('expect colour blue');
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].code, 'unknown-option');
  assert.deepEqual(r.diagnostics[0].range, { start: { line: 0, character: 7 }, end: { line: 0, character: 13 } });
});

test('an incomplete statement keeps the nodes it has (for completion and hover)', () => {
  const r = parse('dma smmu0 read sid');
  const s = r.tree.statements[0];
  assert.equal(s.kind, 'dma');
  if (s.kind !== 'dma') return;
  assert.equal(s.incomplete, true);
  assert.equal(s.smmu?.name, 'smmu0');
  assert.deepEqual(
    s.options.map((f) => f.name.text),
    ['read', 'sid'],
  );
  assert.equal(s.end, 18);
});

test('pagetable header: stage words in any spelling, granule after them', () => {
  const p = one('pagetable t stage2 64k ia 40 at 0x8000_0000', 'pagetable');
  assert.equal(p.stage?.text, 'stage2');
  assert.equal(p.granule?.value, 0x10000n);
  assert.deepEqual(fields(p.options), [
    ['ia', 40n],
    ['at', 0x80000000n],
  ]);
});

test('cpu tlbi INSTR with named operands or xt; `vhe` is a flag; a missing `tlbi` or instruction is one diagnostic', () => {
  const text = 'cpu tlbi VAE1IS asid 42 va 0x4000_0000 vmid 3 vhe';
  const s = one(text, 'cpu');
  assert.equal(s.op?.text, 'tlbi');
  assert.equal(s.instr?.text, 'VAE1IS');
  assert.deepEqual(sp(s.instr), span(text, 'VAE1IS'));
  assert.deepEqual(fields(s.fields), [['asid', 42n], ['va', 0x40000000n], ['vmid', 3n], ['vhe']]);
  assert.deepEqual(fields(one('cpu tlbi vae1is xt 0x2a000000040000', 'cpu').fields), [['xt', 0x2a000000040000n]]);
  assert.deepEqual(one('CPU TLBI vmalle1is', 'cpu').fields, []);
  for (const bad of ['cpu dsb ish', 'cpu tlbi', 'cpu tlbi 0x5']) {
    const r = parse(bad);
    assert.equal(r.diagnostics.length, 1, bad);
    assert.equal(r.tree.statements[0].kind, 'cpu');
  }
  assert.match(parse('cpu tlbi').diagnostics[0].message, /expected a TLBI instruction/);
});

test('vsmmu: vIOMMUs, then `mode nested|shadow`; an unknown mode is an error at the word with a suggestion', () => {
  const s = one('vsmmu vs1 vA vB mode shadow', 'vsmmu');
  assert.deepEqual(s.viommus.map((v) => v.name), ['vA', 'vB']);
  assert.equal(s.mode?.lower, 'shadow');
  assert.equal(one('vsmmu vs0 vA', 'vsmmu').mode, undefined);
  const bad = parse('vsmmu vs1 vA mode shadw');
  assert.equal(bad.diagnostics.length, 1);
  assert.deepEqual([bad.diagnostics[0].start, bad.diagnostics[0].end], [18, 23]);
  assert.match(bad.diagnostics[0].message, /did you mean 'shadow'/);
  assert.match(parse('vsmmu vs1 vA mode').diagnostics[0].message, /expected nested or shadow after `mode`/);
});
