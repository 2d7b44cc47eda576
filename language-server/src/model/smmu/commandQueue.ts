// The command queue in memory (IHI 0070 §4, §7.1): consuming the commands between CONS and PROD,
// stopping at an illegal one (CMDQ_CONS.ERR, GERROR.CMDQ_ERR), and driver-style submission at PROD.

import { decode, encode } from '../fields/field';
import type { CommandResult } from './commands';
import type { RegAccessResult } from './regAccess';
import { qCount, qFull, qInc, qval, type QueueHost } from './queue';
import { CR0_CMDQEN, GERROR_CMDQ_ERR, OFF, R, type RegFile } from './registerFile';
import { hex } from '../bits';

const CMD_SIZE = 16n;

/** GERROR.CMDQ_ERR active (not yet acknowledged in GERRORN). */
export function cmdqError(regs: RegFile): boolean {
  const g = regs.get(OFF.GERROR) ?? 0n;
  const gn = regs.get(OFF.GERRORN) ?? 0n;
  return ((g ^ gn) & GERROR_CMDQ_ERR) !== 0n;
}

function cmdqGeom(h: QueueHost, regs: RegFile): { base: bigint; log2: number } {
  const d = decode(R('CMDQ_BASE'), [regs.get(OFF.CMDQ_BASE) ?? 0n]);
  return { base: d.ADDR, log2: Math.min(Number(d.LOG2SIZE), h.features.cmdqs) };
}

/**
 * Consume commands between CONS and PROD while CR0.CMDQEN == 1 and no command error is active
 * (IHI 0070 §4, §7.1: an illegal command sets CMDQ_CONS.ERR, toggles GERROR.CMDQ_ERR and stops the
 * queue with CONS pointing at it, until software acknowledges in GERRORN and writes PROD again).
 */
export function consumeCommands(
  h: QueueHost, regs: RegFile, cr0: bigint, exec: (raw: [bigint, bigint], index: number) => CommandResult,
): CommandResult[] {
  const out: CommandResult[] = [];
  if ((cr0 & CR0_CMDQEN) === 0n || cmdqError(regs)) return out;
  const { base, log2 } = cmdqGeom(h, regs);
  const prod = qval(regs.get(OFF.CMDQ_PROD) ?? 0n, log2);
  let consReg = regs.get(OFF.CMDQ_CONS) ?? 0n;
  let cons = qval(consReg, log2);
  const errBits = consReg & ~((2n << BigInt(log2)) - 1n);
  let guard = 0;
  while (cons !== prod && guard++ <= 2 ** log2) {
    const idx = cons & ((1 << log2) - 1);
    const addr = base + BigInt(idx) * CMD_SIZE;
    const raw: [bigint, bigint] = [h.mem.read64(addr), h.mem.read64(addr + 8n)];
    const r = exec(raw, idx);
    out.push(r);
    if (r.error) {
      const consDef = R('CMDQ_CONS');
      consReg = encode(consDef, { ERR: 1n }, [BigInt(cons)])[0]; // CERROR_ILL
      regs.set(OFF.CMDQ_CONS, consReg);
      regs.set(OFF.GERROR, (regs.get(OFF.GERROR) ?? 0n) ^ GERROR_CMDQ_ERR);
      return out;
    }
    cons = qInc(cons, log2);
  }
  // CONS.ERR keeps its last value (QEMU and the spec: it is only meaningful while CMDQ_ERR is active).
  regs.set(OFF.CMDQ_CONS, errBits | BigInt(cons));
  return out;
}

/**
 * Driver-style submission: write the command at CMDQ_PROD in queue memory, advance PROD with
 * `writeProd` (which consumes it when CMDQEN == 1). Returns the commands consumed by that PROD write.
 */
export function submitCommand(
  h: QueueHost, regs: RegFile, cr0: bigint, dwords: [bigint, bigint], writeProd: (prod: bigint) => RegAccessResult,
): { commands: CommandResult[]; warnings: string[] } {
  const { base, log2 } = cmdqGeom(h, regs);
  const prodReg = regs.get(OFF.CMDQ_PROD) ?? 0n;
  const prod = qval(prodReg, log2);
  const cons = qval(regs.get(OFF.CMDQ_CONS) ?? 0n, log2);
  const warnings: string[] = [];
  if (qFull(prod, cons, log2)) {
    warnings.push(`command queue full (PROD ${hex(prod)}, CONS ${hex(cons)}): command not written`);
    return { commands: [], warnings };
  }
  if ((cr0 & CR0_CMDQEN) === 0n) warnings.push('SMMU_CR0.CMDQEN == 0: the command is queued but not consumed');
  else if (cmdqError(regs)) warnings.push('SMMU_GERROR.CMDQ_ERR is active: the queue is stopped until SMMU_GERRORN acknowledges it');
  const idx = prod & ((1 << log2) - 1);
  const addr = base + BigInt(idx) * CMD_SIZE;
  h.mem.write64(addr, dwords[0]);
  h.mem.write64(addr + 8n, dwords[1]);
  const w = writeProd(BigInt(qInc(prod, log2)));
  return { commands: w.commands ?? [], warnings: [...warnings, ...w.warnings] };
}

/** Number of commands waiting (PROD - CONS). */
export function pendingCommands(h: QueueHost, regs: RegFile): number {
  const { log2 } = cmdqGeom(h, regs);
  return qCount(qval(regs.get(OFF.CMDQ_PROD) ?? 0n, log2), qval(regs.get(OFF.CMDQ_CONS) ?? 0n, log2), log2);
}
