// Lowering of one statement to steps. Low-level lines (write, reg, cmd raw, dma) are here; the
// declarations (smmu, pagetable, cd, cdtable, ste) and table edits (map, unmap, pte) are in
// decls.ts; named commands in commands.ts; expectations in expect.ts.

import type { Statement, TransactionStmt } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { PA_LIMIT } from '../../../model/memory';
import type { LowerCtx, TxnRef } from '../lowerCtx';
import { num } from './values';
import { resolveSmmu } from '../names/resolve';
import { lowerExpectation } from './expect';
import { lowerCmd } from './commands';
import { lowerCpu } from './cpu';
import { lowerSmmu } from '../decls/smmu';
import { lowerMap, lowerPagetable, lowerPte, lowerUnmap } from '../decls/pagetable';
import { lowerCd } from '../decls/cd';
import { lowerCdTable } from '../decls/cdTable';
import { lowerSte } from '../decls/ste';
import { lowerReg } from './registers';
import { lowerPri } from './pri';
import { lowerIommufd, lowerVsmmu } from './iommufd';
import { wireAts, wireHttu } from '../../output/pcie';

/** Longest DMA modelled (each page or block it crosses is translated). */
const MAX_DMA_LEN = 64n << 20n;

/** What a `dma` may name besides an SMMU (resolveSmmu), and what an `ats` may. */
const DMA_VIRTUAL = ['vsmmu'] as const;
const NO_VIRTUAL = [] as const;

/** A transaction's access, shared (never changed): by read << 2 | exec << 1 | priv. */
const ACCESS = Array.from({ length: 8 }, (_, i) => Object.freeze({ read: (i & 4) !== 0, exec: (i & 2) !== 0, priv: (i & 1) !== 0 }));

export function lowerStatement(ctx: LowerCtx, s: Statement): void {
  switch (s.kind) {
    case 'write': return lowerWrite(ctx, s);
    case 'abort': return lowerAbort(ctx, s);
    case 'reg': return lowerReg(ctx, s);
    case 'cmd': return lowerCmd(ctx, s);
    case 'cpu': return lowerCpu(ctx, s);
    case 'dma':
    case 'ats': return lowerTransaction(ctx, s);
    case 'pri': return lowerPri(ctx, s);
    case 'expect': {
      // After a transaction that did not run, a standalone expectation is skipped with it.
      if (ctx.lastTxnSkipped) return void ctx.broken.unresolved(ctx.lastTxnSkipped);
      lowerExpectation(ctx, s.expectation, ctx.lastTxn, s);
      return;
    }
    case 'smmu': return lowerSmmu(ctx, s);
    case 'pagetable': return lowerPagetable(ctx, s);
    case 'cd': return lowerCd(ctx, s);
    case 'cdtable': return lowerCdTable(ctx, s);
    case 'ste': return lowerSte(ctx, s);
    case 'map': return lowerMap(ctx, s);
    case 'unmap': return lowerUnmap(ctx, s);
    case 'pte': return lowerPte(ctx, s);
    case 'iommufd': return lowerIommufd(ctx, s);
    case 'vsmmu': return lowerVsmmu(ctx, s);
    case 'include':
    case 'error':
      return;
  }
}

function lowerWrite(ctx: LowerCtx, s: Extract<Statement, { kind: 'write' }>): void {
  const addr = num(ctx, s.addr, 'address');
  const value = num(ctx, s.value, 'value', s.width);
  if (addr === undefined || value === undefined) return;
  const bytes = BigInt(s.width / 8);
  if (addr % bytes !== 0n) {
    ctx.report(s.addr!, 'E_ALIGN', `write${s.width} address ${hex(addr)} is not ${bytes}-byte aligned`);
    return;
  }
  const width = s.width;
  ctx.addStep({
    // Labels are joined flat: a template literal keeps a tree of strings per step alive (joined again by each JSON).
    span: s, kind: 'write', label: ['write', width, ' ', hex(addr), ' = ', hex(value)].join(''),
    run: (rt) => rt.writeMem(addr, value, width),
  });
}


function lowerAbort(ctx: LowerCtx, s: Extract<Statement, { kind: 'abort' }>): void {
  const addr = num(ctx, s.addr, 'address');
  const size = s.size ? num(ctx, s.size, 'size') : 0x1000n;
  if (addr === undefined || size === undefined) return;
  if (size === 0n) {
    ctx.report(s.size!, 'E_VALUE', 'an abort range is at least 1 byte');
    return;
  }
  if (addr + size > PA_LIMIT) {
    ctx.report(s.size ?? s.addr!, 'E_VALUE_RANGE', `${hex(addr)} + ${hex(size)} does not fit below the 52-bit physical address space`);
    return;
  }
  ctx.addStep({
    span: s, kind: 'abort', label: `abort ${hex(addr)} +${hex(size)}`,
    run: (rt) => rt.abortRange(addr, size),
  });
}

/** A transaction that does not run leaves no "latest transaction" behind, and says why. */
function lowerTransaction(ctx: LowerCtx, s: TransactionStmt): void {
  const mark = ctx.broken.mark();
  const d0 = ctx.diagnostics.length;
  ctx.lastTxnSkipped = undefined;
  if (lowerTxn(ctx, s, mark)) return;
  ctx.lastTxn = undefined;
  ctx.lastTxnSkipped = ctx.broken.since(mark) ?? ctx.diagnostics.slice(d0).find((d) => d.severity === 'error');
}

/** True when the transaction's step was added. */
function lowerTxn(ctx: LowerCtx, s: TransactionStmt, mark: number): boolean {
  const smmu = resolveSmmu(ctx, s.smmu, s, s.kind === 'dma' ? DMA_VIRTUAL : NO_VIRTUAL);
  const sid = num(ctx, s.sid, 'StreamID', 32);
  // The STE for this StreamID was not written (an unresolved reference): the DMA is not run.
  const cause = ctx.broken.since(mark) ?? (smmu !== undefined && sid !== undefined ? ctx.broken.sidCause(smmu, sid, ctx.ordinal) : undefined);
  if (cause) {
    if (!ctx.broken.since(mark)) ctx.broken.unresolved(cause);
    return false;
  }
  const ssid = num(ctx, s.ssid, 'SubstreamID', 20);
  const iova = num(ctx, s.iova, 'address');
  const len = s.len ? num(ctx, s.len, 'length') : 4n;
  if (s.len && len === 0n) ctx.report(s.len, 'E_VALUE', 'len must be at least 1');
  if (len !== undefined && len > MAX_DMA_LEN) {
    ctx.report(s.len!, 'E_VALUE_RANGE', `len ${s.len!.text} is above the ${MAX_DMA_LEN >> 20n}M a transaction may span here`);
    return false;
  }
  if (smmu === undefined || sid === undefined || iova === undefined || !len || s.incomplete && (!s.sid || !s.iova)) return false;
  if (iova + len > 1n << 64n) {
    ctx.report(s.len ?? s.iova!, 'E_VALUE_RANGE', `a DMA of ${len} bytes at ${hex(iova)} runs past the top of the 64-bit address space: only the ${(1n << 64n) - iova} bytes below 2^64 are translated`, 'warning');
  }
  if (s.ssid && ssid === undefined) return false;
  const read = s.access?.lower !== 'write';
  const access = ACCESS[(read ? 4 : 0) | (s.exec ? 2 : 0) | (s.priv ? 1 : 0)];
  // `ats`: a Translation Request; `dma ... translated`: through the function's ATC (model/smmu/ats.ts).
  const kind = s.kind === 'ats' ? 'ats' : s.translated ? 'translated' : undefined;
  if (kind && s.len) ctx.report(s.len, 'E_VALUE', `\`len\` is ignored for ${kind === 'ats' ? 'an ATS Translation Request' : 'a translated transaction'} (one translation)`, 'warning');
  const label = [s.kind, ' ', smmu, read ? ' read sid ' : ' write sid ', hex(sid), ssid !== undefined ? ' ssid ' + hex(ssid) : '', ' iova ', hex(iova), kind === 'translated' ? ' translated' : ''].join('');
  const req = { sid, ssid: ssid === undefined ? undefined : Number(ssid), iova, access, len, kind } as const;
  const index = ctx.addStep({
    span: s, kind: s.kind, label, smmu,
    run: (rt, out) => {
      const r = rt.transaction(smmu, req, out);
      if (r?.ats) out.ats = wireAts(r.ats);
      if (r?.httu) out.httu = wireHttu(r.httu);
    },
  });
  const ref: TxnRef = { step: index, smmu, sid, ssid, iova, read, span: s };
  ctx.lastTxn = ref;
  for (const e of s.expects) lowerExpectation(ctx, e, ref, e, true);
  return true;
}
