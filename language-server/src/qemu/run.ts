// `iommu-lens qemu`: a scenario through QEMU's SMMUv3 and through the embedded model, DMA by DMA.
// Finds the QEMU binary and its version, chooses the machine and SMMU stages, replays the traffic
// (replay.ts) under a timeout, and classifies every difference (departures.ts).

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hex } from '../model/bits';
import type { SmmuFeatures } from '../model/smmu/features';
import type { TrafficOp } from '../engine/index';
import { diffFields, modelSide, s1RootPa, type DmaSide } from './compare';
import { explain, explainStop, type QemuVersion } from './departures';
import { commandByOpcode } from '../model/fields/commands';
import type { DmaReport, QemuReport } from './report';

export type { DmaReport, QemuReport } from './report';
import { makePlan, type Plan } from './plan';
import { Qtest } from './qtest';
import { Replay } from './replay';
import { sidOfSlot } from './streams';

const TRACE_EVENTS = ['smmuv3_translate_success', 'smmuv3_translate_bypass', 'smmuv3_translate_disable', 'smmuv3_translate_abort', 'smmuv3_record_event'];

/** The QEMU binary: --qemu, $IOMMU_LENS_QEMU, the copy scripts/install-qemu.sh unpacks, the PATH. */
export function findQemu(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.IOMMU_LENS_QEMU) return process.env.IOMMU_LENS_QEMU;
  const cached = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'iommu-lens/qemu-10.0/usr/bin/qemu-system-aarch64');
  return fs.existsSync(cached) ? cached : 'qemu-system-aarch64';
}

export function qemuVersion(binary: string, timeoutMs = 10000): Promise<{ version?: QemuVersion; text: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: timeoutMs }, (e, stdout) => {
      const m = /version (\d+)\.(\d+)(\.\d+)?/.exec(stdout ?? '');
      if (m) resolve({ version: [Number(m[1]), Number(m[2])], text: `${m[1]}.${m[2]}${m[3] ?? ''}` });
      else resolve({ text: '', error: e ? `cannot run ${binary}: ${(e as NodeJS.ErrnoException).code ?? e.message}` : `${binary} --version printed no version` });
    });
  });
}

/** Machine and arm-smmuv3.stage for the SMMU's stages (QEMU >= 9.2's `virt` forces nested; virt-9.1 honours the stage). */
export function machineFor(v: QemuVersion, f: SmmuFeatures | undefined): { machine: string; stage?: string } {
  if (v[0] < 9 || (v[0] === 9 && v[1] < 1)) return { machine: 'virt' };
  const stage = !f || (f.stage1 && f.stage2) ? 'nested' : f.stage1 ? '1' : '2';
  const ge92 = v[0] > 9 || v[1] >= 2;
  return { machine: stage !== 'nested' && ge92 ? 'virt-9.1' : 'virt', stage };
}

export interface RunOptions {
  qemu?: string;
  timeoutMs?: number;
  /** Every transaction is not comparable, for this reason (e.g. plan.vmLayerReason). */
  notComparable?: string;
}

export async function compareWithQemu(ops: readonly TrafficOp[], smmus: ReadonlyMap<string, SmmuFeatures>, opts: RunOptions = {}): Promise<QemuReport> {
  const plan = makePlan(ops, opts.notComparable);
  const report: QemuReport = { dmas: [] };
  const binary = findQemu(opts.qemu);
  const v = await qemuVersion(binary);
  if (!v.version) return { ...report, cannotRun: v.error ?? 'unknown QEMU version' };
  if (plan.needsStage2 && (v.version[0] < 9 || (v.version[0] === 9 && v.version[1] < 1))) {
    return { ...report, cannotRun: `the scenario uses stage 2, which QEMU ${v.text} does not model (QEMU 9.1 or later)` };
  }
  const { machine, stage } = machineFor(v.version, plan.smmu ? smmus.get(plan.smmu) : undefined);
  report.qemu = { path: binary, version: v.text, machine, ...(stage ? { stage } : {}) };
  report.sidMap = Object.fromEntries([...plan.map.slot].map(([s, slot]) => [hex(s), hex(sidOfSlot(slot))]));
  const qemuSides = plan.txns.some((t) => !t.notComparable) ? await replay(binary, plan, machine, stage, ops, opts.timeoutMs ?? 20000) : { results: new Map<number, DmaSide>(), stes: new Map() };
  if ('error' in qemuSides) report.cannotRun = qemuSides.error;
  report.dmas = classify(ops, plan, qemuSides, v.version, report);
  return report;
}

/**
 * Every planned DMA against QEMU's side of it: same, known (with the departures), unexplained or
 * not comparable. `report.cannotRun` (QEMU stopped) may gain the departure that explains the stop.
 */
export function classify(ops: readonly TrafficOp[], plan: Plan, qemuSides: { results: ReadonlyMap<number, DmaSide>; stes: ReadonlyMap<number, Record<string, bigint> | undefined> }, version: QemuVersion, report: Pick<QemuReport, 'cannotRun' | 'cannotRunDeparture'>): DmaReport[] {
  const dmas: DmaReport[] = [];
  // Per StreamID, the stage-1 root table's PA at the first DMA since the last CMD_CFGI_* (QEMU keeps it: ttb0-s2-kept).
  const rootPa = new Map<string, bigint>();
  let lastOp = 0;
  for (const t of plan.txns) {
    const o = ops[t.op];
    for (; lastOp < t.op; lastOp++) {
      const c = ops[lastOp];
      if (c.op === 'cmd' && commandByOpcode(c.d0 & 0xffn)?.name.startsWith('CMD_CFGI_')) rootPa.clear();
    }
    const base = { step: t.step, sid: hex(t.sid), iova: hex(t.iova) };
    if (t.notComparable || o.op !== 'txn') {
      dmas.push({ ...base, status: 'not comparable', reason: t.notComparable });
      continue;
    }
    const q = qemuSides.results.get(t.op);
    if (!q) {
      const stop = report.cannotRun && !report.cannotRunDeparture && o.result.ste ? explainStop(o.result.ste.fields, version) : undefined;
      if (stop) report.cannotRunDeparture = { id: stop.id, text: stop.text, spec: stop.spec };
      dmas.push({ ...base, status: 'not comparable', reason: report.cannotRun ? `QEMU stopped before this DMA: ${report.cannotRun}${stop ? ` (known departure ${stop.id}: ${stop.text})` : ''}` : 'not run' });
      continue;
    }
    const m = modelSide(o.result, t.read, o.smmu, qemuSides.stes.get(t.op));
    const root = s1RootPa(o.result);
    const key = `${o.smmu}:${t.sid}`;
    if (root !== undefined) {
      const was = rootPa.get(key);
      if (was === undefined) rootPa.set(key, root);
      else if (was !== root) m.ttb0S2Moved = true;
    }
    const fields = diffFields(m, q);
    if (!fields.length) {
      dmas.push({ ...base, status: 'same', model: m, qemu: q });
      continue;
    }
    const deps = explain(fields, m, q, version);
    dmas.push({ ...base, status: deps ? 'known' : 'unexplained', fields, model: m, qemu: q, ...(deps ? { departures: deps.map(({ id, text, spec }) => ({ id, text, spec })) } : {}) });
  }
  return dmas;
}

async function replay(binary: string, plan: Plan, machine: string, stage: string | undefined, ops: readonly TrafficOp[], timeoutMs: number): Promise<{ results: Map<number, DmaSide>; stes: Map<number, Record<string, bigint> | undefined>; error?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-qemu-'));
  const log = path.join(dir, 'trace.log');
  fs.writeFileSync(path.join(dir, 'events'), TRACE_EVENTS.join('\n') + '\n');
  const args = ['-machine', `${machine},iommu=smmuv3`, '-cpu', 'max', '-m', `${plan.ramSize >> 20n}M`, '-nodefaults',
    '-icount', 'shift=0,sleep=off', '-global', 'max-arm-cpu.start-powered-off=on', '-display', 'none', '-serial', 'none',
    '-monitor', 'none', '-qtest', 'stdio', '-qtest-log', '/dev/null', '-trace', `events=${path.join(dir, 'events')}`,
    '-d', 'guest_errors', '-D', log];
  if (stage) args.push('-global', `arm-smmuv3.stage=${stage}`);
  for (const slot of [...new Set(plan.map.slot.values())].sort((a, b) => a - b)) args.push('-device', `edu,addr=${slot.toString(16)}.0,dma_mask=0xffffffffffffffff`);
  const q = new Qtest(binary, args, timeoutMs, log);
  const r = new Replay(q, plan);
  try {
    await r.setup();
    for (let i = 0; i < ops.length; i++) await r.op(ops[i], i);
    await q.sync();
    return { results: r.results, stes: r.stes };
  } catch (e) {
    return { results: r.results, stes: r.stes, error: e instanceof Error ? e.message : String(e) };
  } finally {
    q.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
