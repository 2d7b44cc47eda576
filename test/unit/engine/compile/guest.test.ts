// Guest structures of nested STEs (decls/guest.ts): laid out at IPAs, written where the declared
// stage 2 maps them; unmapped IPAs, IPAs mapped onto the tool's own structures and a structure
// shared between address spaces are one error each; faults under nesting say what stage 2
// translated (output/nestedText.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario, runScenario } from '../../../../language-server/src/engine';
import { guestFixOf } from '../../../../language-server/src/engine/output/guestFix';

const S2 = `smmu smmuA { stages s1 s2 nested; oas 48 }
pagetable vm s2 4K {
  map 0x4000_0000 +2M -> 0x1_0000_0000 rw
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
`;
const GUEST = `pagetable nic s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd nic_cd { pagetable nic; asid 5 }
`;

const errors = (text: string) => runScenario(text, 'g.smmu').diagnostics.filter((d) => d.severity === 'error');
const labelOf = (text: string, kind: string) => runScenario(text, 'g.smmu').steps.find((s) => s.kind === kind)!.label;

test('a nested STE: CD and stage-1 tables at IPAs from 0x4000_0000, written at the PAs stage 2 maps them to', () => {
  const text = S2 + GUEST + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\ndma smmuA read sid 0x10 iova 0x1000_0040 expect pa 0x2_0000_0040\n';
  const r = runScenario(text, 'g.smmu');
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  assert.match(labelOf(text, 'pagetable'), /^pagetable vm: stage 2.* at 0x4000[0-9a-f]{4},/);
  const s1 = r.steps.find((s) => s.kind === 'pagetable' && s.label.startsWith('pagetable nic'))!;
  assert.match(s1.label, /at IPA 0x40000000 \(through stage 2 vm\)/);
  const cd = r.steps.find((s) => s.kind === 'cd')!;
  const m = /cd nic_cd at IPA (0x[0-9a-f]+) \(PA (0x[0-9a-f]+) through stage 2 vm\): ASID 0x5, TTB0 0x40000000/.exec(cd.label);
  assert.ok(m, cd.label);
  assert.equal(BigInt(m[2]), BigInt(m[1]) - 0x4000_0000n + 0x1_0000_0000n);
  // The STE points at the CD's IPA; the CD is in memory at its PA.
  const s = compileScenario(text, 'g.smmu');
  s.runToEnd();
  const cd0 = BigInt(s.evaluate(`read64 ${m[2]}`).split(': ')[1]);
  assert.equal((cd0 >> 31n) & 1n, 1n, 'CD.V at the PA');
  assert.equal((cd0 >> 48n) & 0xffffn, 5n, 'CD.ASID at the PA');
  // The STE's S1ContextPtr is the IPA (IHI 0070 §5.2).
  assert.match(r.steps.find((x) => x.kind === 'ste')!.label, /NESTED/);
  assert.match(s.evaluate('ste smmuA 0x10'), new RegExp(`S1ContextPtr[^\\n]*${m[1]}`));
});

test('unmapped guest IPAs: one error at the STE with the ranges and the map lines, the DMAs on the StreamID skipped', () => {
  const text = S2.replace('  map 0x4000_0000 +2M -> 0x1_0000_0000 rw\n', '') + GUEST + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\ndma smmuA read sid 0x10 iova 0x1000_0040 expect pa 0x2_0000_0040\n';
  const r = runScenario(text, 'g.smmu');
  assert.equal(r.diagnostics.length, 1, r.diagnostics.map((d) => d.message).join('\n'));
  const [d] = r.diagnostics;
  assert.deepEqual([d.code, d.line, d.col, d.endLine, d.endCol], ['E_GUEST_UNMAPPED', 7, 1, 7, 15]);
  assert.match(d.message, /IHI 0070 §3\.4\.1/);
  assert.match(d.message, /does not map IPA \[0x40000000, 0x40005000\) \(pagetable nic, cd nic_cd\)/);
  const fix = guestFixOf(d.message)!;
  assert.equal(fix.table, 'vm');
  assert.equal(fix.lines.length, 1);
  assert.match(fix.lines[0], /^map 0x40000000 \+2M -> 0x[0-9a-f]+ rw$/);
  assert.equal(r.steps.filter((s) => s.kind === 'dma').length, 0);
  // Applied, the fix's PA is free memory and the scenario passes.
  const fixed = text.replace('map 0x8000_0000 +2M -> 0x2_0000_0000 rw', `map 0x8000_0000 +2M -> 0x2_0000_0000 rw\n  ${fix.lines[0]}`);
  const ok = runScenario(fixed, 'g.smmu');
  assert.deepEqual(ok.diagnostics.map((x) => x.message), []);
  assert.deepEqual(ok.expectations, { passed: 1, failed: 0 });
});

test('stage 2 mapping the guest pool onto the tool\'s own structures (the old identity-map trick) is an error naming the IPA and PA', () => {
  const text = S2.replace('-> 0x1_0000_0000', '-> 0x4000_0000') + GUEST + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\n';
  const [d, ...rest] = errors(text);
  assert.deepEqual(rest, []);
  assert.equal(d.code, 'E_GUEST_OVERLAP');
  assert.match(d.message, /maps IPA 0x40000000 \(pagetable nic\) to PA 0x40000000, where the tool placed its own structures/);
});

test('one cd in two address spaces (a nested STE and a stage-1-only STE) is an error at the second STE', () => {
  const text = S2 + GUEST + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\nste smmuA 0x11 { cd nic_cd }\n';
  const es = errors(text);
  assert.deepEqual(es.map((d) => [d.code, d.line]), [['E_GUEST_SPACE', 9]]);
  assert.match(es[0].message, /cd nic_cd is a guest structure at an IPA of stage 2 `vm` for the STE at g\.smmu:8:1; here it would be at a physical address/);
});

test('a 2-level CD table under nesting: L1CD and CDs at IPAs, both fetches through stage 2', () => {
  const text = S2 + GUEST + `cd other { pagetable nic; asid 6 }
cdtable t 2level { ssid 0 nic_cd; ssid 0x41 other }
ste smmuA 0x10 { cdtable t; s2 vm; vmid 1 }
dma smmuA read sid 0x10 ssid 0x41 iova 0x1000_0040 expect pa 0x2_0000_0040
`;
  const r = runScenario(text, 'g.smmu');
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  assert.match(r.steps.find((s) => s.kind === 'cdtable')!.label, /at IPA 0x4000[0-9a-f]{4} \(through stage 2 vm\)/);
});

test('a later map on a guest table that needs a table at an IPA stage 2 does not map is an error at that map', () => {
  const text = S2.replace('+2M -> 0x1_0000_0000', '+20K -> 0x1_0000_0000') + GUEST + `ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }
map nic 0x7000_0000_0000 +4K -> 0x8000_1000
`;
  const es = errors(text);
  assert.deepEqual(es.map((d) => [d.code, d.line]), [['E_GUEST_UNMAPPED', 9]]);
  assert.match(es[0].message, /IPA \[0x40005000, 0x40008000\) \(pagetable nic\)/);
  // The chunk holding them is partly mapped already: the fix maps the pages.
  assert.deepEqual(guestFixOf(es[0].message)!.lines.map((l) => l.replace(/-> 0x[0-9a-f]+/, '-> PA')), ['map 0x40005000 +12K -> PA rw']);
});

test('C_BAD_CD under nesting says where stage 2 put the CD fetch; an output-IPA fault says it was the stage-1 result', () => {
  const text = S2 + GUEST.replace('asid 5', 'asid 5; v 0') + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\ndma smmuA read sid 0x10 iova 0x1000_0040\n';
  const bad = runScenario(text, 'g.smmu').diagnostics.find((d) => d.code === 'C_BAD_CD')!;
  assert.match(bad.message, /Through stage 2: CD fetch at IPA (0x4000[0-9a-f]{4}) → stage 2 → PA 0x1000[0-9a-f]{5}$/);
  const out = S2 + GUEST.replace('-> 0x8000_0000', '-> 0x9000_0000') + 'ste smmuA 0x10 { cd nic_cd; s2 vm; vmid 1 }\ndma smmuA read sid 0x10 iova 0x1000_0040\n';
  const f = runScenario(out, 'g.smmu').diagnostics.find((d) => d.code === 'F_TRANSLATION')!;
  assert.match(f.message, /CLASS=IN\)\. Through stage 2: CD fetch at IPA 0x4000[0-9a-f]{4} → stage 2 → PA 0x[0-9a-f]+; (stage-1 level-\d descriptor at IPA 0x[0-9a-f]+ \(the stage-1 table walk\) → stage 2 → PA 0x[0-9a-f]+; ){4}output IPA 0x90000040 \(the stage-1 result\) → stage 2 → stage-2 fault at level \d \(F_TRANSLATION\)$/);
  // The event record keeps the spec's fields: S2, CLASS, the page-aligned IPA.
  const ev = runScenario(out, 'g.smmu').steps.find((s) => s.kind === 'dma')!.events[0];
  assert.deepEqual([ev.s2, ev.class, ev.ipa], [true, 'IN', '0x90000000']);
});
