// `iommu-lens qemu FILE... [--qemu PATH] [--json] [--timeout S]`: each scenario through QEMU's
// SMMUv3 and the embedded model, with every DMA where they disagree.
// Exit status: 0 every difference is a known QEMU departure; 1 one is not; 2 a scenario cannot be
// run there (QEMU missing or too old, QEMU stopped, file errors) or the command line is wrong.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordTraffic } from '../engine/index';
import { sideText } from '../qemu/compare';
import { compareWithQemu, type QemuReport } from '../qemu/run';
import { vmLayerReason } from '../qemu/plan';
import { makeResolver } from './main';

const USAGE = 'usage: iommu-lens qemu FILE... [--qemu PATH] [--json] [--timeout SECONDS]';

export function qemuExitCode(r: QemuReport): number {
  if (r.cannotRun) return 2;
  return r.dmas.some((d) => d.status === 'unexplained') ? 1 : 0;
}

export function formatQemu(file: string, r: QemuReport, lineOf: (step: number) => number): string {
  const out: string[] = [];
  const q = r.qemu;
  if (q) out.push(`${file}: QEMU ${q.version} (${q.path}, -M ${q.machine}${q.stage ? `, arm-smmuv3.stage=${q.stage}` : ''}); StreamIDs ${Object.entries(r.sidMap ?? {}).map(([a, b]) => `${a}->${b}`).join(' ') || 'none'}`);
  for (const d of r.dmas) {
    const at = `${file}:${lineOf(d.step)}: dma sid ${d.sid} iova ${d.iova}:`;
    if (d.status === 'not comparable') out.push(`${at} not comparable: ${d.reason}`);
    else if (d.status !== 'same') {
      out.push(`${at} ${d.status === 'known' ? 'known departure' : 'UNEXPLAINED'}: ${d.fields!.join(', ')} differ`);
      out.push(`    model: ${sideText(d.model!)}`);
      out.push(`    QEMU:  ${sideText(d.qemu!)}`);
      for (const k of d.departures ?? []) out.push(`    QEMU departure ${k.id} (${k.spec}): ${k.text}`);
    }
  }
  if (r.cannotRun) out.push(`${file}: cannot run in QEMU: ${r.cannotRun}${r.cannotRunDeparture ? ` (known departure ${r.cannotRunDeparture.id}, ${r.cannotRunDeparture.spec}: ${r.cannotRunDeparture.text})` : ''}`);
  const n = (s: string) => r.dmas.filter((d) => d.status === s).length;
  out.push(`${file}: ${r.dmas.length} DMAs: ${n('same')} same, ${n('known')} known departures, ${n('unexplained')} unexplained, ${n('not comparable')} not comparable`);
  return out.join('\n');
}

export async function qemuMain(args: string[], out: (s: string) => void, err: (s: string) => void, cwd: string): Promise<number> {
  let qemu: string | undefined;
  let json = false;
  let timeoutMs = 20000;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--qemu' && i + 1 < args.length) qemu = args[++i];
    else if (a === '--timeout' && i + 1 < args.length && Number(args[i + 1]) > 0) timeoutMs = Number(args[++i]) * 1000;
    else if (a.startsWith('--')) {
      err(`unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (!files.length) {
    err(USAGE);
    return 2;
  }
  const readInclude = makeResolver(cwd, new Set(files.map((f) => path.resolve(cwd, f))));
  let status = 0;
  for (const file of files) {
    let report: QemuReport;
    let lineOf = (s: number) => s + 1;
    try {
      const text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
      const { result, traffic, errors } = recordTraffic(text, file, { readInclude });
      lineOf = (s) => result.steps[s]?.line ?? s + 1;
      report = errors.length
        ? { dmas: [], cannotRun: `the scenario has errors: ${errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ')}` }
        : await compareWithQemu(traffic.ops, traffic.smmus, { qemu, timeoutMs, notComparable: vmLayerReason(text) });
    } catch (e) {
      report = { dmas: [], cannotRun: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
    status = Math.max(status, qemuExitCode(report));
    out(json ? JSON.stringify({ file, ...report, dmas: report.dmas.map((d) => ({ ...d, line: lineOf(d.step) })) }) : formatQemu(file, report, lineOf));
  }
  return status;
}
