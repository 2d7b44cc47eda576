// The guest's vSMMU under hardware nesting: the guest driver programs it like a physical SMMU
// (registers, STEs and queues at IPAs) and the VMM turns its commands into iommufd calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VSmmu } from '../../../../language-server/src/model/iommufd';
import { decode, encode } from '../../../../language-server/src/model/fields/field';
import { STE } from '../../../../language-server/src/model/fields/ste';
import { CMD, G_CD, G_EVENTQ, G_STRTAB, GUEST_RAM, RD, guestBringUp, vm } from './fixture';


function guestVm(viommus = ['vA']) {
  const env = vm();
  env.ok(env.fd.allocVdevice('vA', 0x10, 0x5));
  env.ok(env.fd.allocVdevice('vB', 0x20, 0x9));
  const vs = VSmmu.create('vs0', viommus, env.fd);
  assert.ok(vs instanceof VSmmu);
  const g = vs.guest;
  guestBringUp(g);
  return { ...env, vs, g };
}

test('a vsmmu allocates the vEVENTQ its vIOMMUs lack, and its guest sees a stage-1-only SMMU', () => {
  const { vs, g } = guestVm();
  const { calls } = vs.take();
  assert.deepEqual(calls.map((c) => c.line), ['iommufd veventq vA 64']);
  assert.equal(g.readReg('SMMU_IDR0').fields.S2P, 0n);
  assert.equal(g.readReg('SMMU_IDR0').fields.S1P, 1n);
});

test('guest CMD_CFGI_STE: the VMM reads the guest STE through the IOAS and installs the nested STE', () => {
  const { vs, g, sys, a, fd } = guestVm();
  vs.take();
  const ste = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: G_CD });
  vs.memory.write64(G_STRTAB + 0x10n * 64n, ste[0]);
  assert.equal(sys.mem.read64(GUEST_RAM + 0x10_0000n + 0x10n * 64n), ste[0], 'guest memory is host memory at IPA - 0x4000_0000 + GUEST_RAM');
  g.submitCommand(CMD('CMD_CFGI_STE', { StreamID: 0x10n, Leaf: 1n }));
  g.submitCommand(CMD('CMD_SYNC'));
  const { calls, notes } = vs.take();
  assert.deepEqual(notes, []);
  assert.equal(calls.length, 2);
  assert.match(calls[0].line, /^iommufd hwpt_nested vs0_s10_1 vA 0x4013000b 0x0$/);
  assert.equal(calls[1].line, 'iommufd attach smmuA 0x5 vs0_s10_1');
  const host = decode(STE, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => sys.mem.read64(0x8000_0000n + 5n * 64n + BigInt(i * 8))));
  assert.equal(host.Config, 0b111n);
  assert.equal(host.S1ContextPtr, G_CD);
  // A guest DMA by virtual StreamID 0x10 runs on smmuA StreamID 5; its C_BAD_CD reaches the guest.
  const route = vs.route(0x10)!;
  assert.deepEqual(route, { smmu: 'smmuA', sid: 5, viommu: 'vA' });
  const r = a.translate({ sid: route.sid, iova: 0x1000n, access: RD });
  assert.equal(r.events[0].type, 'C_BAD_CD');
  fd.reportEvent('smmuA', r.events[0]);
  const delivered = vs.deliverEvents();
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0].recorded, true);
  assert.equal(vs.memory.read64(G_EVENTQ) >> 32n, 0x10n, 'the guest event queue holds the record with the virtual StreamID');
  assert.equal(g.readReg('SMMU_EVENTQ_PROD').value & 0xffn, 1n);
});

test('guest invalidations are batched per vIOMMU until CMD_SYNC; TLBIs go to every vIOMMU of the vSMMU', () => {
  const { vs, g } = guestVm(['vA', 'vB']);
  vs.take();
  g.submitCommand(CMD('CMD_TLBI_NH_ASID', { ASID: 3n }));
  g.submitCommand(CMD('CMD_ATC_INV', { StreamID: 0x20n, Size: 52n }));
  assert.deepEqual(vs.take().calls, [], 'nothing is forwarded before CMD_SYNC');
  g.submitCommand(CMD('CMD_SYNC'));
  const { calls } = vs.take();
  assert.deepEqual(calls.map((c) => c.line.split(' ').slice(0, 3).join(' ')), ['iommufd invalidate vA', 'iommufd invalidate vB']);
  assert.equal(calls[0].fx.handled, 1);
  assert.equal(calls[1].fx.handled, 2);
  assert.equal(calls[1].fx.hostCommands[1].results[0].fields.StreamID, 0x9n);
});

test('guest actions the VMM cannot forward are noted; a translating guest STE without a vDEVICE is a fact for the hazard analysis (H_VDEVICE_MISSING)', () => {
  const { vs, g } = guestVm();
  vs.take();
  vs.fd.facts.take();
  vs.memory.write64(G_STRTAB + 0x33n * 64n, encode(STE, { V: 1n, Config: 5n, S1ContextPtr: G_CD })[0]);
  g.submitCommand(CMD('CMD_CFGI_STE', { StreamID: 0x33n }));
  g.submitCommand(CMD('CMD_ATC_INV', { StreamID: 0x44n }));
  vs.memory.write64(G_STRTAB + 0x10n * 64n, encode(STE, { V: 1n, Config: 5n, S1ContextPtr: G_CD, SHCFG: 1n })[0]);
  vs.memory.write64(G_STRTAB + 0x10n * 64n + 8n, encode(STE, { SHCFG: 1n })[1]);
  g.submitCommand(CMD('CMD_CFGI_STE', { StreamID: 0x10n }));
  vs.memory.write64(G_STRTAB + 0x34n * 64n, encode(STE, { V: 1n, Config: 4n })[0]);
  g.submitCommand(CMD('CMD_CFGI_STE', { StreamID: 0x34n }));
  const { notes } = vs.take();
  assert.match(notes[0], /CMD_ATC_INV for virtual StreamID 0x44: no vDEVICE/);
  assert.match(notes[1], /-EIO: STE.SHCFG is set/);
  assert.match(notes[2], /guest STE of virtual StreamID 0x34 .* no vDEVICE/, 'a bypass STE is only not forwarded');
  assert.equal(notes.length, 3);
  const facts = vs.fd.facts.take().filter((f) => f.kind === 'noVdevice');
  assert.deepEqual(facts.map((f) => [f.vsid, f.vsmmu, f.viommu]), [[0x33, vs.name, 'vA']]);
  assert.equal(VSmmu.create('x', ['nope'], vm().fd) instanceof VSmmu, false);
});

test('guest CMD_CFGI_ALL / CMD_CFGI_STE_RANGE install every guest STE of a vDEVICE in the range', () => {
  const { vs, g } = guestVm(['vA', 'vB']);
  vs.take();
  vs.memory.write64(G_STRTAB + 0x10n * 64n, encode(STE, { V: 1n, Config: 5n, S1ContextPtr: G_CD })[0]);
  vs.memory.write64(G_STRTAB + 0x20n * 64n, encode(STE, { V: 1n, Config: 4n })[0]);
  g.submitCommand(CMD('CMD_CFGI_STE_RANGE', { StreamID: 0x10n, Range: 3n })); // 0x10..0x1f
  assert.deepEqual(vs.take().calls.map((c) => c.line.split(' ').slice(0, 2).join(' ') + ' ' + c.line.split(' ')[2]), ['iommufd hwpt_nested vs0_s10_1', 'iommufd attach smmuA']);
  g.submitCommand(CMD('CMD_CFGI_ALL'));
  const lines = vs.take().calls.map((c) => c.line);
  assert.equal(lines.filter((l) => l.startsWith('iommufd attach')).length, 2);
  assert.ok(lines.includes('iommufd attach smmuB 0x9 vs0_s20_3'), lines.join('\n'));
});
