// The twelve public stage-1 conformance cases, stored once (test/data/conformance/: the scenario in
// low-level interchange lines and, in `*.truth.json`, what QEMU's SMMUv3 did with each DMA). The
// engine, model, walk and DSL tests all read them from here.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The data stays in the source tree (tsc does not copy it to out/). */
export const CONFORMANCE_DIR = path.join(__dirname, '../../../test/data/conformance');

export interface Truth {
  op: 'read' | 'write';
  iova: string;
  outcome: 'ok' | 'fault';
  pa?: string;
  /** The event recorded for a fault; `ABORT` = aborted with no event recorded. */
  event?: string;
}

export interface ConformanceCase {
  /** `public-s1-1000` */
  name: string;
  /** `public-s1-1000.smmu` */
  file: string;
  text: string;
  truth: Truth[];
}

export function conformanceCases(): ConformanceCase[] {
  return fs.readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.smmu')).sort().map((file) => {
    const name = file.replace(/\.smmu$/, '');
    const text = fs.readFileSync(path.join(CONFORMANCE_DIR, file), 'utf8');
    const truth = JSON.parse(fs.readFileSync(path.join(CONFORMANCE_DIR, `${name}.truth.json`), 'utf8')) as Truth[];
    return { name, file, text, truth };
  });
}

/** A case as memory writes in order and DMAs with their expected PA or fault (commands and register writes left out). */
export type Op = ['w', string, string] | ['dma', 'read' | 'write', string, string];

export function memoryOps(c: ConformanceCase): Op[] {
  const ops: Op[] = [];
  let dma = 0;
  for (const line of c.text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t[0] === 'write64') ops.push(['w', t[1], t[2]]);
    else if (t[0] === 'dma') {
      const truth = c.truth[dma++];
      const iova = t[t.indexOf('iova') + 1];
      ops.push(['dma', t[2] as 'read' | 'write', iova, truth.outcome === 'ok' ? truth.pa! : truth.event!]);
    }
  }
  return ops;
}
