// The uAPI rules of the iommufd layer, with expected values from Linux's uAPI and driver
// (include/uapi/linux/iommufd.h, arm-smmu-v3-iommufd.c) and IHI 0070 §4 / §5.2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateVste, convertGuestCommand, nestedHostSte, GUEST_INVALIDATIONS, VCMDQ_COMMANDS, type ValidVste } from '../../../../language-server/src/model/iommufd';
import { decode, encode } from '../../../../language-server/src/model/fields/field';
import { STE } from '../../../../language-server/src/model/fields/ste';
import { commandByName, encodeCommand } from '../../../../language-server/src/model/fields/commands';

const CMD = encodeCommand;
const vsids = new Map([[0x10, 0x100], [0x11, 0x240]]);
const toSid = (v: number) => vsids.get(v);

test('vSTE: the allowed bits are STRTAB_STE_0/1_NESTING_ALLOWED (0xf80fffffffffffff, 0x380000ff)', () => {
  // Every allowed bit alone is accepted (with V and a legal Config); every other bit is -EIO.
  const base = 0b1011n; // V, Config = S1_TRANS
  for (let b = 0; b < 64; b++) {
    const r0 = validateVste(base | (1n << BigInt(b)), 0n);
    const allowed0 = ((0xf80fffffffffffffn >> BigInt(b)) & 1n) === 1n;
    if (b >= 1 && b <= 3) continue; // Config bits change the configuration itself
    assert.equal(r0.ok, allowed0, `word 0 bit ${b}`);
    const r1 = validateVste(base, 1n << BigInt(b));
    const allowed1 = ((0x380000ffn >> BigInt(b)) & 1n) === 1n && b !== 29; // EATS 0b10 is refused on its own
    assert.equal(r1.ok, allowed1, `word 1 bit ${b}`);
  }
});

test('vSTE: a forbidden bit names its field (-EIO)', () => {
  const shcfg = encode(STE, { V: 1n, Config: 5n, SHCFG: 1n });
  const r = validateVste(shcfg[0], shcfg[1]);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.errno, 'EIO');
    assert.equal(r.error.field, 'STE.SHCFG');
  }
  const s2 = validateVste(encode(STE, { V: 1n, Config: 6n })[0], 0n);
  assert.ok(!s2.ok && s2.error.field === 'STE.Config' && /0b110/.test(s2.error.message));
  const eats = encode(STE, { V: 1n, Config: 5n, EATS: 2n });
  const e = validateVste(eats[0], eats[1]);
  assert.ok(!e.ok && e.error.field === 'STE.EATS');
});

test('vSTE: V == 0 is an all-zero abort vSTE whatever the other bits; EATS is taken out and enables ATS for S1', () => {
  const inv = validateVste(0xdeadbeef0n, 0xffffn);
  assert.deepEqual(inv, { ok: true, ste: [0n, 0n], kind: 'abort', enableAts: false });
  const w = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x4000_1000n, S1CDMax: 4n, S1Fmt: 1n, S1DSS: 2n, EATS: 1n });
  const v = validateVste(w[0], w[1]);
  assert.ok(v.ok);
  if (v.ok) {
    assert.equal(v.kind, 's1');
    assert.equal(v.enableAts, true);
    assert.equal(decode(STE, [...v.ste, 0n, 0n, 0n, 0n, 0n, 0n]).EATS, 0n);
    assert.equal(v.ste[0], w[0]);
  }
  const byp = validateVste(encode(STE, { V: 1n, Config: 4n, EATS: 1n })[0], encode(STE, { EATS: 1n })[1]);
  assert.ok(byp.ok && byp.kind === 'bypass' && byp.enableAts === false);
});

const TABLE = { ttb: 0x9000_0000n, granule: 4 as const, inputSize: 40, startLevel: 1, outputSize: 48 };

test('host STE: stage-1 vSTE -> nested STE on the parent stage 2 with the vIOMMU VMID and MEV', () => {
  const w = encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x4000_1000n, S1CDMax: 0n, S1CIR: 1n, EATS: 1n });
  const v = validateVste(w[0], w[1]) as ValidVste;
  const host = decode(STE, nestedHostSte(v, TABLE, 7, 44, true));
  assert.equal(host.V, 1n);
  assert.equal(host.Config, 0b111n);
  assert.equal(host.S1ContextPtr, 0x4000_1000n);
  assert.equal(host.S1CIR, 1n);
  assert.equal(host.S2VMID, 7n);
  assert.equal(host.S2TTB, 0x9000_0000n);
  assert.equal(host.S2T0SZ, 24n);
  assert.equal(host.S2SL0, 1n); // 4K, start level 1
  assert.equal(host.S2PS, 4n); // min(48, OAS 44) = 44 bits
  assert.equal(host.MEV, 1n);
  assert.equal(host.EATS, 1n);
  // ATS off at the SMMU/device: EATS stays 0.
  assert.equal(decode(STE, nestedHostSte(v, TABLE, 7, 44, false)).EATS, 0n);
});

test('host STE: bypass vSTE -> stage-2-only STE; abort or invalid vSTE -> abort STE', () => {
  const byp = validateVste(encode(STE, { V: 1n, Config: 4n })[0], 0n) as ValidVste;
  const h = decode(STE, nestedHostSte(byp, TABLE, 3, 48, true));
  assert.equal(h.Config, 0b110n);
  assert.equal(h.S2VMID, 3n);
  assert.equal(h.EATS, 0n, 'ATS only for a stage-1 vSTE');
  const ab = decode(STE, nestedHostSte(validateVste(0n, 0n) as ValidVste, TABLE, 3, 48, true));
  assert.equal(ab.V, 1n);
  assert.equal(ab.Config, 0n);
  assert.equal(ab.S2TTB, 0n);
});

test('guest invalidations: the VMID is forced, NSNH_ALL becomes NH_ALL of the VMID, vSIDs become SIDs', () => {
  const va = convertGuestCommand(CMD('CMD_TLBI_NH_VA', { VMID: 0x55n, ASID: 9n, Address: 0x1234_5000n, Leaf: 1n }), 7, toSid);
  assert.ok(va.ok);
  if (va.ok) assert.deepEqual(va.host, CMD('CMD_TLBI_NH_VA', { VMID: 7n, ASID: 9n, Address: 0x1234_5000n, Leaf: 1n }));
  const all = convertGuestCommand(CMD('CMD_TLBI_NSNH_ALL'), 7, toSid);
  assert.ok(all.ok && all.host[0] === CMD('CMD_TLBI_NH_ALL', { VMID: 7n })[0] && all.host[1] === 0n);
  const atc = convertGuestCommand(CMD('CMD_ATC_INV', { StreamID: 0x11n, Size: 52n }), 7, toSid);
  assert.ok(atc.ok);
  if (atc.ok) assert.deepEqual(atc.host, CMD('CMD_ATC_INV', { StreamID: 0x240n, Size: 52n }));
  const cd = convertGuestCommand(CMD('CMD_CFGI_CD', { StreamID: 0x10n, SubstreamID: 5n, Leaf: 1n }), 7, toSid);
  assert.ok(cd.ok && decode(commandByName('CMD_CFGI_CD')!, cd.host).StreamID === 0x100n);
});

test('guest invalidations: rejected commands, bits and virtual StreamIDs (-EIO)', () => {
  for (const name of ['CMD_SYNC', 'CMD_CFGI_STE', 'CMD_TLBI_S2_IPA', 'CMD_TLBI_S12_VMALL', 'CMD_TLBI_EL2_ALL', 'CMD_PREFETCH_CONFIG']) {
    const r = convertGuestCommand(CMD(name), 7, toSid);
    assert.ok(!r.ok && r.error.errno === 'EIO' && r.error.field === name, name);
  }
  const bad = convertGuestCommand([CMD('CMD_TLBI_NH_ASID', { ASID: 1n })[0], 1n], 7, toSid);
  assert.ok(!bad.ok && /CMD_TLBI_NH_ASID bit 64/.test(bad.error.message));
  const nov = convertGuestCommand(CMD('CMD_CFGI_CD_ALL', { StreamID: 0x99n }), 7, toSid);
  assert.ok(!nov.ok && /0x99 has no vDEVICE/.test(nov.error.message));
  // The opcode set is the uAPI's: TLBI_NH_{ALL,ASID,VA,VAA}, TLBI_NSNH_ALL, ATC_INV, CFGI_CD, CFGI_CD_ALL.
  assert.deepEqual([...GUEST_INVALIDATIONS.keys()].sort((a, b) => a - b), [0x05, 0x06, 0x10, 0x11, 0x12, 0x13, 0x30, 0x40]);
});

test('a guest-owned VCMDQ accepts TLBI_NH_ASID, TLBI_NH_VA, ATC_INV and CMD_SYNC only', () => {
  assert.ok(convertGuestCommand(CMD('CMD_TLBI_NH_VA', { ASID: 1n }), 2, toSid, VCMDQ_COMMANDS).ok);
  const sync = convertGuestCommand(CMD('CMD_SYNC'), 2, toSid, VCMDQ_COMMANDS);
  assert.ok(sync.ok && sync.host[0] === CMD('CMD_SYNC')[0]);
  assert.ok(!convertGuestCommand(CMD('CMD_TLBI_NH_ALL'), 2, toSid, VCMDQ_COMMANDS).ok);
  assert.ok(!convertGuestCommand(CMD('CMD_CFGI_CD_ALL', { StreamID: 0x10n }), 2, toSid, VCMDQ_COMMANDS).ok);
});
