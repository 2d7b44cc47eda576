// HazardTracker on its own: hand-made transaction results and commands over a real PhysicalMemory
// and SmmuInstance (for features and names); findings are checked as data. Expected hazards follow IHI 0070 §3.17 (the TLB may
// keep any translation a walk produced), §4.4 (TLBI matching) and §4.7.3 (CMD_SYNC completes them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { SmmuInstance } from '../../../../language-server/src/model/smmu/instance';
import { makeFeatures } from '../../../../language-server/src/model/smmu/features';
import { executeCommand, type CommandResult } from '../../../../language-server/src/model/smmu/commands';
import { commandByName, commandPreset } from '../../../../language-server/src/model/fields/commands';
import { encode } from '../../../../language-server/src/model/fields/field';
import { Tlb } from '../../../../language-server/src/model/tlb/tlb';
import { type TlbEntry } from '../../../../language-server/src/model/tlb/types';
import type { TransactionResult } from '../../../../language-server/src/model/smmu/result';
import type { WalkTrace } from '../../../../language-server/src/model/types';
import { HazardTracker, HAZARDS } from '../../../../language-server/src/model/hazards';

const VA = 0x1000_0000n;
const PA = 0x8000_0000n;
const L0 = 0x4000_0000n; // level 0..3 tables, one descriptor each
const LEAF_PA = 0x4000_3000n + 8n * ((VA >> 12n) & 0x1ffn);
// VMSAv8-64 4K descriptors (DDI 0487 D8.3): table = NLTA | 0b11; page = OA | AF(bit 10) | 0b11.
const tableDesc = (next: bigint) => next | 3n;
const PAGE = PA | (1n << 10n) | 3n;

const RW = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };

function setup(name = 'smmu0', mem = new PhysicalMemory()) {
  const inst = new SmmuInstance(name, mem, makeFeatures());
  return { mem, inst };
}

function writeTables(mem: PhysicalMemory): WalkTrace {
  const steps = [0, 1, 2].map((lvl) => {
    const descPa = L0 + BigInt(lvl) * 0x1000n + 8n * ((VA >> BigInt(39 - 9 * lvl)) & 0x1ffn);
    const desc = tableDesc(L0 + BigInt(lvl + 1) * 0x1000n);
    mem.write64(descPa, desc);
    return { stage: 1 as const, level: lvl, tableAddr: L0 + BigInt(lvl) * 0x1000n, index: 0, descAddr: descPa, descPa, desc, kind: 'table' as const };
  });
  mem.write64(LEAF_PA, PAGE);
  steps.push({ stage: 1, level: 3, tableAddr: 0x4000_3000n, index: 0, descAddr: LEAF_PA, descPa: LEAF_PA, desc: PAGE, kind: 'page' as never });
  return { stage: 1, granule: 4, inputSize: 48, startLevel: 0, ttb: L0, inputAddr: VA, steps, outputAddr: PA };
}

function entry(asid = 5, vmid = 0): TlbEntry {
  return {
    id: 1, kind: 's1', regime: 'nsel1', vmid, asid, global: false, aset: false, granule: 4, blockShift: 12, level: 3, inputBase: VA, outputBase: PA,
    perms: RW, attrs: { sh: 3, nG: true, af: true, contiguous: false, dbm: false }, insertedAt: 0, hits: 0,
  };
}

function txn(tlb: 'hit' | 'miss', walk?: WalkTrace, outcome: TransactionResult['outcome'] = 'ok'): TransactionResult {
  return {
    outcome, pa: PA, sid: 0x10, iova: VA, access: { read: true, exec: false, priv: false }, tlb, tlbEntry: outcome === 'ok' ? entry() : undefined,
    configCache: 'n/a', walks: walk ? { stage1: walk } : {}, events: [], used: { configEntries: [], tlbEntries: [], descriptors: [] }, perms: RW,
    // The STE/CD views a stage-1 stream gives (only the parts the tracker reads: tags of a faulting lookup).
    ste: { addr: 0x4100_0000n, raw: [1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], fields: {}, config: { mode: 's1', fields: {}, s1: { contextPtr: 0n, fmt: 0, cdMax: 0, dss: 0, stalld: false, strw: 0 } } },
    cd: { addr: 0x4200_0000n, raw: [1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], fields: {}, config: { fields: { TTB0: L0 }, asid: 5, record: true, stall: false } as never },
  };
}

/** A command as the instance would report it: decoded by executeCommand from its encoded words. */
function cmd(inst: SmmuInstance, name: string, fields: Record<string, bigint> = {}): CommandResult {
  const raw = encode(commandByName(name)!, { ...commandPreset(name), ...fields }) as [bigint, bigint];
  const ctx = { features: inst.features, tlb: new Tlb({ capacity: 1, policy: 'fifo' }), invalidateSteRange: () => [], invalidateCds: () => [], invalidateAllConfig: () => [], resume: () => undefined, stallTerm: () => 0 };
  return executeCommand(ctx, raw, 0);
}

function codes(t: HazardTracker): string[] {
  return t.take().map((h) => `${h.code}@${h.step}`);
}

test('every hazard code has a meaning, a fix and a spec citation', () => {
  for (const [code, h] of Object.entries(HAZARDS)) {
    assert.equal(h.code, code);
    assert.match(code, /^H_[A-Z0-9_]+$/);
    assert.ok(h.meaning.length > 20 && h.fix.length > 10);
    assert.match(h.spec, /(IHI 0070|DDI 0487) /);
  }
});

test('cleared PTE: stale until TLBI, then unsynced until CMD_SYNC, then clean', () => {
  const { mem, inst } = setup();
  const t = new HazardTracker(mem);
  const walk = writeTables(mem);
  t.beginStep(0);
  t.transaction(inst, txn('miss', walk));
  assert.deepEqual(codes(t), []);
  t.beginStep(1);
  mem.write64(LEAF_PA, 0n);
  t.flushWrites(false);
  t.beginStep(2);
  t.transaction(inst, txn('hit'));
  const [h] = t.take();
  assert.equal(h.code, 'H_STALE_TLB');
  assert.equal(h.step, 2);
  assert.equal(h.insertAfter, 1);
  assert.ok(h.state === 'tlb');
  // The write that changed the leaf (step 1) and the walk whose result may be cached (step 0).
  assert.deepEqual([h.write.step, h.walkStep], [1, 0]);
  assert.deepEqual({ addr: h.write.addr, old: h.write.old, now: h.write.now, nowValid: h.write.nowValid }, { addr: LEAF_PA, old: PAGE, now: 0n, nowValid: false });
  assert.deepEqual(h.missing, [
    { smmu: 'smmu0', name: 'CMD_TLBI_NH_VA', fields: { ASID: 5n, Address: 0x1000_0000n, Leaf: 1n } },
    { smmu: 'smmu0', name: 'CMD_SYNC', fields: {} },
  ]);
  t.beginStep(3);
  t.command(inst, cmd(inst, 'CMD_TLBI_NH_VA', { ASID: 5n, Address: VA, Leaf: 1n }));
  t.beginStep(4);
  t.transaction(inst, txn('miss', undefined, 'fault'));
  assert.deepEqual(codes(t), ['H_TLBI_NO_SYNC@4']);
  t.beginStep(5);
  t.command(inst, cmd(inst, 'CMD_SYNC'));
  t.beginStep(6);
  t.transaction(inst, txn('miss', undefined, 'fault'));
  assert.deepEqual(codes(t), []);
  // The four descriptors are released once the entry is invalidated and synced; the STE and the CD
  // (still cacheable) stay watched.
  assert.equal(t.trackedWords, 2);
});

test('writes by the SMMU itself (HTTU, during a transaction) and same-value writes are not hazards', () => {
  const { mem, inst } = setup();
  const t = new HazardTracker(mem);
  t.beginStep(0);
  t.transaction(inst, txn('miss', writeTables(mem)));
  t.beginStep(1);
  mem.write64(LEAF_PA, PAGE | (1n << 51n)); // DBM set by ... the walk, in a transaction step
  t.flushWrites(true);
  t.beginStep(2);
  mem.write64(LEAF_PA, PAGE | (1n << 51n)); // software writes the value already there
  t.flushWrites(false);
  t.beginStep(3);
  t.transaction(inst, txn('hit'));
  assert.deepEqual(codes(t), []);
});

test('a TLBI on one instance does not clean another instance that read the same table', () => {
  const mem = new PhysicalMemory();
  const a = setup('smmuA', mem).inst;
  const b = setup('smmuB', mem).inst;
  const t = new HazardTracker(mem);
  const walk = writeTables(mem);
  t.beginStep(0);
  t.transaction(a, txn('miss', walk));
  t.transaction(b, txn('miss', walk));
  t.beginStep(1);
  mem.write64(LEAF_PA, 0n);
  t.flushWrites(false);
  t.beginStep(2);
  t.command(a, cmd(a, 'CMD_TLBI_NH_ASID', { ASID: 5n }));
  t.command(a, cmd(a, 'CMD_SYNC'));
  t.beginStep(3);
  t.transaction(a, txn('miss', undefined, 'fault'));
  t.transaction(b, txn('hit'));
  const hz = t.take();
  assert.deepEqual(hz.map((h) => h.code), ['H_STALE_TLB']);
  assert.equal(hz[0].smmu, 'smmuB');
  assert.deepEqual(hz[0].missing.map((m) => `${m.smmu} ${m.name}`), ['smmuB CMD_TLBI_NH_VA', 'smmuB CMD_SYNC']);
});

test('break-before-make: valid -> valid with another output address is reported at the write', () => {
  const { mem, inst } = setup();
  const t = new HazardTracker(mem);
  t.beginStep(0);
  t.transaction(inst, txn('miss', writeTables(mem)));
  t.beginStep(1);
  mem.write64(LEAF_PA, (PA + 0x10_0000n) | (1n << 10n) | 3n);
  t.flushWrites(false);
  assert.deepEqual(codes(t), ['H_BBM@1']);
  // Only AF cleared: a valid -> valid change that is not a BBM case (DDI 0487 D8.16.1), but it is a change.
  const u = setup();
  const t2 = new HazardTracker(u.mem);
  t2.beginStep(0);
  t2.transaction(u.inst, txn('miss', writeTables(u.mem)));
  t2.beginStep(1);
  u.mem.write64(LEAF_PA, PAGE & ~(1n << 10n));
  t2.flushWrites(false);
  assert.deepEqual(codes(t2), []);
  t2.beginStep(2);
  t2.transaction(u.inst, txn('hit'));
  assert.deepEqual(codes(t2), ['H_STALE_TLB@2']);
});

test('a write to an untracked frame costs one map lookup and records nothing', () => {
  const { mem } = setup();
  const t = new HazardTracker(mem);
  t.beginStep(0);
  for (let i = 0n; i < 1000n; i++) mem.write64(0x9000_0000n + i * 8n, i);
  t.flushWrites(false);
  assert.deepEqual(codes(t), []);
  assert.equal(t.trackedWords, 0);
});
