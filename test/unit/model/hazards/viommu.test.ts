// Hazards in the guest's terms (model/hazards/viommu.ts): a VM with one vIOMMU per physical SMMU
// over one nesting parent (as examples/vm-two-smmus-shared-parent.smmu), each case a scenario with
// its `expect hazard` / `expect no hazard` lines, in pairs (the bug, then the same done right). A
// problem on guest-visible state is reported once, in the guest's terms, never also as the host's
// H_STALE_TLB / H_VMID_REUSE; its fix is the guest's (or the VMM's) line and applying it removes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, codes, run, testCases, type Case } from './cases';
import { TWO_SMMUS_TEXT } from '../iommufd/fixture';
import { encode } from '../../../../language-server/src/model/fields/field';
import { compileScenario } from '../../../../language-server/src/engine';
import { STE } from '../../../../language-server/src/model/fields';
import { stage2SteFields } from '../../../../language-server/src/model/iommufd/hostSte';

const HOST = TWO_SMMUS_TEXT + `iommufd ioas ioas0
iommufd ioas_map ioas0 0x40000000 0xc0000 0x100000000
iommufd ioas_map ioas0 0x400c0000 0x140000 0x1000c0000
iommufd hwpt_parent s2 ioas0 smmuA
iommufd viommu vA smmuA s2
iommufd viommu vB smmuB s2
iommufd vdevice vA 0x10 0x5
`;
// Guest CD (ASID 1, TTB0 = IPA 0x40002000) and stage 1: IOVA 0x80201000 -> IPA 0x40080000, 0x80202000 -> IPA 0x400c0000.
const GUEST = `write64 0x100001000 0x00016205c0003519
write64 0x100001008 0x40002000
write64 0x100001018 0x44ff04
write64 0x100002010 0x40003003
write64 0x100003008 0x40004003
write64 0x100004008 0x40080f47
write64 0x100004010 0x400c0f47
iommufd hwpt_nested nA vA 0x4000100b 0xd4
iommufd attach smmuA 0x5 nA
iommufd hwpt_nested nB vB 0x4000100b 0xd4
`;
const VM = HOST + 'iommufd vdevice vB 0x20 0x9\n' + GUEST + 'iommufd attach smmuB 0x9 nB\n';
/** Both devices cache IOVA 0x80201000; the guest then unmaps it in its stage 1. */
const WARM = 'dma smmuA read sid 5 iova 0x80201010 expect pa 0x100080010\ndma smmuB read sid 9 iova 0x80201010 expect pa 0x100080010\nwrite64 0x100004008 0x0\n';
const TLBI_A = 'iommufd invalidate vA 0x1000000000012 0x80201000\n';
const AFTER = 'dma smmuA read sid 5 iova 0x80201010 expect fault F_TRANSLATION\n';
const QUEUES = 'iommufd hw_queue vA 0 0x40180000 4\niommufd hw_queue vB 0 0x40190000 4\n';
const VSMMUS = 'reg vs0.SMMU_CMDQ_BASE 0x40110004\nreg vs0.SMMU_CR0 0x8\n';
const VS1 = 'reg vs1.SMMU_CMDQ_BASE 0x40120004\nreg vs1.SMMU_CR0 0x8\n';
const S2WARM = 'dma smmuA read sid 5 iova 0x80202000 expect pa 0x1000c0000\ndma smmuB read sid 9 iova 0x80202000 expect pa 0x1000c0000\n';
/** Guest stream table at IPA 0x40100000 with STE[0x18] (stage 1), and a vSMMU over vA brought up by the guest. */
const GUEST_STE = `iommufd attach smmuA 0x6 s2
write64 0x100100600 0x4000100b
write64 0x100100608 0xd4
vsmmu vs0 vA
reg vs0.SMMU_STRTAB_BASE 0x40100000
reg vs0.SMMU_STRTAB_BASE_CFG 0x6
reg vs0.SMMU_CMDQ_BASE 0x40110004
reg vs0.SMMU_CR0 0x9
`;
// A host stage-2 domain of the scenario's own on smmuA with VMID 1, the VMID iommufd gives the parent there.
const OWN_S2 = (vmid: number) => `smmu smmuA
pagetable host s2 4K { map 0x0 +4K -> 0x7000_0000 rw }
ste smmuA 0x7 { s2 host; vmid ${vmid} }
iommufd ioas ioas0
iommufd ioas_map ioas0 0x40000000 0x100000 0x100000000
iommufd hwpt_parent s2 ioas0 smmuA
iommufd viommu vA smmuA s2
iommufd vdevice vA 0x10 0x5
${GUEST.split('\n').slice(0, 9).join('\n')}
dma smmuA read sid 7 iova 0x0 expect pa 0x7000_0000
`;

// A stage-2 STE for StreamID 7 of smmuA written with low-level lines (stream table at 0x8000_0000, 64-byte STEs,
// IHI 0070 §5.2), over a host table of its own: IPA 0x4000_0000 -> PA 0x2_0000_0000 (a level-1 block, 40-bit IPA).
const LOW_S2 = (vmid: number) => {
  const w = encode(STE, { V: 1n, Config: 6n, ...stage2SteFields({ ttb: 0x7100_0000n, granule: 4, inputSize: 40, startLevel: 1, outputSize: 48 }, BigInt(vmid), 48) });
  const at = (i: number) => `write64 0x${(0x8000_01c0 + i * 8).toString(16)} 0x${w[i].toString(16)}`;
  return ['write64 0x71000008 0x2000007fd', ...[1, 2, 3, 4, 5, 6, 7, 0].map(at), 'cmd smmuA CMD_CFGI_STE sid 7 leaf', 'cmd smmuA CMD_SYNC', ''].join('\n');
};
const BEFORE_VIOMMUS = (low: string) => HOST.replace('iommufd viommu vA', `${low}iommufd viommu vA`);

const cases: Case[] = [
  // IHI 0070 §4.4: a TLBI matches its VMID on its SMMU only; the kernel forces the vIOMMU's VMID.
  { name: 'a guest TLBI through vA for a device behind vB: H_VIOMMU_WRONG_INSTANCE, not also H_STALE_TLB',
    text: VM + WARM + TLBI_A + AFTER + 'dma smmuB read sid 9 iova 0x80201010 expect hazard H_VIOMMU_WRONG_INSTANCE\nexpect no hazard H_STALE_TLB\n' },
  { name: 'the same guest TLBI through vA and vB: no hazard',
    text: VM + WARM + TLBI_A + 'iommufd invalidate vB 0x1000000000012 0x80201000\n' + AFTER + 'dma smmuB read sid 9 iova 0x80201010 expect fault F_TRANSLATION\nexpect no hazard\n' },
  { name: 'the guest changed its stage 1 and sent no TLBI: H_STALE_TLB in the guest\'s terms',
    text: VM + WARM + 'dma smmuB read sid 9 iova 0x80201010 expect hazard H_STALE_TLB\n' },
  { name: 'a TLBI on vA\'s vCMDQ for a device behind vB: H_VIOMMU_WRONG_INSTANCE',
    text: VM + QUEUES + WARM + 'cmd vA CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vA CMD_SYNC\n' + AFTER + 'dma smmuB read sid 9 iova 0x80201010 expect hazard H_VIOMMU_WRONG_INSTANCE\n' },
  { name: 'the TLBI on both vCMDQs: no hazard',
    text: VM + QUEUES + WARM + 'cmd vA CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vA CMD_SYNC\ncmd vB CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vB CMD_SYNC\n' +
      'dma smmuB read sid 9 iova 0x80201010 expect fault F_TRANSLATION\nexpect no hazard\n' },
  { name: 'two vSMMUs (one per physical SMMU): a TLBI on vs0 for the device behind vs1: H_VIOMMU_WRONG_INSTANCE',
    text: VM + 'vsmmu vs0 vA\nvsmmu vs1 vB\n' + VSMMUS + VS1 + WARM + 'cmd vs0 CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vs0 CMD_SYNC\n' + AFTER +
      'dma vs1 read sid 0x20 iova 0x80201010 expect hazard H_VIOMMU_WRONG_INSTANCE\n' },
  { name: 'one vSMMU over both vIOMMUs: the VMM forwards the TLBI to both: no hazard',
    text: VM + 'vsmmu vs0 vA vB\n' + VSMMUS + WARM + 'cmd vs0 CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vs0 CMD_SYNC\n' + AFTER +
      'dma vs0 read sid 0x20 iova 0x80201010 expect fault F_TRANSLATION\nexpect no hazard\n' },
  // IHI 0070 §4.4 CMD_TLBI_S2_IPA / S12_VMALL: the parent's table is one, its VMIDs are per SMMU.
  { name: 'an IOAS unmap that skips smmuB: H_PARENT_S2_NOT_INVALIDATED, not also H_STALE_TLB',
    text: VM + S2WARM + 'iommufd ioas_unmap ioas0 0x400c0000 0x140000 skip smmuB\ndma smmuA read sid 5 iova 0x80202000 expect fault F_TRANSLATION stage 2\n' +
      'dma smmuB read sid 9 iova 0x80202000 expect hazard H_PARENT_S2_NOT_INVALIDATED\nexpect no hazard H_STALE_TLB\n' },
  { name: 'the IOAS unmap invalidates every SMMU that uses the parent: no hazard',
    text: VM + S2WARM + 'iommufd ioas_unmap ioas0 0x400c0000 0x140000\ndma smmuB read sid 9 iova 0x80202000 expect fault F_TRANSLATION stage 2\nexpect no hazard\n' },
  // arm-smmu-v3-iommufd.c: a translating nested STE needs a vDEVICE (-ENOENT); abort/bypass do not.
  { name: 'attaching a translating nested HWPT without a vDEVICE: H_VDEVICE_MISSING (the -ENOENT, worded once)',
    text: HOST + GUEST + 'iommufd attach smmuB 0x9 nB\nexpect hazard H_VDEVICE_MISSING\nexpect rejected ENOENT\n' },
  { name: 'the vDEVICE first: no hazard',
    text: HOST + GUEST + 'iommufd vdevice vB 0x20 0x9\niommufd attach smmuB 0x9 nB\nexpect no hazard\nexpect no rejected\n' },
  { name: 'an abort guest STE needs no vDEVICE: no hazard',
    text: HOST + 'iommufd hwpt_nested nX vB 0x0 0x0\niommufd attach smmuB 0x9 nX\nexpect no hazard\n' },
  { name: 'a guest CMD_CFGI_STE on its vSMMU for a virtual StreamID with no vDEVICE: H_VDEVICE_MISSING',
    text: HOST + GUEST + GUEST_STE + 'cmd vs0 CMD_CFGI_STE sid 0x18 leaf\nexpect hazard H_VDEVICE_MISSING\ncmd vs0 CMD_SYNC\n' },
  // IHI 0070 §3.17: the TLB tells stage-2 tables apart by VMID only.
  { name: 'the parent\'s VMID on smmuA used by a later low-level STE with another stage-2 table: H_VMID_REUSED_PARENTS, not also H_VMID_REUSE',
    text: VM + 'dma smmuA read sid 5 iova 0x80201010 expect pa 0x100080010\n' + LOW_S2(1) + 'dma smmuA read sid 7 iova 0x40000010 expect pa 0x200000010 expect hazard H_VMID_REUSED_PARENTS\nexpect no hazard H_VMID_REUSE\n' },
  { name: 'the host STE with a VMID iommufd did not allocate: no hazard',
    text: OWN_S2(7) + 'dma smmuA read sid 5 iova 0x80201010 expect pa 0x100080010\nexpect no hazard\n' },
  // docs/language.md `viommu`: VMID allocation skips the VMIDs the scenario's own STEs use on that SMMU.
  { name: 'an `ste` declaration with VMID 1 on smmuA: iommufd gives the parent VMID 2 there: no hazard',
    text: OWN_S2(1) + 'dma smmuA read sid 5 iova 0x80201010 expect pa 0x100080010\nexpect no hazard\n' },
  { name: 'a low-level STE with VMID 1 written before the vIOMMUs: the parent gets VMID 2 on smmuA: no hazard',
    text: BEFORE_VIOMMUS(LOW_S2(1)) + GUEST + 'dma smmuA read sid 7 iova 0x40000010 expect pa 0x200000010\ndma smmuA read sid 5 iova 0x80201010 expect pa 0x100080010\nexpect no hazard\n' },
  // IHI 0070 §4.7.3: a TLBI is complete only at a later CMD_SYNC: on a vCMDQ, the guest's; through a vSMMU, the VMM forwards at it.
  { name: 'a TLBI on vB\'s vCMDQ without its CMD_SYNC: the guest\'s H_TLBI_NO_SYNC',
    text: VM + QUEUES + WARM + 'cmd vB CMD_TLBI_NH_VA asid 1 addr 0x80201000\ndma smmuB read sid 9 iova 0x80201010 expect hazard H_TLBI_NO_SYNC\n' },
  { name: 'a TLBI on vs1 without a CMD_SYNC: the VMM has not forwarded it: the guest\'s H_TLBI_NO_SYNC',
    text: VM + 'vsmmu vs0 vA\nvsmmu vs1 vB\n' + VSMMUS + VS1 + WARM + 'cmd vs1 CMD_TLBI_NH_VA asid 1 addr 0x80201000\ndma vs1 read sid 0x20 iova 0x80201010 expect hazard H_TLBI_NO_SYNC\n' },
  { name: 'the same with the guest\'s CMD_SYNC: no hazard',
    text: VM + 'vsmmu vs0 vA\nvsmmu vs1 vB\n' + VSMMUS + VS1 + WARM + 'cmd vs1 CMD_TLBI_NH_VA asid 1 addr 0x80201000\ncmd vs1 CMD_SYNC\ndma vs1 read sid 0x20 iova 0x80201010 expect fault F_TRANSLATION\nexpect no hazard\n' },
];

testCases('guest hazard', cases);

const hazard = (text: string, code: string) => run(text).diagnostics.find((d) => d.code === code)!;
const fixOf = (d: { message: string }) => d.message.slice(d.message.indexOf('Fix: ') + 5);

test('H_VIOMMU_WRONG_INSTANCE names the guest TLBI, the vIOMMU it went to and the one of the device; the fix takes the route the guest used', () => {
  const viaIoctl = hazard(cases[0].text, 'H_VIOMMU_WRONG_INSTANCE');
  assert.match(viaIoctl.message, /^vB: the guest's CMD_TLBI_NH_VA at line 33 went to vA, which runs it on smmuA only, but virtual StreamID 0x20 \(StreamID 0x9 on smmuB\) is behind vB/);
  assert.match(fixOf(viaIoctl), /^insert `iommufd invalidate vB 0x1000000000012 0x80201000` after line 33/);
  assert.ok(viaIoctl.related?.some((r) => r.line === 33 && /guest TLBI sent to vA \(smmuA\)/.test(r.message)));
  assert.match(fixOf(hazard(cases[3].text, 'H_VIOMMU_WRONG_INSTANCE')), /`cmd vB CMD_TLBI_NH_VA asid 1 addr 0x80201000` then `cmd vB CMD_SYNC`/);
  const vs = hazard(cases[5].text, 'H_VIOMMU_WRONG_INSTANCE');
  assert.match(vs.message, /went to vA \(trapped from vs0\)/);
  assert.match(fixOf(vs), /`cmd vs1 CMD_TLBI_NH_VA asid 1 addr 0x80201000` then `cmd vs1 CMD_SYNC`/);
});

test('the guest\'s H_STALE_TLB gives the guest\'s TLBI for the device\'s vIOMMU, not a host command', () => {
  const d = hazard(cases[2].text, 'H_STALE_TLB');
  assert.match(d.message, /^vB: stale guest translation possible for virtual StreamID 0x20 .* the guest sent no TLBI to vB since it changed its stage 1 at line 32/);
  assert.match(fixOf(d), /^insert `iommufd invalidate vB 0x1000000000012 0x80201001` after line 32/);
  assert.doesNotMatch(d.message, /cmd smmuB/);
});

test('the guest\'s H_TLBI_NO_SYNC names the queue or the vSMMU and asks for the guest\'s CMD_SYNC there', () => {
  const q = hazard(cases[17].text, 'H_TLBI_NO_SYNC');
  assert.match(q.message, /^vB: the guest's CMD_TLBI_NH_VA at line 35 is on vB's vCMDQ, which smmuB completes only at a CMD_SYNC on that queue/);
  assert.match(fixOf(q), /^insert `cmd vB CMD_SYNC` after line 35\.$/);
  const v = hazard(cases[18].text, 'H_TLBI_NO_SYNC');
  assert.match(v.message, /is on vs1, which its VMM forwards to vB only at the guest's CMD_SYNC/);
  assert.match(fixOf(v), /^insert `cmd vs1 CMD_SYNC` after line \d+\.$/);
});

test('H_PARENT_S2_NOT_INVALIDATED names the parent, the SMMU left out with its VMID and vIOMMU; the fix is the unmap without skip', () => {
  const d = hazard(cases[7].text, 'H_PARENT_S2_NOT_INVALIDATED');
  assert.match(d.message, /^smmuB: the stage-2 table of nesting parent s2 \(IOAS ioas0\) changed, and smmuB, which uses it with VMID 1 \(vIOMMU vB\), was not invalidated \(the IOAS unmap at line 32 skipped smmuB\)/);
  assert.match(fixOf(d), /^write line 32 as `iommufd ioas_unmap ioas0 0x400c0000 0x140000`/);
});

test('H_VDEVICE_MISSING: the refused attach has no E_IOMMUFD error beside it; the vSMMU case proposes the device attached to the parent', () => {
  const r = run(cases[9].text);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'E_IOMMUFD' || d.code === 'W_VSMMU_FORWARD'), []);
  const d = hazard(cases[9].text, 'H_VDEVICE_MISSING');
  assert.match(d.message, /^vB \(smmuB\): attaching StreamID 0x9 to the nested HWPT of the guest STE 0x4000100b 0xd4 \(S1_TRANS\) is refused with -ENOENT/);
  assert.match(fixOf(d), /`iommufd vdevice vB <VSID> 0x9` before line 28/);
  const g = hazard(cases[12].text, 'H_VDEVICE_MISSING');
  assert.match(g.message, /the guest's CMD_CFGI_STE for virtual StreamID 0x18 on vs0 cannot be forwarded/);
  assert.match(fixOf(g), /^insert `iommufd vdevice vA 0x18 0x6` before line 36/);
});

test('H_VMID_REUSED_PARENTS names the parent, its vIOMMU and the other table', () => {
  const d = hazard(cases[13].text, 'H_VMID_REUSED_PARENTS');
  assert.match(d.message, /^smmuA: VMID 1 is the VMID iommufd gave nesting parent s2 \(S2TTB 0x[0-9a-f]+\) on smmuA \(vIOMMU vA\), and it is also used there with S2TTB 0x[0-9a-f]+, a stage-2 table that is no nesting parent's/);
});

for (const i of [0, 2, 3, 5, 7, 12, 17, 18]) {
  test(`the guest's fix of "${cases[i].name}" removes the hazard`, () => {
    const d = run(cases[i].text).diagnostics.find((x) => x.code.startsWith('H_'))!;
    const fixed = applyFix(cases[i].text, fixOf(d));
    assert.notEqual(fixed, cases[i].text);
    assert.deepEqual(codes(fixed.replace(/ expect hazard H_[A-Z0-9_]+/g, '').replace(/^expect hazard .*$/gm, '')), [], fixed);
  });
}

test('a guest CMD_ATC_INV sent to vA for a vDEVICE of vB: the -EIO says where the device is', () => {
  const r = run(VM + 'iommufd invalidate vA 0x2000000040 0x0\nexpect rejected EIO\n');
  const e = r.diagnostics.filter((d) => d.code === 'E_IOMMUFD');
  assert.equal(e.length, 1);
  assert.match(e[0].message, /-EIO: virtual StreamID 0x20 has no vDEVICE on this vIOMMU \(virtual StreamID 0x20 is a vDEVICE of vB on smmuB: the guest must send it to vB\)/);
});

test('VMID allocation skips the VMIDs of the scenario\'s `ste` declarations (anywhere in the file) and of live low-level STEs on that SMMU only', () => {
  const vmidOf = (text: string, viommu: string) => {
    const s = compileScenario(text, 'vmid.smmu');
    s.goto(s.steps.length);
    return s.state().vm!.viommus.find((v) => v.name === viommu)!.vmid;
  };
  assert.equal(vmidOf(OWN_S2(7), 'vA'), 1);
  assert.equal(vmidOf(OWN_S2(1), 'vA'), 2);
  // A declaration after the vIOMMU still reserves its VMID (declarations are the scenario's, not a step's).
  assert.equal(vmidOf(OWN_S2(7).replace('ste smmuA 0x7 { s2 host; vmid 7 }\n', '') + 'ste smmuA 0x7 { s2 host; vmid 1 }\n', 'vA'), 2);
  // A low-level STE: before the allocation it is skipped on smmuA; smmuB's VMIDs are its own.
  assert.equal(vmidOf(BEFORE_VIOMMUS(LOW_S2(1)), 'vA'), 2);
  assert.equal(vmidOf(BEFORE_VIOMMUS(LOW_S2(1)), 'vB'), 1);
  assert.equal(vmidOf(BEFORE_VIOMMUS(LOW_S2(2)), 'vA'), 1);
  // After it: nothing moves (the hazard analysis reports the reuse when both are used: H_VMID_REUSED_PARENTS).
  assert.equal(vmidOf(HOST + LOW_S2(1), 'vA'), 1);
});
