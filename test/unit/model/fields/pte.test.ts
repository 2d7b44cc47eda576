import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allPteDefs, pteDef, classifyPte, decodePte, blockShift, decode, validate, encode, fieldByName,
} from '../../../../language-server/src/model/fields';

const S1_4K = (level: number) => ({ stage: 1 as const, granule: 4 as const, level });

test('block sizes per granule and level (DDI 0487 D8.3)', () => {
  assert.equal(blockShift(4, 1), 30); // 1GB
  assert.equal(blockShift(4, 2), 21); // 2MB
  assert.equal(blockShift(4, 3), 12);
  assert.equal(blockShift(4, 0), undefined); // no level 0 block without LPA2
  assert.equal(blockShift(16, 2), 25); // 32MB
  assert.equal(blockShift(16, 1), undefined);
  assert.equal(blockShift(64, 2), 29); // 512MB
  assert.equal(blockShift(64, 3), 16);
  assert.equal(blockShift(64, 1), undefined);
});

test('classification by bits [1:0] and level', () => {
  assert.equal(classifyPte(0x40011003n, S1_4K(1)), 'table');
  assert.equal(classifyPte(0x40400705n, S1_4K(2)), 'block');
  assert.equal(classifyPte(0x40400705n, S1_4K(0)), 'reserved'); // level 0 block is a Translation fault
  assert.equal(classifyPte(0x40100707n, S1_4K(3)), 'page');
  assert.equal(classifyPte(0x40100705n, S1_4K(3)), 'reserved'); // 0b01 at level 3
  assert.equal(classifyPte(0x40100706n, S1_4K(3)), 'invalid');
  assert.equal(pteDef(S1_4K(3), 'table'), undefined);
  assert.equal(pteDef({ stage: 1, granule: 64, level: 0 }, 'table'), undefined); // 64K starts at level 1
});

test('oracle walk descriptors decode as worked out by hand (examples/d_unmapped)', () => {
  // L2[1] = 0x40400705: 2MB block; 0x705: AttrIndx = 1, AP = 0b00, SH = 0b11, AF = 1, OA = 0x40400000
  const blk = decodePte(0x40400705n, S1_4K(2));
  assert.equal(blk.kind, 'block');
  assert.equal(blk.address, 0x40400000n);
  const b = decode(blk.def!, [0x40400705n]);
  assert.deepEqual([b.Valid, b.Type, b.AttrIndx, b.AP, b.SH, b.AF, b.nG, b.OA], [1n, 0n, 1n, 0n, 3n, 1n, 0n, 0x40400000n]);
  // L3[2] = 0x40101787: page, AP = 0b10 (privileged read-only), OA = 0x40101000
  const pg = decodePte(0x40101787n, S1_4K(3));
  assert.equal(pg.kind, 'page');
  const p = decode(pg.def!, [0x40101787n]);
  assert.deepEqual([p.AP, p.AF, p.OA], [2n, 1n, 0x40101000n]);
  // conformance 0x48001fc7: AP = 0b11 (read-only, all), nG = 1, OA = 0x48001000
  const c = decode(pteDef(S1_4K(3), 'page')!, [0x48001fc7n]);
  assert.deepEqual([c.AP, c.nG, c.OA, c.UXN, c.PXN], [3n, 1n, 0x48001000n, 0n, 0n]);
  // table 0x40011003 -> next level at 0x40011000
  assert.equal(decodePte(0x40011003n, S1_4K(1)).address, 0x40011000n);
  assert.deepEqual(validate(blk.def!, [0x40400705n]), []);
  // a level-3 "table" is not a format even once the table format has been built
  assert.equal(pteDef(S1_4K(3), 'table'), undefined);
  assert.equal(pteDef(S1_4K(1), 'table'), pteDef(S1_4K(2), 'table'));
});

test('RES0 bits of a block below its size are reported', () => {
  const def = pteDef(S1_4K(2), 'block')!;
  const issues = validate(def, [0x40401705n]); // bit 12 set inside a 2MB block
  assert.equal(issues.length, 1);
  assert.match(issues[0].field, /^RES0_15_12$/);
});

test('stage 2 leaf: MemAttr, S2AP, XN[1:0] (DDI 0487 D8.3)', () => {
  const def = pteDef({ stage: 2, granule: 4, level: 3 }, 'page')!;
  const w = encode(def, { Valid: 1n, Type: 1n, MemAttr: 0xfn, S2AP: 3n, SH: 3n, AF: 1n, OA: 0x8000_0000n, XN: 2n });
  assert.equal(w[0], 0x8000_0000n | (2n << 53n) | (1n << 10n) | (3n << 8n) | (3n << 6n) | (0xfn << 2n) | 3n);
  assert.equal(fieldByName(def, 'AttrIndx'), undefined);
});

test('64KB granule: OA[51:48] in bits [15:12] (FEAT_LPA)', () => {
  const sel = { stage: 1 as const, granule: 64 as const, level: 3 };
  const desc = 0x0000_1234_5678_0000n | (0xan << 12n) | 0x703n;
  const r = decodePte(desc, sel);
  assert.equal(r.address, 0x000a_1234_5678_0000n);
  const d = decode(r.def!, [desc]);
  assert.equal(d.OA, 0x1234_5678_0000n);
  assert.equal(d.OA_51_48, 0xa_0000_0000_0000n);
});

test('every descriptor format covers all 64 bits exactly once', () => {
  const defs = allPteDefs();
  assert.equal(defs.length, 2 * (/*4K*/ 1 + 2 + 1 + /*16K*/ 1 + 1 + 1 + /*64K*/ 1 + 1 + 1));
  for (const d of defs) {
    let used = 0n;
    for (const f of d.fields) {
      const m = ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
      assert.equal(used & m, 0n, `${d.name}.${f.name} overlaps`);
      used |= m;
    }
    assert.equal(used, (1n << 64n) - 1n, `${d.name} covers every bit`);
  }
});
