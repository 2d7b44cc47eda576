// The iommufd interchange lines and `vsmmu` through the engine: steps, JSON (`iommufd`, `vevents`),
// diagnostics with precise ranges, and the rest of the scenario still running after bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runScenario } from '../../../language-server/src/engine';
import { TWO_SMMUS_TEXT } from '../model/iommufd/fixture';

const run = (text: string) => runScenario(text, 'vm.smmu');
const SETUP = TWO_SMMUS_TEXT + `iommufd ioas ioas0
iommufd ioas_map ioas0 0x40000000 0x200000 0x100000000
iommufd hwpt_parent s2 ioas0 smmuA
iommufd viommu vA smmuA s2
iommufd viommu vB smmuB s2
iommufd vdevice vA 0x10 0x5
`;
const errors = (r: ReturnType<typeof run>) => r.diagnostics.filter((d) => d.severity === 'error');
const step = (r: ReturnType<typeof run>, label: RegExp) => r.steps.find((s) => label.test(s.label))!;

test('hwpt_parent lays the stage-2 table out where the scenario writes nothing, and says where', () => {
  const r = run(SETUP);
  assert.deepEqual(errors(r), []);
  const info = r.diagnostics.find((d) => d.code === 'I_IOMMUFD_LAYOUT')!;
  assert.equal(info.line, 13);
  assert.match(info.message, /stage-2 table of s2 at 0x[0-9a-f]+ \(4K granule, 48-bit IPA, start level 0\)/);
});

test('attach: the JSON lists the host STE (with the guest words) and the CMD_CFGI_STE + CMD_SYNC issued', () => {
  const r = run(SETUP + 'iommufd hwpt_nested n1 vA 0x4000100b 0xd4\niommufd attach smmuA 0x5 n1\n');
  assert.deepEqual(errors(r), []);
  const s = step(r, /attach/).iommufd!;
  assert.equal(s.steInstalls.length, 1);
  assert.equal(s.steInstalls[0].sid, '0x5');
  assert.deepEqual(s.steInstalls[0].guest, ['0x4000100b', '0xd4']);
  assert.equal(BigInt(s.steInstalls[0].ste[0]) >> 1n & 7n, 7n, 'Config nested');
  assert.deepEqual(s.hostCommands.map((c) => `${c.smmu} ${c.name}`), ['smmuA CMD_CFGI_STE', 'smmuA CMD_SYNC']);
});

test('invalidate: guest command next to the host command; a rejected entry is an error at the line with the count handled', () => {
  const r = run(SETUP + 'iommufd invalidate vA 0x1000000000012 0x80201000 0x46 0x0\n');
  const inv = step(r, /invalidate/).iommufd!;
  assert.equal(inv.handled, 1);
  assert.equal(inv.hostCommands[0].guestName, 'CMD_TLBI_NH_VA');
  assert.equal(inv.hostCommands[0].name, 'CMD_TLBI_NH_VA');
  assert.equal(BigInt(inv.hostCommands[0].raw[0]) >> 32n & 0xffffn, 1n, 'VMID forced to vA');
  assert.deepEqual(inv.rejections.map((x) => [x.errno, x.index, x.field]), [['EIO', 1, 'CMD_SYNC']]);
  const e = errors(r);
  assert.equal(e.length, 1);
  assert.equal(e[0].line, 17);
  assert.match(e[0].message, /-EIO: CMD_SYNC is not a guest invalidation/);
});

test('bad input: unknown objects, odd dwords, a parent on an SMMU without stage 2 (lines over it are skipped, not reported again); the rest still runs', () => {
  const r = run(`smmu smmuA { stages s1 }
${SETUP.split('\n').filter((l) => !l.startsWith('reg smmuB') && !l.includes('vB')).join('\n')}
iommufd vdevice vX 0x1 0x2
iommufd invalidate vA 0x12
iommufd hwpt_nested bad vA 0x4000100b 0x100000000000
write64 0x1000 0x5
`);
  const e = errors(r).map((d) => `${d.line}:${d.code}`);
  // One error for the parent; the vIOMMU and vDEVICE over it are skipped, not reported again.
  assert.deepEqual(e.sort(), ['13:E_UNKNOWN_NAME', '9:E_FEATURE']);
  const odd = errors(run(SETUP + 'iommufd invalidate vA 0x12\n'));
  assert.deepEqual(odd.map((d) => `${d.line}:${d.code}`), ['17:E_RAW_LENGTH']);
  const unknown = errors(r).find((d) => d.code === 'E_UNKNOWN_NAME')!;
  assert.equal(unknown.col, 17);
  assert.equal(unknown.endCol, 19);
  assert.ok(r.steps.some((s) => s.kind === 'write'), 'later lines still run');
});

test('a forbidden bit in a guest STE is rejected naming the field', () => {
  const r = run(SETUP + 'iommufd hwpt_nested bad vA 0x4000100b 0x100000000000\n');
  const e = errors(r);
  assert.equal(e.length, 1);
  assert.match(e[0].message, /-EIO: STE.SHCFG is set/);
});

test('vsmmu: guest register writes and commands by name; a DMA by virtual StreamID runs on the physical SMMU', () => {
  const r = run(SETUP + `write64 0x100100400 0x4000100b
vsmmu vs0 vA
reg vs0.SMMU_STRTAB_BASE 0x40100000
reg vs0.SMMU_STRTAB_BASE_CFG 0x6
reg vs0.SMMU_CMDQ_BASE 0x40110004
reg vs0.SMMU_EVENTQ_BASE 0x40120003
reg vs0.SMMU_CR0 0xd
cmd vs0 CMD_CFGI_STE sid 0x10 leaf
cmd vs0 CMD_SYNC
dma vs0 read sid 0x10 iova 0x1000 expect fault C_BAD_CD
dma vs0 read sid 0x77 iova 0x1000
`);
  const vs = step(r, /^vsmmu/).iommufd!;
  assert.deepEqual(vs.calls, ['iommufd veventq vA 64']);
  const cfgi = step(r, /CMD_CFGI_STE/).iommufd!;
  assert.deepEqual(cfgi.calls, ['iommufd hwpt_nested vs0_s10_1 vA 0x4000100b 0x0', 'iommufd attach smmuA 0x5 vs0_s10_1']);
  const dma = r.steps.filter((s) => s.kind === 'dma')[0];
  assert.equal(dma.smmu, 'smmuA');
  assert.equal(dma.sid, '0x5');
  assert.equal(dma.events[0].type, 'C_BAD_CD');
  assert.equal(dma.vevents![0].sid, '0x10');
  assert.equal(dma.vevents![0].vevent, 0);
  assert.equal(dma.iommufd!.guestEvents![0].sid, '0x10');
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  const e = errors(r);
  assert.equal(e.length, 1);
  assert.match(e[0].message, /virtual StreamID 0x77 has no vDEVICE/);
});

test('vsmmu: a guest access to an IPA the IOAS does not map is a warning at the line', () => {
  const r = run(SETUP + `vsmmu vs0 vA
reg vs0.SMMU_CMDQ_BASE 0x50000004
reg vs0.SMMU_CR0 0x8
cmd vs0 CMD_SYNC
`);
  const w = r.diagnostics.filter((d) => d.code === 'W_VSMMU_IPA');
  assert.equal(w.length, 1);
  assert.equal(w[0].line, 20);
  assert.match(w[0].message, /IPA 0x50000000 .* not mapped by IOAS ioas0/);
});

test('the shared-parent example: one stage-2 table; the guest TLBI through the wrong vIOMMU and the unmap that skips an SMMU, each reported once in guest terms', () => {
  const text = readFileSync(resolve(__dirname, '../../../../examples/vm-two-smmus-shared-parent.smmu'), 'utf8');
  const r = run(text);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.expectations, { passed: 14, failed: 0 });
  assert.deepEqual(r.diagnostics.filter((d) => d.code.startsWith('H_')).map((d) => d.code), ['H_VIOMMU_WRONG_INSTANCE', 'H_PARENT_S2_NOT_INVALIDATED']);
});

test('state: one VM as one object (IOAS, parent with its VMID per SMMU, vIOMMUs, guest STE -> host STE, vEVENTQ); the debugger shows it', async () => {
  const { compileScenario } = await import('../../../language-server/src/engine');
  const { scopes } = await import('../../../language-server/src/debug/variables');
  const text = readFileSync(resolve(__dirname, '../../../../examples/veventq-overflow.smmu'), 'utf8');
  const s = compileScenario(text, 'file:///veventq-overflow.smmu');
  s.goto(s.steps.length);
  const vm = s.state().vm!;
  assert.deepEqual(vm.ioas[0].maps, [{ iova: '0x40000000', length: '0x200000', pa: '0x100000000', readOnly: false }]);
  assert.deepEqual(vm.parents[0].vmids, [{ smmu: 'smmuA', vmid: 1 }]);
  assert.deepEqual(vm.viommus[0].vdevices, [{ vsid: '0x10', sid: '0x5' }]);
  assert.equal(vm.viommus[0].veventq!.lost, 1);
  assert.deepEqual(vm.viommus[0].veventq!.events.map((e) => [e.sequence, e.lost, e.type ?? '']), [[0, false, 'C_BAD_CD'], [1, false, 'C_BAD_CD'], [2, true, '']]);
  assert.deepEqual(vm.nested[0].guest, ['0x4000100b', '0xd4']);
  assert.equal(vm.nested[0].attached[0].vsid, '0x10');
  const node = scopes(s.state(), undefined, []).find((n) => n.name === 'VM')!;
  assert.equal(node.value, '1 vIOMMU(s), 1 nested HWPT(s)');
  assert.deepEqual(node.children!().map((c) => c.name), ['IOAS', 'Nesting parents', 'vIOMMUs', 'Nested HWPTs (guest STE -> host STE)']);
});

test('fuzzer finding: a nesting parent over a 1 GiB IOAS map not 2M-aligned (2^18 stage-2 writes) is laid out, not E_INTERNAL', () => {
  const r = runScenario('smmu smmuA\niommufd ioas ioas0\niommufd ioas_map ioas0 0x100000 0x40000000 0x100000000\niommufd hwpt_parent s2 ioas0 smmuA\n', 'big.smmu');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`), []);
  assert.ok(r.diagnostics.some((d) => d.code === 'I_IOMMUFD_LAYOUT'));
});
