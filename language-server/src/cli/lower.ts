// `iommu-lens lower FILE [--smmu NAME]`: the scenario as the low-level interchange lines (every
// memory write, register write, command and transaction the run made), for replay elsewhere.
// Exit status: 0 printed; 2 the file has errors or the command line is wrong.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordTraffic, trafficLines, type TrafficOp } from '../engine/index';
import { makeResolver } from './main';

const USAGE = 'usage: iommu-lens lower FILE [--smmu NAME]';

/** Ops every instance sees: memory writes, aborts and VM-layer lines and the CPUs' broadcast TLBIs. */
const shared = (o: TrafficOp) => o.op === 'write' || o.op === 'abort' || o.op === 'line' || o.op === 'cpu';

/** The ops one SMMU sees: the shared ones and its own registers, commands and transactions. */
export function opsOfSmmu(ops: readonly TrafficOp[], smmu: string | undefined): TrafficOp[] {
  return smmu === undefined ? [...ops] : ops.filter((o) => shared(o) || ('smmu' in o && o.smmu === smmu));
}

export function lowerMain(args: string[], out: (s: string) => void, err: (s: string) => void, cwd: string): number {
  let smmu: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--smmu' && i + 1 < args.length) smmu = args[++i];
    else if (args[i].startsWith('--')) {
      err(`unknown option ${args[i]}\n${USAGE}`);
      return 2;
    } else files.push(args[i]);
  }
  if (files.length !== 1) {
    err(USAGE);
    return 2;
  }
  const file = files[0];
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }
  const { traffic, errors } = recordTraffic(text, file, { readInclude: makeResolver(cwd, new Set([path.resolve(cwd, file)])) });
  if (errors.length) {
    for (const d of errors) err(`${file}:${d.line}:${d.col}: error: ${d.message}`);
    return 2;
  }
  const smmus = new Map([...traffic.smmus].filter(([n]) => smmu === undefined || n === smmu));
  const ops = opsOfSmmu(traffic.ops, smmu);
  if (smmu !== undefined && !smmus.has(smmu) && !ops.some((o) => !shared(o))) {
    err(`${file}: no SMMU named '${smmu}' in the scenario`);
    return 2;
  }
  out(trafficLines(ops, smmus, [`lowered by iommu-lens from ${file}${smmu ? ` (${smmu})` : ''}: ${ops.length} lines of traffic`]));
  return 0;
}
