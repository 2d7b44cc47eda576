// High-level lowering: encodings derived from the spec, semantic diagnostics, includes,
// robustness, replay, evaluate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario, runScenario } from '../../../../language-server/src/engine/index';
import type { WireScenarioResult } from '../../../../language-server/src/engine/api';

const BASE = `
smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
`;

function codes(r: WireScenarioResult, sev = 'error'): string[] {
  return r.diagnostics.filter((d) => d.severity === sev).map((d) => d.code);
}

test('a complete high-level scenario runs without errors and translates', () => {
  const r = runScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0123 expect pa 0x8000_0123\n', 'a.smmu');
  assert.deepEqual(codes(r), []);
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  const dma = r.steps.find((s) => s.kind === 'dma')!;
  assert.equal(dma.pa, '0x80000123');
  assert.equal(dma.tlb, 'miss');
  assert.ok(dma.walks && dma.walks[0].steps.length === 4, 'a 48-bit 4K walk reads levels 0..3');
});

test('the CD is encoded with the derived defaults (IHI 0070 §5.4)', () => {
  const s = compileScenario(BASE, 'a.smmu');
  s.runToEnd();
  const out = s.evaluate('decode cd ' + cdWords(s).join(' '));
  // V, AA64, A, R set; EPD1 because TTB1 is unused; T0SZ 16 (48-bit table); TG0 4K; ASID 5.
  for (const [f, bits, v] of [['V', '0[31]', '0x1'], ['AA64', '0[41]', '0x1'], ['A', '0[46]', '0x1'], ['R', '0[45]', '0x1'], ['EPD1', '0[30]', '0x1'], ['T0SZ', '0[5:0]', '0x10'], ['ASID', '0[63:48]', '0x5']]) {
    assert.ok(out.split('\n').some((l) => l.split(/\s+/).slice(0, 3).join(' ') === `${f} ${bits} ${v}`), `${f} ${bits} ${v} in\n${out}`);
  }
});

function cdWords(s: ReturnType<typeof compileScenario>): string[] {
  const st = s.state();
  const ste = st.smmus[0].streams.find((x) => x.sid === '0x10')!;
  assert.equal(ste.config, 'S1_TRANS');
  return ste.cds[0].raw;
}

test('the STE of a stage-2 table carries S2T0SZ/S2SL0/S2TG/S2PS from the table (IHI 0070 §5.2)', () => {
  const r = compileScenario(`smmu smmu0 { ias 40 }
pagetable vm s2 4K ias 40 { map 0 +4K -> 0x1000 rw }
ste smmu0 3 { s2 vm; vmid 7 }
`, 'b.smmu');
  r.runToEnd();
  const ste = r.state().smmus[0].streams.find((x) => x.sid === '0x3')!;
  assert.equal(ste.config, 'S2_TRANS');
  assert.equal(ste.fields.S2T0SZ, '0x18'); // 64 - 40
  // 40-bit IPA with 4K: start at level 1 with 2 concatenated tables -> S2SL0 = 0b01.
  assert.equal(ste.fields.S2SL0, '0x1');
  assert.equal(ste.fields.S2TG, '0x0');
  assert.equal(ste.fields.S2PS, '0x5'); // OAS 48
  assert.equal(ste.fields.S2VMID, '0x7');
  assert.equal(ste.fields.S2AA64, '0x1');
  assert.equal(ste.tables[0].name, 'vm');
});

test('unknown names and duplicates are diagnosed on the reference', () => {
  const r = runScenario(`smmu smmu0
pagetable pt s1 4K { }
pagetable pt s1 4K { }
cd c { pagetable ptt }
ste smmu0 1 { cd cc }
`, 'c.smmu');
  const d = r.diagnostics.filter((x) => x.severity === 'error');
  assert.ok(d.some((x) => x.code === 'E_DUPLICATE_NAME' && x.line === 3));
  const unknownPt = d.find((x) => x.code === 'E_UNKNOWN_NAME' && x.line === 4)!;
  assert.match(unknownPt.message, /unknown pagetable 'ptt'.*did you mean 'pt'/);
  assert.equal(unknownPt.col, 18, 'on the reference itself (column of ptt)');
  assert.ok(d.some((x) => x.code === 'E_UNKNOWN_NAME' && x.line === 5 && /did you mean 'c'/.test(x.message)));
});

test('unknown STE field lists close names; a value too wide gives the width', () => {
  const r = runScenario(`smmu smmu0
ste smmu0 1 { config bypass; S2VMIDD 3 }
ste smmu0 2 { config bypass; S1CDMax 40 }
`, 'd.smmu');
  const f = r.diagnostics.find((x) => x.code === 'E_UNKNOWN_FIELD')!;
  assert.match(f.message, /STE has no field 'S2VMIDD'.*'S2VMID'/);
  const w = r.diagnostics.find((x) => x.code === 'E_FIELD_RANGE')!;
  assert.match(w.message, /5 bits wide/); // STE.S1CDMax is [63:59]
});

test('mapping problems: overlap, beyond the input size, beyond the OAS', () => {
  const r = runScenario(`smmu smmu0 { oas 40 }
pagetable pt s1 4K ias 39 {
  map 0x1000 +8K -> 0x8000_0000 rw
  map 0x2000 +4K -> 0x9000_0000 rw
  map 0x80_0000_0000 +4K -> 0x1000 rw
  map 0x3000 +4K -> 0x100_0000_0000 rw
}
`, 'e.smmu');
  assert.deepEqual(codes(r).sort(), ['E_MAP_OVERLAP', 'E_MAP_RANGE', 'E_MAP_RANGE']);
  assert.ok(r.diagnostics.some((d) => /40-bit output/.test(d.message)));
  assert.ok(r.diagnostics.some((d) => /39-bit input/.test(d.message)));
});

test('a misaligned `at` and an illegal table size are reported', () => {
  const r = runScenario(`smmu smmu0
pagetable a s1 4K at 0x4000_0800 { }
pagetable b s1 4K tsz 10 { }
pagetable c s2 4K ias 40 sl0 0 { }
`, 'f.smmu');
  assert.ok(r.diagnostics.some((d) => d.code === 'E_MISALIGNED' && d.line === 2));
  assert.ok(r.diagnostics.some((d) => d.code === 'E_TABLE_CONFIG' && d.line === 3 && /T0SZ=10/.test(d.message)));
  // 40-bit IPA from level 2 would need 2^(40-30-9)... 256 tables > 16.
  assert.ok(r.diagnostics.some((d) => d.code === 'E_TABLE_CONFIG' && d.line === 4 && /S2SL0/.test(d.message)));
});

test('features the instance lacks: nested on a stage-1-only SMMU', () => {
  const r = runScenario(`smmu smmu0 { stage1 }
pagetable s1t s1 4K { }
pagetable s2t s2 4K { }
cd c { pagetable s1t }
ste smmu0 1 { config nested; cd c; s2 s2t }
`, 'g.smmu');
  assert.ok(r.diagnostics.some((d) => d.code === 'E_FEATURE' && d.line === 3), 'stage-2 table on a stage-1-only instance');
  assert.ok(r.diagnostics.some((d) => d.code === 'E_FEATURE' && d.line === 5 && /stage 2/.test(d.message)));
});

test('named commands are encoded from the command tables (IHI 0070 §4.4)', () => {
  const s = compileScenario(`smmu smmu0
cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf
`, 'h.smmu');
  const r = s.runToEnd();
  assert.deepEqual(codes(r), []);
  // CMD_TLBI_NH_VA: opcode 0x12, ASID [63:48]; dword1: Leaf bit 0, Address [63:12].
  const q = s.evaluate('reg smmu0.CMDQ_BASE');
  const base = BigInt(/= (0x[0-9a-f]+)/.exec(q)![1]) & ~0x1fn;
  const idx = r.steps.filter((x) => x.kind === 'cmd').length - 1; // slot of the last command
  assert.equal(s.evaluate(`read64 ${'0x' + (base + BigInt(idx) * 16n).toString(16)}`).split(': ')[1], '0x5000000000012');
  assert.equal(s.evaluate(`read64 ${'0x' + (base + BigInt(idx) * 16n + 8n).toString(16)}`).split(': ')[1], '0x10000001');
});

test('unknown command lists close names', () => {
  const r = runScenario('smmu smmu0\ncmd smmu0 CMD_TLBI_NH_VX asid 1\n', 'i.smmu');
  const d = r.diagnostics.find((x) => x.code === 'E_UNKNOWN_COMMAND')!;
  assert.match(d.message, /CMD_TLBI_NH_VA/);
});

test('includes: resolved through the injected reader, cycles and missing files diagnosed', () => {
  const files: Record<string, string> = {
    'main.smmu': 'include "a.smmu"\ninclude "missing.smmu"\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000\n',
    'a.smmu': BASE + 'include "b.smmu"\n',
    'b.smmu': 'include "a.smmu"\n',
  };
  const r = runScenario(files['main.smmu'], 'main.smmu', {
    readInclude: (_from, p) => (files[p] !== undefined ? { uri: p, text: files[p] } : { error: `no such file ${p}` }),
  });
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  assert.ok(r.diagnostics.some((d) => d.code === 'E_INCLUDE' && d.line === 2 && /missing/.test(d.message)));
  const cyc = r.diagnostics.find((d) => d.code === 'E_INCLUDE_CYCLE')!;
  assert.equal(cyc.line, 1, 'reported on the include in the main file that leads to it');
  assert.match(cyc.message, /a\.smmu -> b\.smmu -> a\.smmu/);
});

test('failed expectations are errors with expected vs actual', () => {
  const r = runScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000\n', 'j.smmu');
  assert.deepEqual(r.expectations, { passed: 0, failed: 1 });
  const d = r.diagnostics.find((x) => x.code === 'EXPECT_FAILED')!;
  assert.match(d.message, /expected pa 0x90000000, got ok pa 0x80000000/);
});

test('an unexpected fault is an error carrying its event record', () => {
  const r = runScenario(BASE + 'dma smmu0 write sid 0x10 iova 0x2000_0000\n', 'k.smmu');
  const d = r.diagnostics.find((x) => x.code === 'F_TRANSLATION')!;
  assert.equal(d.severity, 'error');
  assert.match(d.message, /^F_TRANSLATION: StreamID 0x10, InputAddr 0x20000000, stage 1 level \d: /);
  const ev = r.steps.find((s) => s.kind === 'dma')!.events[0];
  assert.equal(ev.type, 'F_TRANSLATION');
  assert.equal(ev.code, '0x10'); // IHI 0070 §7.3: F_TRANSLATION is 0x10
  assert.equal(ev.rnw, false);
  assert.equal(ev.class, 'IN');
  assert.equal(ev.raw.length, 4);
});

test('garbage never throws and produces diagnostics', () => {
  for (const text of ['}}}{{{', 'ste', 'map nope 1 2 -> 3', 'dma smmu0 read', 'cmd smmu0 raw 1', '\u0000\u0001', 'pte x 0 level 9 1', 'expect pa 1']) {
    const r = runScenario(text, 'z.smmu');
    assert.ok(Array.isArray(r.diagnostics));
  }
});

test('goto replays deterministically: stepping back gives the same state', () => {
  const s = compileScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0000\ndma smmu0 read sid 0x10 iova 0x1000_0008\n', 'l.smmu');
  s.runToEnd();
  const end = JSON.stringify(s.state());
  const n = s.position;
  s.goto(n - 1);
  assert.equal(s.position, n - 1);
  const before = s.state();
  assert.equal(before.smmus[0].tlb[0].hits, 0, 'one step back: the second DMA has not hit yet');
  s.goto(n);
  assert.equal(JSON.stringify(s.state()), end);
  assert.equal(s.results().length, n);
});

test('state() marks the TLB entry a DMA added', () => {
  const s = compileScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0000\n', 'm.smmu');
  s.runToEnd();
  const st = s.state();
  assert.deepEqual(st.changes.tlbAdded, [st.smmus[0].tlb[0].id]);
  assert.ok(st.smmus[0].configCache.some((e) => e.kind === 'STE' && e.sid === '0x10'));
  assert.equal(st.smmus[0].registers.find((r) => r.name === 'SMMU_CR0')!.fields.SMMUEN, '0x1');
});

test('evaluate answers the console expressions and explains unknown ones', () => {
  const s = compileScenario(BASE, 'n.smmu');
  s.runToEnd();
  assert.match(s.evaluate('translate smmu0 sid 0x10 0x1000_0040'), /^ok pa 0x80000040/);
  assert.match(s.evaluate('translate smmu0 sid 0x10 0x1000_0040 write'), /^ok/);
  assert.match(s.evaluate('ste smmu0 0x10'), /^Config\s+0\[3:1\]\s+0x5/m);
  assert.match(s.evaluate('reg smmu0.CR0'), /SMMUEN = 0x1/);
  assert.match(s.evaluate('tlb smmu0'), /TLB empty/, 'translate in the console is a dry run');
  assert.match(s.evaluate('frobnicate'), /Accepted expressions/);
});

test('the hazard hook fills WireStep.hazards, reports them and feeds `expect hazard`', async () => {
  const { Runtime } = await import('../../../../language-server/src/engine/run/runtime');
  const saved = Runtime.hazardHook;
  Runtime.hazardHook = {
    afterStep: (_rt, step) => (step.kind === 'dma'
      ? [{ code: 'H_TEST', severity: 'warning', message: 'test hazard.', fix: 'none needed.', line: step.range.line, related: [] }]
      : []),
  };
  try {
    const r = runScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_TEST\nexpect no hazard H_OTHER\n', 'o.smmu');
    assert.deepEqual(r.expectations, { passed: 2, failed: 0 });
    const dma = r.steps.find((s) => s.kind === 'dma')!;
    assert.equal(dma.hazards[0].code, 'H_TEST');
    assert.ok(r.diagnostics.some((d) => d.code === 'H_TEST' && d.severity === 'warning'));
  } finally {
    Runtime.hazardHook = saved;
  }
});

test('a 2-level stream table: L1STD per 2^SPLIT StreamIDs (IHI 0070 §3.3.2)', () => {
  const s = compileScenario(`smmu smmu0 { strtab 2level; split 8 }
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { ttb0 pt }
ste smmu0 0x1_2345 { cd c }
dma smmu0 read sid 0x1_2345 iova 0x1000_0000 expect pa 0x8000_0000
dma smmu0 read sid 0x1_2346 iova 0x1000_0000 expect fault C_BAD_STE
`, 'p.smmu');
  const r = s.runToEnd();
  assert.deepEqual(codes(r), []);
  assert.deepEqual(r.expectations, { passed: 2, failed: 0 });
  const cfg = s.evaluate('reg smmu0.STRTAB_BASE_CFG');
  assert.match(cfg, /FMT = 0x1/);
  assert.match(cfg, /SPLIT = 0x8/);
  assert.match(cfg, /LOG2SIZE = 0x11/); // 0x12345 needs 17 bits
});

test('pte edits a descriptor in place; a linear CD table places CDs by SubstreamID', () => {
  const r = runScenario(`smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }
cd c0 { ttb0 pt }
cd c1 { ttb0 pt2 }
cdtable t linear { ssid 0 c0; ssid 1 c1 }
ste smmu0 4 { cdtable t }
dma smmu0 read sid 4 ssid 1 iova 0x1000_0000 expect pa 0x9000_0000
dma smmu0 read sid 4 iova 0x1000_0000 expect pa 0x8000_0000
pte pt2 0x1000_0000 ap 3
cmd CMD_TLBI_NH_ALL vmid 0
cmd CMD_SYNC
dma smmu0 write sid 4 ssid 1 iova 0x1000_0000 expect fault F_PERMISSION
dma smmu0 read sid 4 ssid 1 iova 0x1000_0000 expect pa 0x9000_0000
pte pt2 0x1000_0000 0
dma smmu0 read sid 4 ssid 1 iova 0x1000_0008 expect tlb hit
`, 'q.smmu');
  assert.deepEqual(codes(r), []);
  assert.deepEqual(r.expectations, { passed: 5, failed: 0 });
});

test('automatic ASIDs and VMIDs avoid the ones the scenario names', () => {
  const s = compileScenario(`smmu smmu0
pagetable a s1 4K { }
pagetable b s1 4K { }
pagetable v s2 4K { }
cd auto { ttb0 a }
cd named { ttb0 b; asid 1 }
ste smmu0 1 { cd auto }
ste smmu0 2 { cd named }
ste smmu0 3 { s2 v }
ste smmu0 4 { s2 v; vmid 1 }
`, 'r.smmu');
  s.runToEnd();
  const streams = s.state().smmus[0].streams;
  const asid = (sid: string) => streams.find((x) => x.sid === sid)!.cds[0].fields.ASID;
  assert.equal(asid('0x2'), '0x1');
  assert.equal(asid('0x1'), '0x2');
  assert.equal(streams.find((x) => x.sid === '0x3')!.fields.S2VMID, '0x2');
});

test('commands written with write64 and consumed by a PROD register write show in the step', () => {
  // CMD_TLBI_NSNH_ALL (opcode 0x30, IHI 0070 §4.4) placed in queue memory by hand, then PROD moved.
  const s = compileScenario(BASE + 'dma smmu0 read sid 0x10 iova 0x1000_0000\n', 's.smmu');
  s.runToEnd();
  const q = BigInt(/= (0x[0-9a-f]+)/.exec(s.evaluate('reg smmu0.CMDQ_BASE'))![1]) & ~0x1fn;
  const prod = BigInt(/= (0x[0-9a-f]+)/.exec(s.evaluate('reg smmu0.CMDQ_PROD'))![1]);
  const r = runScenario(BASE + `dma smmu0 read sid 0x10 iova 0x1000_0000
write64 0x${(q + prod * 16n).toString(16)} 0x30
write64 0x${(q + prod * 16n + 8n).toString(16)} 0x0
reg smmu0.SMMU_CMDQ_PROD 0x${(prod + 1n).toString(16)}
dma smmu0 read sid 0x10 iova 0x1000_0000 expect tlb miss
`, 't.smmu');
  assert.deepEqual(codes(r), []);
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  const regStep = r.steps.filter((x) => x.kind === 'reg').at(-1)!;
  assert.equal(regStep.removed?.tlb.length, 1, 'the TLBI removed the entry the first DMA made');
});
