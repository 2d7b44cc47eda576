// A small synthetic structure so the field code is tested independently of the spec tables.
import { fld, res0, vals, type StructDef } from '../../../../language-server/src/model/fields';

export const T: StructDef = {
  name: 'T',
  dwords: 2,
  spec: 'test',
  fields: [
    fld('En', 0, 0, 'test', 'enable'),
    fld('Mode', 3, 1, 'test', 'mode', { values: vals([0, 'OFF', 'off'], [1, 'ON', 'on'], [2, 'RSVD', 'reserved', true]), valuesComplete: true }),
    res0(5, 4, 'test'),
    fld('Ptr', 51, 6, 'test', 'pointer', { address: true }),
    fld('Top', 63, 60, 'test', 'top nibble'),
    fld('Whole', 127, 64, 'test', 'all of dword1'),
  ],
};
