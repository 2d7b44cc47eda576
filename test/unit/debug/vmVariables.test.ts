// The Variables view's VM node on examples/veventq-overflow.smmu: each vIOMMU named with its
// physical SMMU, VMID, vDEVICEs and vEVENTQ (sequence numbers, the lost-events header), each nested
// HWPT with where it is attached and its guest and host STE decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileScenario } from '../../../language-server/src/engine';
import { scopes, type VarNode } from '../../../language-server/src/debug/variables';

const child = (n: VarNode, name: string): VarNode => {
  const c = n.children?.().find((x) => x.name === name);
  assert.ok(c, `${n.name} has ${name}: ${n.children?.().map((x) => x.name).join(', ')}`);
  return c;
};

test('Variables: the VM node names every iommufd object with a one-line summary', () => {
  const text = readFileSync(resolve(__dirname, '../../../../examples/veventq-overflow.smmu'), 'utf8');
  const s = compileScenario(text, 'file:///veventq-overflow.smmu');
  s.goto(s.steps.length);
  const vm = scopes(s.state(), undefined, []).find((n) => n.name === 'VM')!;
  assert.equal(vm.value, '1 vIOMMU(s), 1 nested HWPT(s)');
  const vA = child(child(vm, 'vIOMMUs'), 'vA');
  // Depth 2, three C_BAD_CD faults: two queued, the third lost (IOMMU_VEVENTQ_FLAG_LOST_EVENTS).
  assert.equal(vA.value, 'smmuA · VMID 1 · parent s2 · 1 vDEVICE · vEVENTQ 2/2, 1 lost');
  assert.deepEqual(child(vA, 'vDEVICEs').children!().map((c) => [c.name, c.value]), [['vSID 0x10', 'SID 0x5 on smmuA']]);
  assert.deepEqual(child(vA, 'vEVENTQ').children!().map((c) => [c.name, c.value]), [
    ['#0', 'C_BAD_CD vSID 0x10'], ['#1', 'C_BAD_CD vSID 0x10'], ['#2', 'IOMMU_VEVENTQ_FLAG_LOST_EVENTS (events lost)'],
  ]);
  const nA = child(child(vm, 'Nested HWPTs (guest STE -> host STE)'), 'nA');
  assert.equal(nA.value, 'on vA · guest s1 · smmuA SID 0x5 (vSID 0x10)');
  // Guest STE.Config S1_TRANS (0b101) installed as NESTED (0b111) on smmuA, IHI 0070 §5.2.
  assert.equal(child(child(nA, 'guest STE (words 0-1)'), 'Config').value, '0x5');
  assert.equal(child(child(nA, 'host STE smmuA SID 0x5'), 'Config').value, '0x7');
  assert.equal(child(child(vm, 'Nesting parents'), 's2').value, 'stage 2 of ioas0 · VMID 1 on smmuA');
});
