// A shadowing (caching-mode) vIOMMU: the same guest vSMMU, but the VMM composes guest stage 1 and
// the IOAS into a stage-2-only shadow table it updates only on guest invalidations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VSmmu, scanLeaves, type ShadowPlan } from '../../../../language-server/src/model/iommufd';
import { decode } from '../../../../language-server/src/model/fields/field';
import { STE } from '../../../../language-server/src/model/fields/ste';
import { makeCodec } from '../../../../language-server/src/engine/compile/layout/descriptors';
import { defaultAttrs } from '../../../../language-server/src/engine/compile/decls/pagetable';
import { HazardTracker, type ShadowingView } from '../../../../language-server/src/model/hazards';
import type { SmmuInstance } from '../../../../language-server/src/model/smmu';
import { CMD, G_CD, G_STRTAB, GUEST_RAM, RD, guestBringUp, vm } from './fixture';

// Guest stage 1 (4K granule, T0SZ 25: 39-bit IOVA, start level 1), tables at IPAs.
const G_L1 = 0x4002_0000n;
const G_L2 = 0x4002_1000n;
const G_L3 = 0x4002_2000n;
const IOVA = 0x8020_1000n;
const WR = { read: false, exec: false, priv: false };
const POOL = 0xa000_0000n;
/** Stage-1 page, AF, inner shareable, AttrIndx 1, AP RW at EL0 (DDI 0487 D8.3): 0xf47 | OA. */
const page = (ipa: bigint, ro = false) => ipa | 0xf47n | (ro ? 0x80n : 0n);

function plan(): ShadowPlan {
  const geo = { stage: 2 as const, granule: 4 as const, inputSize: 40, startLevel: 1, outputSize: 48 };
  return {
    pool: POOL, poolSize: 0x10_0000n,
    formats: new Map([['smmuB', { geo, rw: makeCodec(2, 4, defaultAttrs(2)), ro: makeCodec(2, 4, { ...defaultAttrs(2), w: false }) }]]),
  };
}

function shadowVm() {
  const env = vm();
  env.ok(env.fd.allocVdevice('vB', 0x10, 0x9));
  const vs = VSmmu.create('vs1', ['vB'], env.fd, { mode: 'shadow', shadow: plan() });
  assert.ok(vs instanceof VSmmu);
  const g = vs.guest;
  const m = vs.memory;
  guestBringUp(g);
  // CD: T0SZ 25, TG0 4K, IRGN/ORGN WBWA, SH inner, EPD1, IPS 48, AA64, R, A, ASID 1; MAIR Attr1 WB.
  m.write64(G_CD, 0x0001_6205_c000_3519n);
  m.write64(G_CD + 8n, G_L1);
  m.write64(G_CD + 24n, 0x44ff04n);
  m.write64(G_L1 + 2n * 8n, G_L2 | 3n);
  m.write64(G_L2 + 1n * 8n, G_L3 | 3n);
  m.write64(G_L3 + 1n * 8n, page(0x4008_0000n));
  // STE[0x10]: V, Config S1_TRANS, S1ContextPtr; word 1: S1CIR/S1COR WBRA, S1CSH inner.
  m.write64(G_STRTAB + 0x10n * 64n, G_CD | 0xbn);
  m.write64(G_STRTAB + 0x10n * 64n + 8n, 0xd4n);
  return { ...env, vs, g, m };
}

function install(vs: VSmmu) {
  vs.guest.submitCommand(CMD('CMD_CFGI_STE', { StreamID: 0x10n, Leaf: 1n }));
  vs.guest.submitCommand(CMD('CMD_SYNC'));
  return vs.take();
}

test('scanLeaves finds the guest leaves of a range, reading only the tables on the way', () => {
  const { m } = shadowVm();
  const tt = { ttb: G_L1, tsz: 25, granule: 4 as const };
  const all = scanLeaves(m, tt, 0n, 1n << 64n);
  assert.deepEqual(all.leaves.map((l) => [l.va, l.shift]), [[IOVA, 12]]);
  assert.deepEqual(all.tables, [G_L1, G_L2, G_L3]);
  assert.deepEqual(scanLeaves(m, tt, IOVA + 0x1000n, IOVA + 0x2000n).leaves, []);
  assert.equal(scanLeaves(m, { ...tt, epd: true }, 0n, 1n << 64n).leaves.length, 0);
  assert.equal(scanLeaves(m, tt, 0n, 1n << 64n, 2).truncated, true);
});

test('a shadowing vsmmu allocates no vEVENTQ: its faults are the host\'s stage-2 faults', () => {
  const { vs, fd } = shadowVm();
  assert.equal(vs.mode, 'shadow');
  assert.deepEqual(vs.take().calls, []);
  assert.equal(fd.viommus.get('vB')!.veventq, undefined);
});

test('guest CMD_CFGI_STE: the VMM walks the guest tables and maps the composed IOVA -> PA into a stage-2-only shadow', () => {
  const { vs, sys, b } = shadowVm();
  vs.take();
  const { calls, notes } = install(vs);
  assert.deepEqual(notes, []);
  assert.deepEqual(calls.map((c) => c.line), [
    'iommufd ioas vs1_shadow_10',
    'iommufd hwpt_parent vs1_shadow_10_s2 vs1_shadow_10 smmuB',
    'iommufd attach smmuB 0x9 vs1_shadow_10_s2',
    // IPA 0x4008_0000 is host PA GUEST_RAM + 0x8_0000.
    'iommufd ioas_map vs1_shadow_10 0x80201000 0x1000 0x100080000',
  ]);
  const ste = decode(STE, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => sys.mem.read64(0x8100_0000n + 9n * 64n + BigInt(i * 8))));
  assert.equal(ste.Config, 0b110n, 'stage-2-only host STE');
  assert.equal(ste.S2TTB, POOL, 'over the shadow table in the reserved pool');
  const r = b.translate({ sid: 9, iova: IOVA + 0x10n, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, GUEST_RAM + 0x8_0010n);
  assert.equal(r.walks.stage1, undefined, 'the host walks no guest table');
});

test('a mapping made valid without an invalidation misses in the shadow until the guest TLBI re-walks it', () => {
  const { vs, b, m } = shadowVm();
  install(vs);
  m.write64(G_L3 + 2n * 8n, page(0x4008_1000n));
  assert.equal(b.translate({ sid: 9, iova: IOVA + 0x1000n, access: RD }).outcome, 'fault', 'the VMM has not seen the new entry');
  assert.equal(vs.shadow!.translateGuest(0x10, undefined, IOVA + 0x1000n, RD).pa, GUEST_RAM + 0x8_1000n, 'the guest\'s own tables map it');
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_VA', { ASID: 1n, Address: IOVA + 0x1000n, Leaf: 1n }));
  const { calls } = vs.take();
  assert.deepEqual(calls.map((c) => c.line), ['iommufd ioas_map vs1_shadow_10 0x80202000 0x1000 0x100081000']);
  assert.equal(b.translate({ sid: 9, iova: IOVA + 0x1000n, access: RD }).pa, GUEST_RAM + 0x8_1000n);
});

test('a TLBI for another ASID re-walks nothing; NH_VAA and NH_ALL do', () => {
  const { vs, m } = shadowVm();
  install(vs);
  m.write64(G_L3 + 2n * 8n, page(0x4008_1000n));
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_VA', { ASID: 2n, Address: IOVA + 0x1000n, Leaf: 1n }));
  assert.deepEqual(vs.take().calls, []);
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_VAA', { Address: IOVA + 0x1000n }));
  assert.equal(vs.take().calls.length, 1);
  m.write64(G_L3 + 3n * 8n, page(0x4008_2000n));
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_ALL', {}));
  assert.deepEqual(vs.take().calls.map((c) => c.line), ['iommufd ioas_map vs1_shadow_10 0x80203000 0x1000 0x100082000']);
});

test('an unmapped or changed guest entry is unmapped from the shadow, with the kernel\'s invalidations', () => {
  const { vs, b, m } = shadowVm();
  install(vs);
  assert.equal(b.translate({ sid: 9, iova: IOVA, access: RD }).outcome, 'ok');
  m.write64(G_L3 + 8n, page(0x4008_4000n, true));
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_VA', { ASID: 1n, Address: IOVA, Leaf: 1n }));
  const { calls } = vs.take();
  assert.deepEqual(calls.map((c) => c.line), [
    'iommufd ioas_unmap vs1_shadow_10 0x80201000 0x1000',
    'iommufd ioas_map vs1_shadow_10 0x80201000 0x1000 0x100084000 ro',
  ]);
  const names = calls[0].fx.hostCommands.map((c) => c.cmd[0] & 0xffn);
  assert.deepEqual(names, [0x2an, 0x10n, 0x46n], 'CMD_TLBI_S2_IPA, CMD_TLBI_NH_ALL, CMD_SYNC on smmuB');
  assert.ok(calls[0].fx.hostCommands.every((c) => c.smmu === 'smmuB'));
  assert.equal(b.translate({ sid: 9, iova: IOVA, access: RD }).pa, GUEST_RAM + 0x8_4000n);
  assert.equal(b.translate({ sid: 9, iova: IOVA, access: WR }).events[0]?.type, 'F_PERMISSION', 'read-only in the guest: read-only in the shadow');
  m.write64(G_L3 + 8n, 0n);
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_ASID', { ASID: 1n }));
  assert.deepEqual(vs.take().calls.map((c) => c.line), ['iommufd ioas_unmap vs1_shadow_10 0x80201000 0x1000']);
  assert.equal(b.translate({ sid: 9, iova: IOVA, access: RD }).outcome, 'fault');
});

test('a bypass guest STE needs no shadow: the device is attached to the parent as under nesting', () => {
  const { vs, m } = shadowVm();
  m.write64(G_STRTAB + 0x10n * 64n, 0x9n); // V, Config bypass
  const { calls } = install(vs);
  assert.match(calls.map((c) => c.line).join('\n'), /^iommufd hwpt_nested vs1_s10_1 vB 0x9 0xd4\niommufd attach smmuB 0x9 vs1_s10_1$/);
  assert.equal(vs.shadow!.domains.size, 0);
});

test('a shadowing vsmmu without a table plan is refused', () => {
  const { fd } = vm();
  const r = VSmmu.create('vs9', ['vB'], fd, { mode: 'shadow' });
  assert.ok(!(r instanceof VSmmu));
  assert.match(r.error, /shadow tables/);
});

test('H_SHADOW_STALE: the hazard analysis compares the shadow\'s answer with the guest\'s tables and finds the guest\'s write', () => {
  const { vs, b, m, sys } = shadowVm();
  const sh = vs.shadow!;
  const view: ShadowingView = {
    get serial() { return sh.serial; },
    tablePages: () => sh.tablePages,
    access: (smmu, sid, ssid, iova, access) => {
      const d = sh.domainAt(smmu, sid, ssid);
      return d && { vsmmu: vs.name, ...sh.translateGuest(d.vsid, ssid, iova, access) };
    },
  };
  const t = new HazardTracker(sys.mem);
  t.shadowing(view);
  t.beginStep(0);
  install(vs);
  t.take();
  t.beginStep(1);
  assert.deepEqual(found(t, b, IOVA), [], 'the shadow agrees with the guest');
  t.beginStep(2);
  m.write64(G_L3 + 2n * 8n, page(0x4008_1000n));
  t.flushWrites(false);
  t.take();
  t.beginStep(3);
  const [f] = found(t, b, IOVA + 0x1000n);
  assert.equal(f?.code, 'H_SHADOW_STALE');
  assert.ok(f.state === 'shadow');
  assert.deepEqual([f.smmu, f.host, f.sid, f.vsid, f.changedAt, f.insertAfter], ['vs1', 'smmuB', 9, 0x10, 2, 2]);
  assert.deepEqual(f.now, { kind: 'fault', event: 'F_TRANSLATION' });
  assert.deepEqual(f.guest, { kind: 'pa', pa: GUEST_RAM + 0x8_1000n });
  assert.deepEqual(f.missing.map((c) => [c.smmu, c.name, c.fields.ASID, c.fields.Address]), [['vs1', 'CMD_TLBI_NH_VA', 1n, IOVA + 0x1000n], ['vs1', 'CMD_SYNC', undefined, undefined]]);
  // After the guest's TLBI the VMM re-walked it: nothing to report.
  vs.guest.submitCommand(CMD('CMD_TLBI_NH_VA', { ASID: 1n, Address: IOVA + 0x1000n, Leaf: 1n }));
  t.beginStep(4);
  assert.deepEqual(found(t, b, IOVA + 0x1000n), []);
});

function found(t: HazardTracker, inst: SmmuInstance, iova: bigint) {
  t.transaction(inst, inst.translate({ sid: 9, iova, access: RD }));
  return t.take().filter((f) => f.code === 'H_SHADOW_STALE');
}
