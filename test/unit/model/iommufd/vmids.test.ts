// VmidTable (model/iommufd/vmids.ts): VMIDs local to each SMMU (IHI 0070 §3.17), the lowest free
// from 1 as the arm-smmu-v3 driver's per-SMMU vmid_map, one per (parent, SMMU); reserved VMIDs of
// the scenario's own STEs skipped; and liveS2Vmids reading STE.S2VMID of live stage-2 STEs (§5.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IommufdContext, VmidTable, liveS2Vmids } from '../../../../language-server/src/model/iommufd';
import { encode } from '../../../../language-server/src/model/fields/field';
import { STE } from '../../../../language-server/src/model/fields';
import { stage2SteFields } from '../../../../language-server/src/model/iommufd/hostSte';
import { SmmuSystem } from '../../../../language-server/src/model/smmu';
import { TABLE, bringUp, vm } from './fixture';

test('VmidTable: one VMID per (parent, SMMU), the lowest neither given nor reserved; reserving a given VMID names its parent', () => {
  const t = new VmidTable();
  assert.equal(t.reserve('smmuA', 1, 'ste smmuA 0x7'), undefined);
  assert.equal(t.allocate('p', 'smmuA'), 2);
  assert.equal(t.allocate('p', 'smmuA'), 2, 'the same parent keeps its VMID');
  assert.equal(t.allocate('p', 'smmuB'), 1, 'VMIDs are per SMMU');
  assert.equal(t.allocate('q', 'smmuA'), 3);
  assert.equal(t.reserve('smmuA', 3, 'ste smmuA 0x8'), 'q');
  assert.equal(t.reservedBy('smmuA', 1), 'ste smmuA 0x7');
  assert.equal(t.parentAt('smmuA', 3), 'q');
  assert.deepEqual([...t.given()].map((g) => `${g.smmu}:${g.vmid}:${g.parent}`), ['smmuA:2:p', 'smmuA:3:q', 'smmuB:1:p']);
});

test('liveS2Vmids: S2VMID of valid stage-2 STEs only; the context skips them at the first allocation on that SMMU', () => {
  const sys = new SmmuSystem();
  const a = bringUp(sys, 'smmuA', 0x8000_0000n);
  const put = (sid: number, v: Record<string, bigint>) => encode(STE, v).forEach((w, i) => sys.mem.write64(0x8000_0000n + BigInt(sid * 64 + i * 8), w));
  put(3, { V: 1n, Config: 6n, ...stage2SteFields(TABLE, 1n, 48) });
  put(4, { V: 0n, Config: 6n, ...stage2SteFields(TABLE, 6n, 48) }); // invalid: not used
  put(9, { V: 1n, Config: 4n, S2VMID: 7n }); // bypass: S2VMID not used
  assert.deepEqual([...liveS2Vmids(a)], [[1, 3]]);
  bringUp(sys, 'smmuB', 0x8100_0000n);
  const fd = new IommufdContext(sys);
  fd.allocIoas('ioas0');
  fd.mapIoas('ioas0', { iova: 0x4000_0000n, length: 0x4000_0000n, pa: 0x1_0000_0000n, readOnly: false });
  assert.deepEqual(fd.allocParent('s2', 'ioas0', 'smmuA', TABLE).rejections, []);
  assert.deepEqual(fd.allocViommu('vA', 'smmuA', 's2').rejections, []);
  assert.deepEqual(fd.allocViommu('vB', 'smmuB', 's2').rejections, []);
  assert.equal(fd.viommus.get('vA')!.vmid, 2, 'VMID 1 is the live STE\'s on smmuA');
  assert.equal(fd.viommus.get('vB')!.vmid, 1);
  assert.equal(fd.vmids.reservedBy('smmuA', 1), 'the STE of StreamID 0x3');
  // Without the STE, the fixture's VM gets VMID 1 on both.
  assert.deepEqual([...vm().fd.viommus.values()].map((v) => v.vmid), [1, 1]);
});
