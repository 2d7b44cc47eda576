import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { walkStage2, memFetch, memWriteBack, type S2WalkConfig, type StageOutcome } from '../../../../language-server/src/model/walk';
import type { Access } from '../../../../language-server/src/model/types';
import { READ, WRITE, PREAD, PWRITE, UEXEC, PEXEC, s2, bothPaths, fault } from './helpers';

// 4K granule, S2T0SZ=24: 40-bit IPA. S2SL0=1: start level 1 resolving IPA[39:30] = 10 bits, so two
// concatenated level-1 tables (8 KB) at S2TTB (DDI 0487 D8.2, IHI 0070 STE.S2SL0).
const IPA = (600n << 30n) | (5n << 21n) | (6n << 12n) | 0x321n;
const L1D = 0x8000_0000n + 600n * 8n; // 0x8000_12c0, in the second concatenated table
const L2D = 0x8010_0000n + 5n * 8n;
const L3D = 0x8010_1000n + 6n * 8n;
// Leaf: OA 0x4_5600_0000, AF (bit 10), S2AP=0b11 (bits 7:6), MemAttr=0b1111 (bits 5:2), page.
const LEAF = 0x4_5600_0000n | 0x400n | 0xc0n | 0x3cn | 0x3n;

function tables(leaf = LEAF): PhysicalMemory {
  const m = new PhysicalMemory();
  m.write64(L1D, 0x8010_0003n);
  m.write64(L2D, 0x8010_1003n);
  m.write64(L3D, leaf);
  return m;
}

function walk(m: PhysicalMemory, a: Access, cfg: S2WalkConfig = s2(), ipa = IPA): StageOutcome {
  return bothPaths((o) => walkStage2(cfg, ipa, a, memFetch(m), o));
}

test('4K, 40-bit IPA, SL0=1: concatenated level-1 tables, walk to a page', () => {
  const r = walk(tables(), READ);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 1);
  assert.deepEqual(r.trace!.steps.map((s) => [s.level, s.index, s.descAddr]), [
    [1, 600, 0x8000_12c0n],
    [2, 5, L2D],
    [3, 6, L3D],
  ]);
  assert.equal(r.result.outputAddr, 0x4_5600_0321n);
  assert.equal(r.result.stage, 2);
  assert.equal(r.result.attrs.memAttr, 0xf);
  assert.deepEqual(r.result.perms, { ur: true, uw: true, ux: true, pr: true, pw: true, px: true });
});

test('4K SL0=0 starts at level 2, SL0=2 at level 0', () => {
  const m = new PhysicalMemory();
  // S2T0SZ=34: 30-bit IPA, SL0=0: level 2 resolves IPA[29:21].
  m.write64(0x8000_0000n + 9n * 8n, 0x8001_0003n);
  m.write64(0x8001_0000n + 3n * 8n, 0x1234_5000n | 0x4c3n);
  const ipa = (9n << 21n) | (3n << 12n) | 0x10n;
  const r = walk(m, READ, s2({ tsz: 34, sl0: 0 }), ipa);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 2);
  assert.equal(r.result.outputAddr, 0x1234_5010n);
  // S2T0SZ=16 (48-bit IPA), SL0=2: level 0 resolves IPA[47:39]; a 1 GB block at level 1.
  const m2 = new PhysicalMemory();
  m2.write64(0x8000_0000n + 1n * 8n, 0x8001_0003n);
  m2.write64(0x8001_0000n + 2n * 8n, 0xc000_0000n | 0x4c1n);
  const r2 = walk(m2, READ, s2({ tsz: 16, sl0: 2 }), (1n << 39n) | (2n << 30n) | 0x1234n);
  assert.ok(r2.ok);
  assert.equal(r2.trace!.startLevel, 0);
  assert.equal(r2.result.outputAddr, 0xc000_1234n);
  assert.equal(r2.result.blockShift, 30);
});

test('16K and 64K stage 2: SL0 encodings', () => {
  // 16K, S2T0SZ=28 (36-bit IPA), SL0=1: level 2 resolves IPA[35:25] (11 bits), level 3 IPA[24:14].
  const m = new PhysicalMemory();
  m.write64(0x8000_0000n + 7n * 8n, 0x8000_4003n);
  m.write64(0x8000_4000n + 9n * 8n, 0x2_0000_8000n | 0x4c3n);
  const r = walk(m, READ, s2({ granule: 16, tsz: 28, sl0: 1 }), (7n << 25n) | (9n << 14n) | 0x3ffn);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 2);
  assert.equal(r.result.outputAddr, 0x2_0000_83ffn);
  // 64K, S2T0SZ=22 (42-bit IPA), SL0=1: level 2 resolves IPA[41:29] (13 bits): 512 MB block.
  const m2 = new PhysicalMemory();
  m2.write64(0x8000_0000n + 0x1abn * 8n, 0x6000_0000n | 0x4c1n);
  const r2 = walk(m2, READ, s2({ granule: 64, tsz: 22, sl0: 1 }), (0x1abn << 29n) | 0x55n);
  assert.ok(r2.ok);
  assert.equal(r2.trace!.startLevel, 2);
  assert.equal(r2.result.outputAddr, 0x6000_0055n);
  assert.equal(r2.result.blockShift, 29);
});

test('S2AP: read-only and write-only mappings', () => {
  const ro = tables((LEAF & ~0xc0n) | 0x40n); // S2AP=0b01
  assert.ok(walk(ro, READ).ok);
  const f = fault(walk(ro, PWRITE));
  assert.equal(f.kind, 'F_PERMISSION');
  assert.equal(f.stage, 2);
  assert.equal(f.ipa, IPA);
  assert.equal(f.class, 'IN');
  assert.match(f.reason, /S2AP/);
  const wo = tables((LEAF & ~0xc0n) | 0x80n); // S2AP=0b10
  assert.ok(walk(wo, WRITE).ok);
  assert.equal(fault(walk(wo, PREAD)).kind, 'F_PERMISSION');
});

test('stage-2 XN[1:0], with and without FEAT_XNX', () => {
  const xn10 = tables(LEAF | (2n << 53n));
  assert.equal(fault(walk(xn10, UEXEC)).kind, 'F_PERMISSION');
  assert.equal(fault(walk(xn10, PEXEC, s2({ xnx: true }))).kind, 'F_PERMISSION');
  const xn01 = tables(LEAF | (1n << 53n));
  assert.ok(walk(xn01, PEXEC).ok, 'without XNX only XN[1] counts');
  assert.equal(fault(walk(xn01, PEXEC, s2({ xnx: true }))).kind, 'F_PERMISSION');
  assert.ok(walk(xn01, UEXEC, s2({ xnx: true })).ok);
  const xn11 = tables(LEAF | (3n << 53n));
  assert.ok(walk(xn11, PEXEC, s2({ xnx: true })).ok);
  assert.equal(fault(walk(xn11, UEXEC, s2({ xnx: true }))).kind, 'F_PERMISSION');
});

test('stage-2 AF: F_ACCESS, S2AFFD, S2HA', () => {
  const m = tables(LEAF & ~0x400n);
  const f = fault(walk(m, READ));
  assert.equal(f.kind, 'F_ACCESS');
  assert.equal(f.stage, 2);
  assert.ok(walk(m, READ, s2({ affd: true })).ok);
  const r = walkStage2(s2({ ha: true }), IPA, READ, memFetch(m), { writeBack: memWriteBack(m) });
  assert.ok(r.ok);
  assert.equal(m.read64(L3D), LEAF);
});

test('stage-2 HD with DBM: a write sets S2AP[1]', () => {
  const leaf = (LEAF & ~0xc0n) | 0x40n | (1n << 51n); // S2AP=0b01, DBM
  const m = tables(leaf);
  const r = walkStage2(s2({ ha: true, hd: true }), IPA, WRITE, memFetch(m), { writeBack: memWriteBack(m) });
  assert.ok(r.ok);
  assert.equal(m.read64(L3D), leaf | 0x80n);
});

test('IPA beyond S2T0SZ: stage-2 F_TRANSLATION at level 0; output beyond S2PS: F_ADDR_SIZE', () => {
  const f = fault(walk(tables(), READ, s2(), 1n << 40n));
  assert.equal(f.kind, 'F_TRANSLATION');
  assert.equal(f.level, 0);
  assert.equal(f.ipa, 1n << 40n);
  const big = tables(0x100_0000_0000n | 0x4ffn);
  const g = fault(walk(big, READ, s2({ ps: 40 })));
  assert.equal(g.kind, 'F_ADDR_SIZE');
  assert.equal(g.level, 3);
});

test('faultClass is carried into stage-2 faults', () => {
  const r = walkStage2(s2(), 0x1000n, READ, memFetch(new PhysicalMemory()), { faultClass: 'CD' });
  assert.ok(!r.ok && r.fault);
  assert.equal(r.fault.class, 'CD');
  assert.equal(r.fault.level, 1);
});

test('illegal STE configuration: C_BAD_STE', () => {
  const r = walkStage2(s2({ tsz: 24, sl0: 0 }), 0n, READ, memFetch(new PhysicalMemory()));
  assert.ok(!r.ok && r.configError);
  assert.equal(r.configError.event, 'C_BAD_STE');
  assert.equal(r.configError.issues[0].field, 'STE.S2SL0');
});

test('stage 2: a level-0 block (4K) is a translation fault; 16K SL0=2 starts at level 1', () => {
  const m = new PhysicalMemory();
  m.write64(0x8000_0000n, 0x4c1n); // level-0 block at index 0
  const f = fault(walk(m, READ, s2({ tsz: 16, sl0: 2 }), 0x1000n));
  assert.equal(f.kind, 'F_TRANSLATION');
  assert.equal(f.level, 0);
  // 16K, S2T0SZ=17 (47-bit IPA), SL0=2: level 1 resolves IPA[46:36]; level-2 32 MB block.
  const m2 = new PhysicalMemory();
  m2.write64(0x8000_0000n + 3n * 8n, 0x8000_4003n);
  m2.write64(0x8000_4000n + 5n * 8n, 0x4_0000_0000n | 0x4c1n);
  const r = walk(m2, READ, s2({ granule: 16, tsz: 17, sl0: 2 }), (3n << 36n) | (5n << 25n) | 0x12_3456n);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 1);
  assert.equal(r.result.outputAddr, 0x4_0012_3456n);
  assert.equal(r.result.blockShift, 25);
});
