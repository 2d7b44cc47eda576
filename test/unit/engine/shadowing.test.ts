// `vsmmu ... mode shadow` through the engine: the same guest as under hardware nesting, served by a
// shadowing VMM; the interchange lines it logs, H_SHADOW_STALE, the VM state and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileScenario, runScenario } from '../../../language-server/src/engine';

const EXAMPLE = readFileSync(resolve(__dirname, '../../../../examples/vm-nesting-vs-shadowing.smmu'), 'utf8');
const run = (text: string) => runScenario(text, 'vm.smmu');
const errors = (r: ReturnType<typeof run>) => r.diagnostics.filter((d) => d.severity === 'error');
const lineOf = (text: string, re: RegExp) => text.split('\n').findIndex((l) => re.test(l)) + 1;
/** The example without its expectations (what a user would write before knowing the outcome). */
const bare = (text: string) => text.replace(/ expect .*$/gm, '');

test('the example: the missing invalidation only matters under the shadowing vIOMMU', () => {
  const r = run(EXAMPLE);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.expectations, { passed: 10, failed: 0 });
  const stale = r.diagnostics.filter((d) => d.code === 'H_SHADOW_STALE');
  assert.equal(stale.length, 1);
  assert.equal(stale[0].severity, 'warning');
  assert.equal(stale[0].line, lineOf(EXAMPLE, /^dma vs1 read sid 0x10 iova 0x80202000 expect fault F_TRANSLATION expect hazard/));
  const write = lineOf(EXAMPLE, /^write64 0x100004010 /);
  assert.match(stale[0].message, /virtual StreamID 0x10 \(smmuB StreamID 0x9\) at 0x80202000 got F_TRANSLATION from the shadow table, but the guest's page tables give PA 0x100081000/);
  assert.match(stale[0].message, new RegExp(`Fix: insert \`cmd vs1 CMD_TLBI_NH_VA asid 1 addr 0x80202000 leaf\` then \`cmd vs1 CMD_SYNC\` after line ${write}`));
  assert.deepEqual(stale[0].related?.map((x) => x.line), [write, write]);
});

test('the same guest with hardware nesting on both vSMMUs: no miss, no H_SHADOW_STALE', () => {
  const r = run(bare(EXAMPLE.replace('vsmmu vs1 vB mode shadow', 'vsmmu vs1 vB')));
  assert.deepEqual(errors(r).filter((d) => !d.code.startsWith('F_')), []);
  const dmas = r.steps.filter((s) => s.kind === 'dma' && s.smmu === 'smmuB' && s.iova === '0x80202000');
  assert.deepEqual(dmas.map((s) => s.outcome), ['fault', 'ok', 'ok']);
  assert.equal(r.diagnostics.some((d) => d.code === 'H_SHADOW_STALE'), false);
});

test('shadow mode: the VMM\'s iommufd calls per guest command, in the interchange syntax; the host STE is stage-2 only', () => {
  const r = run(bare(EXAMPLE));
  const cfgi = r.steps.find((s) => s.label === 'cmd vs1 CMD_CFGI_STE sid 0x10 leaf')!.iommufd!;
  assert.deepEqual(cfgi.calls, [
    'iommufd ioas vs1_shadow_10',
    'iommufd hwpt_parent vs1_shadow_10_s2 vs1_shadow_10 smmuB',
    'iommufd attach smmuB 0x9 vs1_shadow_10_s2',
    'iommufd ioas_map vs1_shadow_10 0x80201000 0x1000 0x100080000',
  ]);
  assert.equal(cfgi.steInstalls[0].smmu, 'smmuB');
  assert.equal((BigInt(cfgi.steInstalls[0].ste[0]) >> 1n) & 7n, 6n, 'Config S2_TRANS');
  const tlbi = r.steps.find((s) => s.label === 'cmd vs1 CMD_TLBI_NH_VA asid 1 addr 0x80202000 leaf')!.iommufd!;
  assert.deepEqual(tlbi.calls, ['iommufd ioas_map vs1_shadow_10 0x80202000 0x1000 0x100081000']);
  // Nothing to forward at the guest's CMD_SYNC: the shadow is not nested.
  assert.equal(r.steps.filter((s) => s.label === 'cmd vs1 CMD_SYNC').every((s) => !s.iommufd?.calls?.length), true);
  const info = r.diagnostics.find((d) => d.code === 'I_IOMMUFD_LAYOUT' && /shadow tables of vs1/.test(d.message))!;
  assert.equal(info.line, lineOf(EXAMPLE, /^vsmmu vs1 vB mode shadow/));
  assert.equal(info.col, 'vsmmu vs1 vB mode '.length + 1, 'at the mode word');
});

test('state: the vSMMU\'s mode and its shadow tables in the VM object; the debugger shows them', async () => {
  const { scopes } = await import('../../../language-server/src/debug/variables');
  const s = compileScenario(EXAMPLE, 'file:///vm-nesting-vs-shadowing.smmu');
  s.goto(s.steps.length);
  const vm = s.state().vm!;
  assert.deepEqual(vm.vsmmus.map((v) => [v.name, v.mode]), [['vs0', 'nested'], ['vs1', 'shadow']]);
  assert.equal(vm.vsmmus[0].shadows, undefined);
  const sh = vm.vsmmus[1].shadows!;
  assert.equal(sh.length, 1);
  assert.deepEqual({ ...sh[0], root: undefined }, {
    vsid: '0x10', smmu: 'smmuB', sid: '0x9', ioas: 'vs1_shadow_10', hwpt: 'vs1_shadow_10_s2', root: undefined, asid: 1, rewalks: 2,
    maps: [{ iova: '0x80201000', length: '0x1000', pa: '0x100080000', readOnly: false }, { iova: '0x80202000', length: '0x1000', pa: '0x100081000', readOnly: false }],
  });
  assert.ok(vm.parents.some((p) => p.name === 'vs1_shadow_10_s2' && p.root === sh[0].root && p.vmids.some((v) => v.smmu === 'smmuB')));
  const node = scopes(s.state(), undefined, []).find((n) => n.name === 'VM')!;
  assert.ok(node.children!().some((c) => c.name === 'vSMMUs'));
});

test('stepping back replays the shadow: the same state at the same step', () => {
  const s = compileScenario(EXAMPLE, 'file:///vm-nesting-vs-shadowing.smmu');
  s.goto(s.steps.length);
  const end = JSON.stringify(s.state().vm);
  s.goto(3);
  s.goto(s.steps.length);
  assert.equal(JSON.stringify(s.state().vm), end);
});

test('bad input: an unknown mode, a missing one; the rest of the scenario still runs', () => {
  const typo = run(EXAMPLE.replace('vsmmu vs1 vB mode shadow', 'vsmmu vs1 vB mode shadwo'));
  const e = errors(typo);
  // The line still presents vs1 (nested, the default): only the expectations of the shadow story fail.
  assert.deepEqual(e.slice(1).map((d) => d.code), ['EXPECT_FAILED', 'EXPECT_FAILED', 'EXPECT_FAILED']);
  assert.equal(e[0].code, 'E_SYNTAX_EXPECTED');
  assert.equal(e[0].line, lineOf(EXAMPLE, /^vsmmu vs1 vB mode shadow/));
  assert.equal(e[0].col, 'vsmmu vs1 vB mode '.length + 1);
  assert.match(e[0].message, /unknown vsmmu mode `shadwo`.*did you mean 'shadow'/);
  assert.ok(typo.steps.some((s) => s.kind === 'dma' && s.outcome === 'ok'), 'vs0 still runs');
  const none = errors(run(EXAMPLE.replace('vsmmu vs1 vB mode shadow', 'vsmmu vs1 vB mode')));
  assert.match(none[0].message, /expected nested or shadow after `mode`/);
});
