// Encodings shared by several structures.

import { FieldValue } from './field';
import { vals } from './define';

/** Normal-memory cacheability of a table/CD fetch (STE.S1CIR/S1COR, IHI 0070 §5.2). */
export const CACHE_RA: FieldValue[] = vals(
  [0, 'NC', 'Normal, Non-cacheable'],
  [1, 'WBRA', 'Normal, Write-Back cacheable, Read-Allocate'],
  [2, 'WT', 'Normal, Write-Through cacheable, Read-Allocate'],
  [3, 'WB', 'Normal, Write-Back cacheable, no Read-Allocate'],
);

/** Translation table walk cacheability (CD.IR0/OR0, STE.S2IR0/S2OR0; IHI 0070 §5.2, §5.4). */
export const CACHE_WALK: FieldValue[] = vals(
  [0, 'NC', 'Non-cacheable'],
  [1, 'WBRAWA', 'Write-back cacheable, Read-Allocate, Write-Allocate'],
  [2, 'WT', 'Write-through cacheable, Read-Allocate'],
  [3, 'WB', 'Write-back cacheable, Read-Allocate, no Write-Allocate'],
);

/** Shareability with 0b01 Reserved (behaves as 0b00). */
export const SHAREABILITY: FieldValue[] = vals(
  [0, 'NSH', 'Non-shareable'],
  [1, 'RSVD', 'Reserved (behaves as Non-shareable)', true],
  [2, 'OSH', 'Outer Shareable'],
  [3, 'ISH', 'Inner Shareable'],
);

/** TG0 / STE.S2TG granule encoding (IHI 0070 §5.2, §5.4; same as TCR_ELx.TG0). */
export const TG0_VALUES: FieldValue[] = vals(
  [0, '4KB', '4KB granule'],
  [1, '64KB', '64KB granule'],
  [2, '16KB', '16KB granule'],
  [3, 'RSVD', 'Reserved', true],
);

/** CD.TG1 encoding: differs from TG0, as TCR_ELx.TG1 (IHI 0070 §5.4). */
export const TG1_VALUES: FieldValue[] = vals(
  [0, 'RSVD', 'Reserved', true],
  [1, '16KB', '16KB granule'],
  [2, '4KB', '4KB granule'],
  [3, '64KB', '64KB granule'],
);

/** Physical address size encoding of CD.IPS, STE.S2PS, SMMU_IDR5.OAS (as TCR_ELx.PS). */
export const PA_SIZE: FieldValue[] = vals(
  [0, '32', '32 bits (4GB)'],
  [1, '36', '36 bits (64GB)'],
  [2, '40', '40 bits (1TB)'],
  [3, '42', '42 bits (4TB)'],
  [4, '44', '44 bits (16TB)'],
  [5, '48', '48 bits (256TB)'],
  [6, '52', '52 bits (4PB); Reserved in SMMUv3.0 (behaves as 48)'],
  [7, '56', '56 bits; SMMUv3.4 and later, Reserved before'],
);

export const ENDIAN: FieldValue[] = vals([0, 'LE', 'Little endian'], [1, 'BE', 'Big endian']);

export function bool(zero: string, one: string): FieldValue[] {
  return vals([0, '0', zero], [1, '1', one]);
}
