// Broadcast TLB maintenance on an SMMU (IHI 0070 §3.17.6): taken only with SMMU_IDR0.BTM == 1 and
// SMMU_CR2.PTM == 0 (§6.3.12); for a TLBI by ASID or VA only entries of CDs with CD.ASET == 0
// (§5.4); only entries of the instruction's regime and VMID, matched as the corresponding
// CMD_TLBI_* matches them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tlb, type TlbEntry, type TlbInsert } from '../../../../language-server/src/model/tlb';
import { applyBroadcast, broadcastRefusal } from '../../../../language-server/src/model/smmu/broadcast';
import { makeFeatures } from '../../../../language-server/src/model/smmu/features';
import { cpuTlbiByName, type CpuTlbi } from '../../../../language-server/src/model/cpu/tlbi';
import type { Attrs, Perms } from '../../../../language-server/src/model/types';

const RW: Perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
const ATTRS: Attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };
const VA = 0x4000_0000n;

function ent(over: Partial<TlbInsert>): TlbInsert {
  return { kind: 's1', regime: 'nsel1', vmid: 0, asid: 42, global: false, granule: 4, blockShift: 12, level: 3, inputBase: VA, outputBase: 0x8800_0000n, perms: RW, attrs: ATTRS, ...over };
}

const op = (name: string, o: Partial<CpuTlbi> = {}): CpuTlbi => ({ def: cpuTlbiByName(name)!, asid: 42, va: VA, vmid: 0, vhe: false, ...o });
const ids = (es: readonly TlbEntry[]) => es.map((e) => e.id).sort((a, b) => a - b);

/** One TLB with an entry per case the filters tell apart. */
function fill() {
  const t = new Tlb({ capacity: 64, policy: 'unbounded' });
  const e = {
    mine: t.insert(ent({}), 0).entry,
    otherAsid: t.insert(ent({ asid: 7 }), 0).entry,
    otherVa: t.insert(ent({ inputBase: VA + 0x1000n }), 0).entry,
    global: t.insert(ent({ inputBase: VA, blockShift: 21, level: 2, global: true }), 0).entry,
    aset: t.insert(ent({ vmid: 0, asid: 42, inputBase: VA + 0x2000n, aset: true }), 0).entry,
    vmid3: t.insert(ent({ vmid: 3 }), 0).entry,
    e2h: t.insert(ent({ regime: 'el2-e2h' }), 0).entry,
    el2: t.insert(ent({ regime: 'el2', global: true }), 0).entry,
    s2: t.insert(ent({ kind: 's2', vmid: 3, global: true, asid: 0 }), 0).entry,
  };
  return { t, e };
}

test('SMMU_IDR0.BTM == 0 or SMMU_CR2.PTM == 1: no broadcast is taken', () => {
  assert.equal(broadcastRefusal(makeFeatures({ btm: false }), 0n), 'SMMU_IDR0.BTM == 0');
  assert.equal(broadcastRefusal(makeFeatures({ btm: true }), 1n << 2n), 'SMMU_CR2.PTM == 1', 'PTM is SMMU_CR2[2]');
  assert.equal(broadcastRefusal(makeFeatures({ btm: true }), 0b11n), undefined, 'E2H and RECINVSID do not matter');
  const { t, e } = fill();
  const r = applyBroadcast(t, op('VAE1IS'), 'SMMU_IDR0.BTM == 0');
  assert.deepEqual(r.removed, []);
  // What VAE1IS matches (ASID 42 or global, VMID 0, EL1&0, the VA) is kept, with the reason.
  assert.deepEqual(ids(r.kept.map((k) => k.entry)), ids([e.mine, e.global]));
  assert.ok(r.kept.every((k) => k.why === 'SMMU_IDR0.BTM == 0'));
  assert.equal(t.size, 9);
});

test('VAE1IS: the ASID\'s and global entries of the VA, current VMID, EL1&0, CD.ASET == 0 only', () => {
  const { t, e } = fill();
  const r = applyBroadcast(t, op('VAE1IS'), undefined);
  assert.deepEqual(ids(r.removed), ids([e.mine, e.global]));
  assert.deepEqual(r.kept, []);
  // ASET: the entry of another page is not matched anyway; at its own VA it is matched and kept.
  const k = applyBroadcast(t, op('VAE1IS', { va: VA + 0x2000n }), undefined);
  assert.deepEqual(ids(k.removed), []);
  assert.deepEqual(k.kept.map((x) => [x.entry.id, x.why]), [[e.aset.id, 'CD.ASET == 1']]);
});

test('the same entries as CMD_TLBI_NH_VA would remove (one matching rule)', () => {
  const a = fill();
  const b = fill();
  const cmd = b.t.nhVa(0, 42, VA);
  const bc = applyBroadcast(a.t, op('VAE1IS'), undefined).removed;
  assert.deepEqual(bc.map((x) => x.inputBase), cmd.map((x) => x.inputBase));
  assert.deepEqual(bc.map((x) => x.global), cmd.map((x) => x.global));
});

test('VAAE1IS and VMALLE1IS match every ASID: CD.ASET == 1 entries go too', () => {
  const { t, e } = fill();
  // The 2M global block covers VA + 0x2000 too.
  assert.deepEqual(ids(applyBroadcast(t, op('VAAE1IS', { va: VA + 0x2000n }), undefined).removed), ids([e.global, e.aset]));
  const all = applyBroadcast(t, op('VMALLE1IS'), undefined);
  // Every EL1&0 stage-1 entry of VMID 0; VMID 3, stage 2 and the EL2 regimes stay.
  assert.deepEqual(ids(all.removed), ids([e.mine, e.otherAsid, e.otherVa]));
  assert.equal(t.size, 4);
});

test('ASIDE1IS: the non-global entries of the ASID, CD.ASET == 0', () => {
  const { t, e } = fill();
  const r = applyBroadcast(t, op('ASIDE1IS'), undefined);
  assert.deepEqual(ids(r.removed), ids([e.mine, e.otherVa]));
  assert.deepEqual(r.kept.map((k) => k.entry.id), [e.aset.id]);
});

test('the VMID: EL1 forms act on the current VMID only; VMALLS12E1IS takes stage 2 as well', () => {
  const { t, e } = fill();
  assert.deepEqual(ids(applyBroadcast(t, op('VAE1IS', { vmid: 3 }), undefined).removed), [e.vmid3.id]);
  assert.deepEqual(ids(applyBroadcast(t, op('VMALLS12E1IS', { vmid: 3 }), undefined).removed), [e.s2.id]);
});

test('the regime: VHE TLBIs reach EL2-E2H entries only; EL2 forms without E2H the EL2 entries by VA', () => {
  const { t, e } = fill();
  assert.deepEqual(ids(applyBroadcast(t, op('VAE1IS', { vhe: true }), undefined).removed), [e.e2h.id]);
  assert.deepEqual(ids(applyBroadcast(t, op('VAE2IS', { asid: 0 }), undefined).removed), [e.el2.id]);
  const again = fill();
  assert.deepEqual(ids(applyBroadcast(again.t, op('ALLE2IS', { vhe: true }), undefined).removed), [again.e.e2h.id]);
  // Entries of other regimes are not "kept": the instruction never matched them.
  assert.deepEqual(applyBroadcast(again.t, op('ALLE2IS', { vhe: true }), 'SMMU_CR2.PTM == 1').kept, []);
});
