// `iommuLens/compareQemu`: runs the document's scenario through QEMU's SMMUv3 and the model
// (qemu/run.ts). QEMU is an executable named by a setting, so the server runs it only when the
// client says the workspace is trusted.

import type { IncludeResolver } from '../engine/api';
import { recordTraffic } from '../engine/index';
import { compareWithQemu } from '../qemu/run';
import { vmLayerReason } from '../qemu/plan';
import { summarizeQemu } from '../qemu/summary';
import type { QemuParams, QemuResponse } from './protocol';

export async function compareQemuRequest(p: QemuParams, text: string | undefined, readInclude: IncludeResolver): Promise<QemuResponse> {
  if (text === undefined) return null;
  const none = { same: 0, known: 0, unexplained: 0, notComparable: 0 };
  if (p.trusted !== true) return { title: 'QEMU', cannotRun: 'the workspace is not trusted: IOMMU Lens runs no executable (iommuLens.qemu.path) there', counts: none, rows: [] };
  const { result, traffic, errors } = recordTraffic(text, p.uri, { readInclude });
  if (errors.length) return { title: 'QEMU', cannotRun: `the scenario has errors (${errors.length}): fix them first`, counts: none, rows: [] };
  const report = await compareWithQemu(traffic.ops, traffic.smmus, {
    qemu: typeof p.qemuPath === 'string' && p.qemuPath.trim() ? p.qemuPath.trim() : undefined,
    notComparable: vmLayerReason(text),
    timeoutMs: (typeof p.timeoutSeconds === 'number' && p.timeoutSeconds > 0 ? p.timeoutSeconds : 20) * 1000,
  });
  return summarizeQemu(report, (i) => {
    const s = result.steps[i];
    return s ? { line: s.line, col: s.col, endLine: s.endLine, endCol: s.endCol } : { line: 1, col: 1, endLine: 1, endCol: 1 };
  });
}
