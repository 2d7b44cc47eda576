// The SMMU's register file (IHI 0070 §6): values by offset, each register's offset and the bits the
// instance tests on hot paths, all taken from the register tables in fields/registers.ts.

import { encode } from '../fields/field';
import { registerByName, type RegisterDef } from '../fields/registers';

/** A register's definition by name (SMMU_ prefix optional). */
export const R = (name: string): RegisterDef => registerByName(name)!;

export const OFF = {
  CR0: R('CR0').offset, CR0ACK: R('CR0ACK').offset, CR1: R('CR1').offset, CR2: R('CR2').offset,
  GBPA: R('GBPA').offset, IRQ_CTRL: R('IRQ_CTRL').offset, IRQ_CTRLACK: R('IRQ_CTRLACK').offset,
  GERROR: R('GERROR').offset, GERRORN: R('GERRORN').offset,
  STRTAB_BASE: R('STRTAB_BASE').offset, STRTAB_BASE_CFG: R('STRTAB_BASE_CFG').offset,
  CMDQ_BASE: R('CMDQ_BASE').offset, CMDQ_PROD: R('CMDQ_PROD').offset, CMDQ_CONS: R('CMDQ_CONS').offset,
  EVENTQ_BASE: R('EVENTQ_BASE').offset, EVENTQ_PROD: R('EVENTQ_PROD').offset, EVENTQ_CONS: R('EVENTQ_CONS').offset,
  PRIQ_BASE: R('PRIQ_BASE').offset, PRIQ_PROD: R('PRIQ_PROD').offset, PRIQ_CONS: R('PRIQ_CONS').offset,
};

/** The one-bit masks of single-bit fields of a register, in the order asked. */
const bitsOf = (reg: string, ...fields: string[]): bigint[] => fields.map((f) => encode(R(reg), { [f]: 1n })[0]);

export const [CR0_SMMUEN, CR0_EVENTQEN, CR0_CMDQEN, CR0_PRIQEN, CR0_ATSCHK] = bitsOf('CR0', 'SMMUEN', 'EVENTQEN', 'CMDQEN', 'PRIQEN', 'ATSCHK');
export const [CR2_E2H, CR2_RECINVSID] = bitsOf('CR2', 'E2H', 'RECINVSID');
export const [GBPA_ABORT, GBPA_UPDATE] = bitsOf('GBPA', 'ABORT', 'UPDATE');
export const [GERROR_CMDQ_ERR] = bitsOf('GERROR', 'CMDQ_ERR');
export const [EVENTQ_OVFLG] = bitsOf('EVENTQ_PROD', 'OVFLG');
export const [EVENTQ_OVACKFLG] = bitsOf('EVENTQ_CONS', 'OVACKFLG');

/** The register file: a Map that counts its writes, so per-transaction memos can tell it is unchanged. */
export class RegFile extends Map<number, bigint> {
  version = 0;

  override set(k: number, v: bigint): this {
    this.version++;
    return super.set(k, v);
  }

  override delete(k: number): boolean {
    this.version++;
    return super.delete(k);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}
