import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { walkStage1, memFetch, memWriteBack, type DescUpdate, type S1WalkConfig, type StageOutcome } from '../../../../language-server/src/model/walk';
import type { Access } from '../../../../language-server/src/model/types';
import { READ, WRITE, PREAD, PWRITE, UEXEC, PEXEC, s1, bothPaths, fault } from './helpers';

// 4K granule, T0SZ=16: 48-bit VA, start level 0, index bits L0 [47:39], L1 [38:30], L2 [29:21], L3 [20:12]
// (DDI 0487 D8.2). VA chosen so the indices are 1, 2, 3, 4.
const VA = (1n << 39n) | (2n << 30n) | (3n << 21n) | (4n << 12n) | 0x567n;
const L1D = 0x4000_0008n; // L0[1]
const L2D = 0x4000_1010n; // L1[2]
const L3D = 0x4000_2018n; // L2[3]
const PGD = 0x4000_3020n; // L3[4]
// Page: OA 0x8_7654_3000, AF=1 (bit 10), SH=0b11 (bits 9:8), AttrIndx=1 (bits 4:2), page (0b11). AP added per test.
const PAGE = 0x8_7654_3000n | 0x400n | 0x300n | 0x4n | 0x3n;

function fourLevel(leaf = PAGE | 0x40n /* AP[2:1]=0b01 */): PhysicalMemory {
  const m = new PhysicalMemory();
  m.write64(L1D, 0x4000_1003n); // table -> 0x4000_1000
  m.write64(L2D, 0x4000_2003n);
  m.write64(L3D, 0x4000_3003n);
  m.write64(PGD, leaf);
  return m;
}

function walk(m: PhysicalMemory, a: Access, cfg: S1WalkConfig = s1(), va = VA): StageOutcome {
  return bothPaths((o) => walkStage1(cfg, va, a, memFetch(m), o));
}

test('4K, 48-bit VA: four-level walk to a page', () => {
  const r = walk(fourLevel(), READ);
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x8_7654_3567n);
  assert.equal(r.result.level, 3);
  assert.equal(r.result.blockShift, 12);
  assert.equal(r.result.inputBase, VA & ~0xfffn);
  assert.equal(r.result.outputBase, 0x8_7654_3000n);
  // AP[2:1]=0b01: RW at both ELs; EL0-writable implies PXN (DDI 0487 D8.4.1).
  assert.deepEqual(r.result.perms, { ur: true, uw: true, ux: true, pr: true, pw: true, px: false });
  assert.equal(r.result.attrs.attrIndx, 1);
  assert.equal(r.result.attrs.sh, 3);
  assert.equal(r.result.attrs.nG, false);
  assert.equal(r.trace!.startLevel, 0);
  assert.deepEqual(r.trace!.steps.map((s) => [s.level, s.index, s.descAddr, s.kind]), [
    [0, 1, L1D, 'table'],
    [1, 2, L2D, 'table'],
    [2, 3, L3D, 'table'],
    [3, 4, PGD, 'page'],
  ]);
  assert.equal(r.trace!.steps[3].desc, PAGE | 0x40n);
  assert.equal(r.trace!.outputAddr, 0x8_7654_3567n);
});

test('invalid level-2 descriptor: F_TRANSLATION at level 2 with the trace so far', () => {
  const m = fourLevel();
  m.write64(L3D, 0x4000_3002n); // bit[0]=0
  const r = walk(m, PREAD);
  const f = fault(r);
  assert.equal(f.kind, 'F_TRANSLATION');
  assert.equal(f.level, 2);
  assert.equal(f.stage, 1);
  assert.equal(f.class, 'IN');
  assert.equal(f.inputAddr, VA);
  assert.equal(r.trace!.steps.length, 3);
  assert.equal(r.trace!.steps[2].kind, 'invalid');
  assert.equal(r.trace!.fault, f);
});

test('level-3 descriptor 0b01 is reserved: F_TRANSLATION at level 3', () => {
  const m = fourLevel((PAGE & ~3n) | 1n);
  const r = walk(m, READ);
  assert.equal(fault(r).kind, 'F_TRANSLATION');
  assert.equal(fault(r).level, 3);
  assert.equal(r.trace!.steps[3].kind, 'reserved');
});

test('4K, 39-bit VA (T0SZ=25) starts at level 1; 1 GB block at level 1', () => {
  const m = new PhysicalMemory();
  // L1 index = VA[38:30] = 3; block OA 0x8000_0000 (1 GB aligned), AF, block (0b01).
  m.write64(0x4000_0000n + 3n * 8n, 0x8000_0000n | 0x401n);
  const va = (3n << 30n) | 0x1234_5678n;
  const r = walk(m, PREAD, s1({ tsz: 25 }), va);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 1);
  assert.equal(r.result.outputAddr, 0x9234_5678n);
  assert.equal(r.result.blockShift, 30);
  assert.equal(r.result.level, 1);
  assert.equal(r.result.inputBase, 3n << 30n);
  // AP[2:1]=0b00: privileged RW only.
  assert.deepEqual(r.result.perms, { ur: false, uw: false, ux: true, pr: true, pw: true, px: true });
});

test('4K: 2 MB block at level 2', () => {
  const m = new PhysicalMemory();
  m.write64(0x4000_0000n + 5n * 8n, 0x4000_1003n); // L1[5]
  m.write64(0x4000_1000n + 7n * 8n, 0x1_2340_0000n | 0x401n); // L2[7]: 2 MB block
  const va = (5n << 30n) | (7n << 21n) | 0x1_2345n;
  const r = walk(m, PREAD, s1({ tsz: 25 }), va);
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x1_2341_2345n);
  assert.equal(r.result.blockShift, 21);
  assert.equal(r.result.inputBase, 0x1_40e0_0000n);
  assert.equal(r.result.level, 2);
});

test('nT is bit 16 of a Block descriptor (IHI 0070 §3.21.1); in a 64K page descriptor bit 16 is output address', () => {
  const m = new PhysicalMemory();
  m.write64(0x4000_0000n + 5n * 8n, 0x4000_1003n); // L1[5]
  m.write64(0x4000_1000n + 7n * 8n, 0x1_2340_0000n | 0x1_0000n | 0x401n); // L2[7]: 2 MB block, nT
  const va = (5n << 30n) | (7n << 21n) | 0x1_2345n;
  const r = walk(m, PREAD, s1({ tsz: 25 }), va);
  assert.ok(r.ok);
  assert.equal(r.result.attrs.nT, true);
  assert.equal(r.result.outputAddr, 0x1_2341_2345n, 'nT is not part of the output address');
  const p = walk(fourLevel(0x8_7655_0000n | 0x400n | 0x43n), PREAD); // 4K page whose OA has bit 16 set
  assert.ok(p.ok);
  assert.equal(p.result.attrs.nT, false);
  assert.equal(p.result.outputBase, 0x8_7655_0000n);
});

test('4K: a level-0 block is a translation fault (no 52-bit/DS)', () => {
  const m = new PhysicalMemory();
  m.write64(0x4000_0000n, 0x401n);
  const r = walk(m, PREAD, s1(), 0x1000n);
  assert.equal(fault(r).kind, 'F_TRANSLATION');
  assert.equal(fault(r).level, 0);
  assert.match(fault(r).reason, /block/);
});

// 16K granule, T0SZ=16: 48-bit VA, start level 0 resolving 1 bit (VA[47]); L1 [46:36], L2 [35:25], L3 [24:14].
const VA16 = (1n << 47n) | (2n << 36n) | (3n << 25n) | (4n << 14n) | 0x1abcn;
function sixteen(): PhysicalMemory {
  const m = new PhysicalMemory();
  m.write64(0x4000_0008n, 0x4000_4003n); // L0[1]
  m.write64(0x4000_4010n, 0x4000_8003n); // L1[2]
  m.write64(0x4000_8018n, 0x4000_c003n); // L2[3]
  m.write64(0x4000_c020n, 0x5_0000_4000n | 0x403n); // L3[4]: page
  return m;
}

test('16K granule: four-level walk starting with a 2-entry level-0 table', () => {
  const r = walk(sixteen(), PREAD, s1({ granule: 16 }), VA16);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 0);
  assert.deepEqual(r.trace!.steps.map((s) => s.index), [1, 2, 3, 4]);
  assert.equal(r.result.outputAddr, 0x5_0000_5abcn);
  assert.equal(r.result.blockShift, 14);
});

test('16K granule: 32 MB block at level 2; a level-1 block faults', () => {
  const m = sixteen();
  m.write64(0x4000_8018n, 0x2_0000_0000n | 0x401n);
  const r = walk(m, PREAD, s1({ granule: 16 }), VA16);
  assert.ok(r.ok);
  assert.equal(r.result.blockShift, 25);
  assert.equal(r.result.outputAddr, 0x2_0001_1abcn); // offset VA[24:0] = (4 << 14) | 0x1abc
  m.write64(0x4000_4010n, 0x10_0000_0000n | 0x401n);
  const f = fault(walk(m, PREAD, s1({ granule: 16 }), VA16));
  assert.equal(f.kind, 'F_TRANSLATION');
  assert.equal(f.level, 1);
});

// 64K granule, T0SZ=16: start level 1 with 6 bits (VA[47:42]); L2 [41:29], L3 [28:16].
const VA64 = (5n << 42n) | (6n << 29n) | (7n << 16n) | 0xbeefn;
function sixtyFour(): PhysicalMemory {
  const m = new PhysicalMemory();
  m.write64(0x4000_0028n, 0x4001_0003n); // L1[5]
  m.write64(0x4001_0030n, 0x4002_0003n); // L2[6]
  m.write64(0x4002_0038n, 0x3_0005_0000n | 0x403n); // L3[7]
  return m;
}

test('64K granule: three-level walk to a 64K page', () => {
  const r = walk(sixtyFour(), PREAD, s1({ granule: 64 }), VA64);
  assert.ok(r.ok);
  assert.equal(r.trace!.startLevel, 1);
  assert.equal(r.result.outputAddr, 0x3_0005_beefn);
  assert.equal(r.result.blockShift, 16);
});

test('64K granule: 512 MB block at level 2; level-1 block faults without 52-bit OA', () => {
  const m = sixtyFour();
  m.write64(0x4001_0030n, 0x6000_0000n | 0x401n);
  const r = walk(m, PREAD, s1({ granule: 64 }), VA64);
  assert.ok(r.ok);
  assert.equal(r.result.blockShift, 29);
  assert.equal(r.result.outputAddr, 0x6007_beefn);
  m.write64(0x4000_0028n, 0x0400_0000_0401n);
  assert.equal(fault(walk(m, PREAD, s1({ granule: 64 }), VA64)).level, 1);
});

test('64K granule with 52-bit VA and OA (LPA): 4 TB level-1 block with OA[51:48] in bits [15:12]', () => {
  const m = new PhysicalMemory();
  // T0SZ=12: 52-bit VA, start level 1 resolving VA[51:42] (10 bits). L1[3]: OA 0xa_0400_0000_0000:
  // OA[47:42] in place, OA[51:48]=0xa in bits [15:12], AF, block.
  m.write64(0x4000_0000n + 3n * 8n, 0x0400_0000_0000n | 0xa000n | 0x401n);
  const cfg = s1({ granule: 64, tsz: 12, ips: 52, lpa: true, va52: true });
  const va = (3n << 42n) | 0x123_4567_89abn;
  const r = walk(m, PREAD, cfg, va);
  assert.ok(r.ok);
  assert.equal(r.result.blockShift, 42);
  assert.equal(r.result.outputAddr, 0xa_0523_4567_89abn);
  // The same output with a 48-bit IPS is beyond the output size.
  const f = fault(walk(m, PREAD, { ...cfg, ips: 48 }, va));
  assert.equal(f.kind, 'F_ADDR_SIZE');
  assert.equal(f.level, 1);
});

test('permissions: AP[2:1]=0b11 is read-only at both ELs', () => {
  const m = fourLevel(PAGE | 0xc0n);
  assert.ok(walk(m, READ).ok);
  const f = fault(walk(m, WRITE));
  assert.equal(f.kind, 'F_PERMISSION');
  assert.equal(f.level, 3);
  assert.match(f.reason, /AP\[2:1\]=0b11/);
  assert.equal(fault(walk(m, PWRITE)).kind, 'F_PERMISSION');
});

test('permissions: AP[2:1]=0b00 gives no unprivileged access', () => {
  const m = fourLevel(PAGE);
  assert.ok(walk(m, PREAD).ok);
  assert.ok(walk(m, PWRITE).ok);
  assert.equal(fault(walk(m, READ)).kind, 'F_PERMISSION');
  assert.equal(fault(walk(m, WRITE)).kind, 'F_PERMISSION');
});

test('permissions: UXN, PXN, and PXN implied by EL0-writable', () => {
  const uxn = fourLevel(PAGE | (1n << 54n));
  assert.equal(fault(walk(uxn, UEXEC)).kind, 'F_PERMISSION');
  assert.ok(walk(uxn, PEXEC).ok);
  const pxn = fourLevel(PAGE | (1n << 53n));
  assert.ok(walk(pxn, UEXEC).ok);
  assert.match(fault(walk(pxn, PEXEC)).reason, /PXN=1/);
  const el0w = fourLevel(PAGE | 0x40n); // AP=0b01
  assert.match(fault(walk(el0w, PEXEC)).reason, /implies PXN/);
  assert.ok(walk(el0w, UEXEC).ok);
});

test('hierarchical permissions: APTable, UXNTable, PXNTable accumulate; CD.HAD ignores them', () => {
  const rw = PAGE | 0x40n;
  const m = fourLevel(rw);
  m.write64(L2D, 0x4000_2003n | (1n << 62n)); // APTable[1]=1 in the level-1 table descriptor: no write
  assert.ok(walk(m, READ).ok);
  assert.match(fault(walk(m, WRITE)).reason, /APTable\[1\]/);
  m.write64(L2D, 0x4000_2003n | (1n << 61n)); // APTable[0]=1: no unprivileged access
  assert.equal(fault(walk(m, READ)).kind, 'F_PERMISSION');
  assert.ok(walk(m, PWRITE).ok);
  m.write64(L3D, 0x4000_3003n | (1n << 60n)); // plus UXNTable in the level-2 table descriptor
  m.write64(L2D, 0x4000_2003n);
  assert.equal(fault(walk(m, UEXEC)).kind, 'F_PERMISSION');
  m.write64(L3D, 0x4000_3003n | (1n << 59n)); // PXNTable
  m.write64(PGD, PAGE); // AP=0b00 so PXN is not implied by EL0 write
  assert.equal(fault(walk(m, PEXEC)).kind, 'F_PERMISSION');
  const cfg = s1();
  cfg.tt0.had = true;
  assert.ok(walk(m, PEXEC, cfg).ok);
});

test('CD.WXN: writable memory is execute-never', () => {
  const m = fourLevel(PAGE); // privileged RW
  assert.ok(walk(m, PEXEC).ok);
  assert.match(fault(walk(m, PEXEC, s1({ wxn: true }))).reason, /WXN/);
  const ro = fourLevel(PAGE | 0x80n); // AP=0b10: privileged read-only stays executable
  assert.ok(walk(ro, PEXEC, s1({ wxn: true })).ok);
});

test('EL2 regime: one privilege level, AP[1] and nG do not apply', () => {
  const m = fourLevel(PAGE | 0x800n); // AP=0b00, nG=1
  const r = walk(m, READ, s1({ regime: 'el2' }));
  assert.ok(r.ok);
  assert.equal(r.result.attrs.nG, false);
  assert.equal(r.result.perms.uw, true);
});

test('AF=0: F_ACCESS; CD.AFFD=1 lets it pass; CD.HA=1 sets AF through writeBack', () => {
  const m = fourLevel((PAGE & ~0x400n) | 0x40n);
  const f = fault(walk(m, READ));
  assert.equal(f.kind, 'F_ACCESS');
  assert.equal(f.level, 3);
  const affd = walk(m, READ, s1({ affd: true }));
  assert.ok(affd.ok);
  assert.equal(affd.result.attrs.af, false);
  assert.equal(m.read64(PGD) & 0x400n, 0n);
  const ups: DescUpdate[] = [];
  const r = walkStage1(s1({ ha: true }), VA, READ, memFetch(m), { writeBack: (u) => ups.push(u) });
  assert.ok(r.ok);
  assert.equal(r.result.attrs.af, true);
  assert.deepEqual(ups, [{ stage: 1, level: 3, descAddr: PGD, descPa: PGD, oldValue: (PAGE & ~0x400n) | 0x40n, newValue: PAGE | 0x40n, what: 'AF' }]);
  assert.deepEqual(r.updates, ups);
  assert.equal(m.read64(PGD) & 0x400n, 0n, 'the walk itself does not write memory');
  walkStage1(s1({ ha: true }), VA, READ, memFetch(m), { writeBack: memWriteBack(m) });
  assert.equal(m.read64(PGD), PAGE | 0x40n);
});

test('AF=0 is reported before a permission fault (IHI 0070 §3.13)', () => {
  const m = fourLevel((PAGE & ~0x400n) | 0xc0n); // read-only, AF=0
  assert.equal(fault(walk(m, WRITE)).kind, 'F_ACCESS');
});

test('HD with DBM: a write to writable-clean memory clears AP[2]', () => {
  const leaf = PAGE | 0x80n | (1n << 51n); // AP=0b10 (privileged read-only), DBM=1
  const m = fourLevel(leaf);
  assert.equal(fault(walk(m, PWRITE, s1({ ha: true }))).kind, 'F_PERMISSION');
  const r = walkStage1(s1({ ha: true, hd: true }), VA, PWRITE, memFetch(m), { writeBack: memWriteBack(m) });
  assert.ok(r.ok);
  assert.equal(r.updates![0].what, 'DBM');
  assert.equal(m.read64(PGD), leaf & ~0x80n);
  assert.equal(r.result.perms.pw, true);
  // A read does not dirty it.
  const m2 = fourLevel(leaf);
  assert.equal(walkStage1(s1({ ha: true, hd: true }), VA, PREAD, memFetch(m2)).ok, true);
  assert.equal(m2.read64(PGD), leaf);
  // Without DBM the write still faults.
  assert.equal(fault(walk(fourLevel(PAGE | 0x80n), PWRITE, s1({ ha: true, hd: true }))).kind, 'F_PERMISSION');
});

test('address size: output, next-level table and TTB beyond IPS are F_ADDR_SIZE', () => {
  const cfg = s1({ ips: 40 });
  const out = fourLevel(0x100_0000_0000n | 0x443n); // OA = 2^40
  const f = fault(walk(out, READ, cfg));
  assert.equal(f.kind, 'F_ADDR_SIZE');
  assert.equal(f.level, 3);
  const tbl = fourLevel();
  tbl.write64(L2D, 0x100_0000_0003n); // level-1 table descriptor pointing at 2^40
  const g = fault(walk(tbl, READ, cfg));
  assert.equal(g.kind, 'F_ADDR_SIZE');
  assert.equal(g.level, 2, 'reported at the level of the lookup the bad table would serve');
  const h = fault(walk(fourLevel(), READ, s1({ ips: 40, ttb: 0x100_0000_0000n })));
  assert.equal(h.kind, 'F_ADDR_SIZE');
  assert.equal(h.level, 0);
});

test('VA outside the T0SZ range: F_TRANSLATION at level 0', () => {
  const m = fourLevel();
  const f = fault(walk(m, READ, s1(), VA | (1n << 48n)));
  assert.equal(f.kind, 'F_TRANSLATION');
  assert.equal(f.level, 0);
  // A 39-bit range: VA[47:39] must be zero.
  assert.equal(fault(walk(m, READ, s1({ tsz: 25 }), 1n << 39n)).level, 0);
});

const TT1: S1WalkConfig = { tt0: { ttb: 0x4000_0000n, tsz: 16, granule: 4 }, tt1: { ttb: 0x5000_0000n, tsz: 16, granule: 4 }, ips: 48 };

test('TTB1: VA[55]=1 selects TTB1; 0xffff_ffff_ffff_ffff walks index 511 at every level', () => {
  const m = new PhysicalMemory();
  m.write64(0x5000_0ff8n, 0x5000_1003n);
  m.write64(0x5000_1ff8n, 0x5000_2003n);
  m.write64(0x5000_2ff8n, 0x5000_3003n);
  m.write64(0x5000_3ff8n, 0x7_0000_0000n | 0x743n);
  const r = walk(m, READ, TT1, 0xffff_ffff_ffff_ffffn);
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x7_0000_0fffn);
  assert.equal(r.result.inputBase, 0xffff_ffff_ffff_f000n);
  assert.equal(r.trace!.ttb, 0x5000_0000n);
  assert.deepEqual(r.trace!.steps.map((s) => s.index), [511, 511, 511, 511]);
  // VA[63:48] not all ones: outside the TTB1 range.
  assert.equal(fault(walk(m, READ, TT1, 0xfffe_ffff_ffff_ffffn)).kind, 'F_TRANSLATION');
  // Without a TTB1 range, VA[55]=1 faults.
  assert.equal(fault(walk(m, READ, s1(), 0xffff_ffff_ffff_ffffn)).level, 0);
});

test('EPD1 disables the TTB1 range; TBI0 ignores the top byte of TTB0 addresses', () => {
  const m = fourLevel();
  const epd: S1WalkConfig = { ...TT1, tt1: { ...TT1.tt1!, epd: true } };
  assert.match(fault(walk(m, READ, epd, 0xffff_ffff_ffff_f000n)).reason, /EPD1/);
  const tagged = VA | (0xabn << 56n);
  assert.equal(fault(walk(m, READ, s1(), tagged)).kind, 'F_TRANSLATION');
  const cfg = s1();
  cfg.tt0.tbi = true;
  const r = walk(m, READ, cfg, tagged);
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x8_7654_3567n);
  assert.equal(r.result.inputBase, VA & ~0xfffn, 'region base is the canonical VA');
});

test('illegal CD configuration: T0SZ out of range returns a C_BAD_CD config error', () => {
  const r = walkStage1(s1({ tsz: 40 }), 0n, READ, memFetch(new PhysicalMemory()));
  assert.ok(!r.ok && r.configError);
  assert.equal(r.configError.event, 'C_BAD_CD');
  assert.equal(r.configError.issues[0].field, 'CD.T0SZ');
});

test('64K LPA: TTB and next-level table above 2^48 (NLTA[51:48] in table descriptor bits [15:12])', () => {
  const m = new PhysicalMemory();
  const ttb = 0x3_0000_4000_0000n;
  // L1[2] -> level-2 table at PA 0x5_0000_0001_0000: bits [47:16] in place, 0x5 in bits [15:12].
  m.write64(ttb + 2n * 8n, 0x1_0000n | 0x5000n | 0x3n);
  // L2[3] at that table: 512 MB block, OA 0x8_0000_2000_0000 (0x8 in bits [15:12]).
  m.write64(0x5_0000_0001_0000n + 3n * 8n, 0x2000_0000n | 0x8000n | 0x401n);
  const va = (2n << 42n) | (3n << 29n) | 0x1234_5678n;
  const cfg = s1({ granule: 64, tsz: 12, ips: 52, lpa: true, va52: true, ttb });
  const r = walk(m, PREAD, cfg, va);
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x8_0000_3234_5678n);
  assert.deepEqual(r.trace!.steps.map((s) => s.tableAddr), [ttb, 0x5_0000_0001_0000n]);
  const f = fault(walk(m, PREAD, { ...cfg, ips: 48 }, va));
  assert.equal(f.kind, 'F_ADDR_SIZE');
  assert.equal(f.level, 1, 'the TTB itself is beyond 48 bits');
});

test('PhysicalMemory.frameWords: 32-bit halves of the 64-bit words the walk reads', () => {
  const m = new PhysicalMemory();
  assert.equal(m.frameWords(0x12345), undefined);
  m.write64(0x1_2345_6ff8n, 0x0123_4567_89ab_cdefn);
  const v = m.frameWords(0x1_2345_6)!;
  assert.equal(v[0xff8 / 4], 0x89ab_cdef);
  assert.equal(v[0xff8 / 4 + 1], 0x0123_4567);
  m.write64(0x1_2345_6000n, 5n);
  assert.equal(v[0], 5, 'the view follows later writes');
});

test('leaf attributes are reported: AttrIndx, SH, nG, contiguous hint, DBM', () => {
  // AttrIndx=0b101 (bits 4:2), SH=0b10 (bits 9:8), nG (bit 11), Contiguous (bit 52), DBM (bit 51).
  const leaf = 0x8_7654_3000n | 0x400n | (2n << 8n) | (5n << 2n) | 0x800n | (1n << 52n) | (1n << 51n) | 0x3n;
  const r = walk(fourLevel(leaf), PREAD);
  assert.ok(r.ok);
  assert.deepEqual(r.result.attrs, { attrIndx: 5, sh: 2, nG: true, af: true, contiguous: true, dbm: true, nT: false });
});

test('EL2-E2H regime keeps two privilege levels and nG', () => {
  const m = fourLevel(PAGE | 0x800n); // AP=0b00, nG=1
  const r = walk(m, PREAD, s1({ regime: 'el2-e2h' }));
  assert.ok(r.ok);
  assert.equal(r.result.attrs.nG, true);
  assert.equal(fault(walk(m, READ, s1({ regime: 'el2-e2h' }))).kind, 'F_PERMISSION');
});
