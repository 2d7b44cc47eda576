// Level-1 descriptors of 2-level Stream tables and CD tables (one dword each).

import { StructDef } from './field';
import { fld, res0, vals } from './define';

const STD = 'IHI 0070 §5.1';
const LCD = 'IHI 0070 §5.3';

/** L1STD, Level 1 Stream Table Descriptor. IHI 0070 §5.1. */
export const L1STD: StructDef = {
  name: 'L1STD',
  dwords: 1,
  spec: STD,
  summary: 'Level 1 Stream Table Descriptor: base and size of one level 2 array of STEs.',
  fields: [
    fld('Span', 4, 0, STD, 'Size of the level 2 array: 0 invalid, 1..11 gives 2^(Span-1) STEs, 12..31 Reserved (behave as 0).', { maxLegal: 11 }),
    res0(5, 5, STD),
    fld('L2Ptr', 55, 6, STD, 'Address of the level 2 STE array (aligned to its size: bits [5+Span-1:0] treated as 0).', { address: true }),
    res0(63, 56, STD),
  ],
};

/** L1CD, Level 1 Context Descriptor. IHI 0070 §5.3. */
export const L1CD: StructDef = {
  name: 'L1CD',
  dwords: 1,
  spec: LCD,
  summary: 'Level 1 Context Descriptor: pointer to one level 2 CD table.',
  fields: [
    fld('V', 0, 0, LCD, 'Valid: 1 means L2Ptr points to a level 2 CD table.', { values: vals([0, '0', 'L2Ptr invalid'], [1, '1', 'L2Ptr valid']) }),
    res0(11, 1, LCD),
    fld('L2Ptr', 55, 12, LCD, 'Address of the level 2 CD table (4KB aligned).', { address: true }),
    res0(63, 56, LCD),
  ],
};
