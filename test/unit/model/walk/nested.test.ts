import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { translateNested, walkStage1, makeNestedFetch, type NestedOutcome } from '../../../../language-server/src/model/walk';
import { READ, WRITE, s1, s2 } from './helpers';

// Stage 2: 4K, 40-bit IPA, SL0=1 (two concatenated level-1 tables at PA 0x8000_0000); each 1 GB of
// IPA i maps to PA 0x10_0000_0000 + i GB through a level-1 block (AF, S2AP=0b11, MemAttr=0b1111).
const S2_BLOCK = (i: bigint) => (0x10_0000_0000n + (i << 30n)) | 0x4fdn;
const S2L1 = (i: bigint) => 0x8000_0000n + i * 8n;
const PA = (ipa: bigint) => 0x10_0000_0000n + ipa;

// Stage 1 (4K, 48-bit VA) tables at IPAs 0x4000_0000 (L0), 0x4000_1000 (L1), 0x4000_2000 (L2) and
// 0x8000_3000 (L3, in the second GB); descriptors hold IPAs, the tables sit at their PAs.
const VA = (1n << 39n) | (2n << 30n) | (3n << 21n) | (4n << 12n) | 0x567n;
const OUT_IPA = 0x8_7654_3000n; // in GB 33

function build(): PhysicalMemory {
  const m = new PhysicalMemory();
  for (let i = 0n; i < 64n; i++) m.write64(S2L1(i), S2_BLOCK(i));
  m.write64(PA(0x4000_0008n), 0x4000_1003n);
  m.write64(PA(0x4000_1010n), 0x4000_2003n);
  m.write64(PA(0x4000_2018n), 0x8000_3003n);
  m.write64(PA(0x8000_3020n), OUT_IPA | 0x743n);
  return m;
}

const S1 = s1();
const S2 = s2();

function both(m: PhysicalMemory, a = READ): NestedOutcome {
  const traced = translateNested(S1, S2, VA, a, m, { trace: true });
  const fast = translateNested(S1, S2, VA, a, m);
  assert.equal(fast.ok, traced.ok);
  if (fast.ok && traced.ok) assert.equal(fast.outputAddr, traced.outputAddr);
  if (!fast.ok && !traced.ok) assert.deepEqual(fast.fault, traced.fault);
  return traced;
}

test('nested: VA -> IPA -> PA with every stage-1 table address translated by stage 2', () => {
  const r = both(build());
  assert.ok(r.ok);
  assert.equal(r.s1.outputAddr, 0x8_7654_3567n);
  assert.equal(r.outputAddr, 0x18_7654_3567n);
  const steps = r.s1Trace!.steps;
  assert.deepEqual(steps.map((s) => [s.descAddr, s.descPa]), [
    [0x4000_0008n, 0x10_4000_0008n],
    [0x4000_1010n, 0x10_4000_1010n],
    [0x4000_2018n, 0x10_4000_2018n],
    [0x8000_3020n, 0x10_8000_3020n],
  ]);
  // Each stage-1 fetch has its stage-2 walk (one level-1 block lookup at index IPA[39:30]).
  assert.deepEqual(steps.map((s) => s.s2Walk!.steps[0].index), [1, 1, 1, 2]);
  assert.equal(r.s2Trace!.inputAddr, 0x8_7654_3567n);
  // AP[2:1]=0b01 at stage 1, S2AP=0b11: RW both, EL1 not executable (EL0-writable implies PXN).
  assert.deepEqual(r.perms, { ur: true, uw: true, ux: true, pr: true, pw: true, px: false });
});

test('nested: stage-2 fault on a stage-1 table fetch is S2=1, CLASS=TT, IPA = the descriptor IPA', () => {
  const m = build();
  m.write64(S2L1(2n), 0n); // GB 2 (IPA 0x8000_0000..) unmapped: the level-3 table fetch faults
  const r = both(m);
  assert.ok(!r.ok && r.fault);
  assert.equal(r.during, 's1');
  assert.equal(r.fault.stage, 2);
  assert.equal(r.fault.class, 'TT');
  assert.equal(r.fault.kind, 'F_TRANSLATION');
  assert.equal(r.fault.level, 1);
  assert.equal(r.fault.ipa, 0x8000_3020n);
  const steps = r.s1Trace!.steps;
  assert.equal(steps.length, 4, 'the failing fetch is the last step');
  assert.equal(steps[3].level, 3);
  assert.equal(steps[3].s2Walk!.fault!.class, 'TT');
});

test('nested: stage-2 permission on the table fetch (S2AP without read) and S2PTW with Device memory', () => {
  const m = build();
  m.write64(S2L1(1n), S2_BLOCK(1n) & ~0xc0n); // S2AP=0b00 on the GB holding the first tables
  const r = both(m);
  assert.ok(!r.ok && r.fault);
  assert.equal(r.fault.kind, 'F_PERMISSION');
  assert.equal(r.fault.class, 'TT');
  assert.equal(r.fault.ipa, 0x4000_0008n);
  const d = build();
  d.write64(S2L1(1n), S2_BLOCK(1n) & ~0x3cn); // MemAttr=0b0000: Device
  assert.ok(both(d).ok, 'without S2PTW a Device table walk is allowed');
  const p = translateNested(S1, s2({ ptw: true }), VA, READ, d);
  assert.ok(!p.ok && p.fault);
  assert.equal(p.fault.kind, 'F_PERMISSION');
  assert.equal(p.fault.class, 'TT');
  assert.match(p.fault.reason, /S2PTW/);
  const pt = translateNested(S1, s2({ ptw: true }), VA, READ, d, { trace: true });
  assert.ok(!pt.ok && pt.fault);
  assert.deepEqual(pt.fault, p.fault);
});

test('nested: stage-2 fault on the output is CLASS=IN with the output IPA', () => {
  const m = build();
  m.write64(S2L1(33n), S2_BLOCK(33n) & ~0x80n); // S2AP=0b01: read-only
  assert.ok(both(m).ok);
  const r = both(m, WRITE);
  assert.ok(!r.ok && r.fault);
  assert.equal(r.during, 's2');
  assert.equal(r.fault.stage, 2);
  assert.equal(r.fault.class, 'IN');
  assert.equal(r.fault.kind, 'F_PERMISSION');
  assert.equal(r.fault.ipa, 0x8_7654_3567n);
  assert.equal(r.s1!.outputAddr, 0x8_7654_3567n);
});

test('nested: a stage-1 fault stays stage 1, CLASS=IN', () => {
  const m = build();
  m.write64(PA(0x8000_3020n), 0n);
  const r = both(m);
  assert.ok(!r.ok && r.fault);
  assert.equal(r.fault.stage, 1);
  assert.equal(r.fault.class, 'IN');
  assert.equal(r.fault.level, 3);
});

test('makeNestedFetch plugs into walkStage1 directly', () => {
  const m = build();
  const r = walkStage1(S1, VA, READ, makeNestedFetch(S2, m, { trace: true }), { trace: true });
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x8_7654_3567n);
  assert.equal(r.trace!.steps[0].s2Walk!.outputAddr, 0x10_4000_0008n);
  assert.throws(() => makeNestedFetch(s2({ sl0: 0 }), m), /illegal stage-2/);
});

test('nested: configuration errors are returned, not walked', () => {
  const r = translateNested(S1, s2({ sl0: 3 }), VA, READ, build());
  assert.ok(!r.ok && r.configError);
  assert.equal(r.configError.event, 'C_BAD_STE');
  const q = translateNested(s1({ tsz: 10 }), S2, VA, READ, build());
  assert.ok(!q.ok && q.configError);
  assert.equal(q.configError.event, 'C_BAD_CD');
});

test('nested HTTU: stage-2 AF updates on table fetches and output, stage-1 AF update, all reported', () => {
  for (const trace of [false, true]) {
    const m = build();
    m.write64(S2L1(1n), S2_BLOCK(1n) & ~0x400n); // AF=0 on the GB of the first three stage-1 tables
    m.write64(S2L1(33n), S2_BLOCK(33n) & ~0x400n); // AF=0 on the output GB
    m.write64(PA(0x8000_3020n), (OUT_IPA | 0x743n) & ~0x400n); // stage-1 leaf AF=0
    assert.equal(translateNested(S1, S2, VA, READ, m).ok, false, 'AF=0 faults without HA');
    const seen: bigint[] = [];
    const r = translateNested(s1({ ha: true }), s2({ ha: true }), VA, READ, m, { trace, writeBack: (u) => seen.push(u.descPa) });
    assert.ok(r.ok);
    assert.deepEqual(r.updates!.map((u) => [u.stage, u.descPa]), [
      [2, S2L1(1n)], [2, S2L1(1n)], [2, S2L1(1n)], // each table fetch in GB 1 (memory is not written)
      [1, PA(0x8000_3020n)],
      [2, S2L1(33n)],
    ]);
    assert.deepEqual(seen, r.updates!.map((u) => u.descPa));
    assert.equal(r.updates![3].newValue, OUT_IPA | 0x743n);
  }
});

test('nested HTTU: a stage-1 descriptor update is a stage-2 write (CLASS=TT), faulting on read-only stage 2', () => {
  for (const trace of [false, true]) {
    const m = build();
    m.write64(PA(0x8000_3020n), (OUT_IPA | 0x743n) & ~0x400n); // stage-1 leaf AF=0, in GB 2
    m.write64(S2L1(2n), S2_BLOCK(2n) & ~0x80n); // GB 2 read-only at stage 2 (S2AP=0b01)
    const r = translateNested(s1({ ha: true }), S2, VA, READ, m, { trace });
    assert.ok(!r.ok && r.fault);
    assert.equal(r.fault.stage, 2);
    assert.equal(r.fault.class, 'TT');
    assert.equal(r.fault.kind, 'F_PERMISSION');
    assert.equal(r.fault.ipa, 0x8000_3020n);
    // Writable at stage 2: the update goes ahead.
    m.write64(S2L1(2n), S2_BLOCK(2n));
    const ok = translateNested(s1({ ha: true }), S2, VA, READ, m, { trace });
    assert.ok(ok.ok);
    assert.deepEqual(ok.updates!.map((u) => u.stage), [1]);
  }
});
