// IommufdContext on real SMMU instances: the ioctls' effects on stream tables, command queues,
// DMAs and vEVENTQs, as the arm-smmu-v3 driver applies them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmmuSystem } from '../../../../language-server/src/model/smmu';
import { IommufdContext } from '../../../../language-server/src/model/iommufd';
import { CMD, GUEST_RAM, RD, TABLE, vm } from './fixture';
import { decode, encode } from '../../../../language-server/src/model/fields/field';
import { STE } from '../../../../language-server/src/model/fields/ste';


test('two vIOMMUs over one parent on two SMMUs: one table, a VMID per instance', () => {
  const { fd } = vm();
  const vA = fd.viommus.get('vA')!;
  const vB = fd.viommus.get('vB')!;
  assert.equal(vA.vmid, 1);
  assert.equal(vB.vmid, 1, 'VMIDs are local to each SMMU');
  fd.reserveVmid('smmuA', 2, 'ste 0x7');
  fd.allocIoas('ioas1');
  fd.allocParent('s2b', 'ioas1', 'smmuA', { ...TABLE, ttb: 0x9100_0000n });
  fd.allocViommu('vA2', 'smmuA', 's2b');
  assert.equal(fd.viommus.get('vA2')!.vmid, 3, 'a second parent on smmuA gets a fresh VMID, skipping reserved ones');
});

test('attach: guest STE -> host nested STE in the stream table, then CMD_CFGI_STE + CMD_SYNC', () => {
  const { sys, a, fd, ok } = vm();
  ok(fd.allocVdevice('vA', 0x10, 0x5));
  const g = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x4000_1000n });
  ok(fd.allocNested('n1', 'vA', g[0], g[1]));
  const fx = fd.attach('smmuA', 0x5, 'n1');
  ok(fx);
  assert.equal(fx.steInstalls.length, 1);
  const addr = 0x8000_0000n + 5n * 64n;
  assert.equal(fx.steInstalls[0].addr, addr);
  const words = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => sys.mem.read64(addr + BigInt(i * 8)));
  const d = decode(STE, words);
  assert.equal(d.Config, 0b111n);
  assert.equal(d.S2VMID, 1n);
  assert.equal(d.S1ContextPtr, 0x4000_1000n);
  assert.deepEqual(fx.hostCommands.map((c) => c.results[0]?.name), ['CMD_CFGI_STE', 'CMD_SYNC']);
  // The CD at IPA 0x4000_1000 is all zero: C_BAD_CD, a stage-1 configuration error, goes to the guest.
  fd.allocVeventq('vA', 4);
  const r = a.translate({ sid: 5, iova: 0x1000n, access: RD });
  assert.equal(r.outcome, 'fault');
  const ev = r.events[0];
  assert.equal(ev.type, 'C_BAD_CD');
  const ge = fd.reportEvent('smmuA', ev)!;
  assert.equal(ge.vsid, 0x10);
  assert.equal(ge.delivered, true);
  assert.equal(ge.record[0] >> 32n, 0x10n, 'the vEVENT carries the virtual StreamID');
  assert.equal(ge.record[1], ev.raw[1]);
});

test('attach errors: nested HWPT of another SMMU (-EINVAL), a translating vSTE without vDEVICE (-ENOENT)', () => {
  const { fd } = vm();
  const g = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x4000_1000n });
  fd.allocNested('n1', 'vA', g[0], g[1]);
  assert.equal(fd.attach('smmuB', 3, 'n1').rejections[0].errno, 'EINVAL');
  const e = fd.attach('smmuA', 3, 'n1').rejections[0];
  assert.equal(e.errno, 'ENOENT');
  assert.match(e.message, /IOMMU_VDEVICE_ALLOC/);
  // An abort or bypass vSTE needs no vDEVICE.
  fd.allocNested('byp', 'vA', encode(STE, { V: 1n, Config: 4n })[0], 0n);
  assert.deepEqual(fd.attach('smmuA', 3, 'byp').rejections, []);
  assert.equal(fd.allocViommu('vX', 'smmuA', 'n1').rejections[0].errno, 'EINVAL');
});

test('a stage-2 fault (the CD fetch through stage 2) stays with the host', () => {
  const { a, fd, ok } = vm();
  ok(fd.allocVdevice('vA', 0x10, 0x5));
  // S1ContextPtr at an IPA outside the IOAS: the CD fetch faults at stage 2 (S2 == 1).
  const g = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x8000_0000n });
  fd.allocNested('n1', 'vA', g[0], g[1]);
  ok(fd.attach('smmuA', 5, 'n1'));
  fd.allocVeventq('vA', 1);
  const r = a.translate({ sid: 5, iova: 0x1000n, access: RD });
  assert.equal(r.events[0].type, 'F_TRANSLATION');
  assert.equal(r.events[0].fields.S2, 1n);
  assert.equal(fd.reportEvent('smmuA', r.events[0]), undefined);
});

test('IOMMU_HWPT_INVALIDATE: converted, issued on the vIOMMU SMMU, one closing CMD_SYNC; stops at the first rejected entry', () => {
  const { fd, ok } = vm();
  ok(fd.allocVdevice('vB', 0x20, 0x9));
  const fx = fd.invalidate('vB', [
    CMD('CMD_TLBI_NH_VA', { ASID: 3n, Address: 0x2000n }),
    CMD('CMD_CFGI_CD', { StreamID: 0x20n, SubstreamID: 0n, Leaf: 1n }),
    CMD('CMD_SYNC'),
    CMD('CMD_TLBI_NH_ALL'),
  ]);
  assert.equal(fx.handled, 2);
  assert.equal(fx.rejections[0].index, 2);
  assert.deepEqual(fx.hostCommands.map((c) => [c.smmu, c.results[0]?.name]), [['smmuB', 'CMD_TLBI_NH_VA'], ['smmuB', 'CMD_CFGI_CD'], ['smmuB', 'CMD_SYNC']]);
  assert.equal(fx.hostCommands[0].results[0].fields.VMID, 1n);
  assert.equal(fx.hostCommands[1].results[0].fields.StreamID, 0x9n);
  assert.deepEqual(fx.hostCommands[0].guest, CMD('CMD_TLBI_NH_VA', { ASID: 3n, Address: 0x2000n }));
});

test('IOAS unmap: every SMMU using the parent gets S2_IPA, NH_ALL and SYNC for its own VMID (unless skipped)', () => {
  const { fd } = vm();
  fd.mapIoas('ioas0', { iova: 0x1_0000_0000n, length: 0x2000n, pa: 0x2_0000_0000n, readOnly: false });
  const fx = fd.unmapIoas('ioas0', 0x1_0000_0000n, 0x2000n, 0x1000n);
  assert.deepEqual(fx.rejections, []);
  const names = (smmu: string) => fx.hostCommands.filter((c) => c.smmu === smmu).map((c) => c.results[0]?.name);
  assert.deepEqual(names('smmuA'), ['CMD_TLBI_S2_IPA', 'CMD_TLBI_S2_IPA', 'CMD_TLBI_NH_ALL', 'CMD_SYNC']);
  assert.deepEqual(names('smmuB'), names('smmuA'));
  fd.mapIoas('ioas0', { iova: 0x1_0000_0000n, length: 0x1000n, pa: 0x2_0000_0000n, readOnly: false });
  const skip = fd.unmapIoas('ioas0', 0x1_0000_0000n, 0x1000n, 0x1000n, new Set(['smmuB']));
  assert.deepEqual([...new Set(skip.hostCommands.map((c) => c.smmu))], ['smmuA']);
  assert.equal(fd.unmapIoas('ioas0', 0x4000_0000n, 0x1000n, 0x1000n).rejections[0].errno, 'ENOENT', 'partial unmap of a mapping');
});

test('hardware queue: guest commands run on the physical SMMU with VMID/SID substituted; a forbidden one stops the queue (CERROR_ILL)', () => {
  const { sys, b, fd, ok } = vm();
  ok(fd.allocVdevice('vB', 0x20, 0x9));
  assert.equal(fd.allocHwQueue('vB', 1, 0x4001_0000n, 4).rejections[0].errno, 'EINVAL', 'indexes start at 0');
  assert.equal(fd.allocHwQueue('vB', 0, 0x8000_0000n, 4).rejections[0].errno, 'EINVAL', 'unmapped IPA');
  assert.equal(fd.allocHwQueue('vB', 0, 0x4001_0010n, 4).rejections[0].errno, 'EINVAL', 'misaligned');
  ok(fd.allocHwQueue('vB', 0, 0x4001_0000n, 4));
  const pa = GUEST_RAM + 0x1_0000n;
  const put = (i: number, c: [bigint, bigint]) => { sys.mem.write64(pa + BigInt(i * 16), c[0]); sys.mem.write64(pa + BigInt(i * 16) + 8n, c[1]); };
  put(0, CMD('CMD_TLBI_NH_ASID', { ASID: 4n }));
  put(1, CMD('CMD_ATC_INV', { StreamID: 0x20n, Size: 52n }));
  put(2, CMD('CMD_SYNC'));
  put(3, CMD('CMD_CFGI_STE', { StreamID: 0x20n }));
  put(4, CMD('CMD_TLBI_NH_ASID', { ASID: 5n }));
  const hostProd = b.readReg('SMMU_CMDQ_PROD').value;
  const fx = fd.hwQueueProd('vB', 0, 5);
  assert.deepEqual(fx.hostCommands.map((c) => c.results[0].name), ['CMD_TLBI_NH_ASID', 'CMD_ATC_INV', 'CMD_SYNC']);
  assert.equal(fx.hostCommands[0].results[0].fields.VMID, 1n);
  assert.equal(fx.hostCommands[1].results[0].fields.StreamID, 0x9n);
  assert.equal(fx.rejections[0].index, 3);
  const q = fd.viommus.get('vB')!.hwQueues.get(0)!;
  assert.match(q.stopped!.reason, /CERROR_ILL: CMD_CFGI_STE/);
  assert.equal(q.cons, 3);
  assert.equal(b.readReg('SMMU_CMDQ_PROD').value, hostProd, "the host's command queue is untouched");
  assert.deepEqual(fd.hwQueueProd('vB', 0, 5).hostCommands, [], 'a stopped queue runs nothing');
});

test('bad input: unknown objects, duplicates, a parent on an SMMU without stage 2, a vIOMMU without nesting', () => {
  const sys = new SmmuSystem();
  sys.getOrCreate('s1only', { stage2: false });
  const fd = new IommufdContext(sys);
  fd.allocIoas('i');
  assert.equal(fd.allocIoas('i').rejections[0].errno, 'EEXIST');
  assert.equal(fd.allocParent('p', 'i', 's1only', TABLE).rejections[0].errno, 'EOPNOTSUPP');
  assert.equal(fd.allocParent('p', 'nope', 's1only', TABLE).rejections[0].errno, 'ENOENT');
  assert.equal(fd.allocParent('p', 'i', 'ghost', TABLE).rejections[0].errno, 'ENOENT');
  assert.equal(fd.mapIoas('i', { iova: 0n, length: 0x1000n, pa: 0n, readOnly: false }).rejections.length, 0);
  assert.equal(fd.mapIoas('i', { iova: 0x800n, length: 0x1000n, pa: 0n, readOnly: false }).rejections[0].errno, 'EEXIST');
  assert.equal(fd.invalidate('nope', []).rejections[0].errno, 'ENOENT');
  assert.equal(fd.allocVdevice('nope', 1, 1).rejections[0].errno, 'ENOENT');
});
