import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StructDef, STE, CD, L1STD, L1CD, COMMANDS, EVENTS, REGISTERS, PRI_PAGE_REQUEST, STRUCTS, OPCODES, EVENT_TYPES,
  decode, encode, validate, commandByOpcode, commandByName, commandPreset, eventByType, registerByName,
  registerByOffset, structByName, fieldByName, describeField,
} from '../../../../language-server/src/model/fields';

const ALL: StructDef[] = [...STRUCTS, ...REGISTERS];

test('every field lies inside its dword and inside the structure', () => {
  for (const d of ALL) {
    for (const f of d.fields) {
      const where = `${d.name}.${f.name}`;
      assert.ok(f.lo >= 0 && f.hi <= 63 && f.lo <= f.hi, `${where} range [${f.hi}:${f.lo}]`);
      assert.ok(f.word >= 0 && f.word < d.dwords, `${where} dword ${f.word} of ${d.dwords}`);
      if (f.addressShift !== undefined) assert.ok(f.hi - f.lo + 1 + f.addressShift <= 64, `${where} address width`);
    }
  }
});

test('no two fields of a structure overlap, and names are unique (case-insensitively)', () => {
  for (const d of ALL) {
    const names = new Set<string>();
    const used: bigint[] = new Array(d.dwords).fill(0n);
    for (const f of d.fields) {
      const k = f.name.toLowerCase();
      assert.ok(!names.has(k), `${d.name}: duplicate field ${f.name}`);
      names.add(k);
      const m = ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
      assert.equal(used[f.word] & m, 0n, `${d.name}.${f.name} overlaps another field`);
      used[f.word] |= m;
    }
  }
});

test('every enumerated value fits its field, and every field has a summary and citation', () => {
  for (const d of ALL) {
    for (const f of d.fields) {
      assert.match(f.spec, /^(IHI 0070|DDI 0487) /, `${d.name}.${f.name} spec`);
      if (!f.reserved) assert.ok(f.summary.length > 0, `${d.name}.${f.name} summary`);
      for (const v of f.values ?? []) assert.ok(v.value >> BigInt(f.hi - f.lo + 1) === 0n, `${d.name}.${f.name}=${v.value}`);
    }
  }
});

test('structures have the sizes of IHI 0070: STE/CD 64 bytes, commands 16, events 32, L1 descriptors 8', () => {
  assert.equal(STE.dwords, 8);
  assert.equal(CD.dwords, 8);
  assert.equal(L1STD.dwords, 1);
  assert.equal(L1CD.dwords, 1);
  for (const c of COMMANDS) assert.equal(c.dwords, 2, c.name);
  for (const e of EVENTS) assert.equal(e.dwords, 4, e.name);
  assert.equal(PRI_PAGE_REQUEST.dwords, 2);
});

test('round trip: encode(decode(x)) === x for random dwords in every structure with full coverage', () => {
  // Bits not covered by any field are not kept by encode(decode()), so compare covered bits only.
  let seed = 0x1234_5678n;
  const rnd = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return seed; };
  for (const d of ALL) {
    const covered: bigint[] = new Array(d.dwords).fill(0n);
    for (const f of d.fields) covered[f.word] |= ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
    for (let i = 0; i < 20; i++) {
      const raw = Array.from({ length: d.dwords }, rnd);
      const back = encode(d, decode(d, raw));
      for (let w = 0; w < d.dwords; w++) assert.equal(back[w], raw[w] & covered[w], `${d.name} dword ${w}`);
    }
  }
});

// --- Known words from the conformance scenarios (public-s1-1000.smmu), decoded by hand from the spec ---

test('STE 0x4003000b 0xd4: valid, stage 1 only, CD at 0x40030000, CD fetch WBRA/ISH (IHI 0070 §5.2)', () => {
  const d = decode(STE, [0x4003000bn, 0xd4n, 0n, 0n, 0n, 0n, 0n, 0n]);
  // 0xb = 0b1011: V = bit 0 = 1, Config = bits [3:1] = 0b101 (S1 translate, S2 bypass)
  assert.equal(d.V, 1n);
  assert.equal(d.Config, 0b101n);
  assert.equal(d.S1Fmt, 0n);
  assert.equal(d.S1ContextPtr, 0x40030000n); // bits [55:6] in place
  assert.equal(d.S1CDMax, 0n);
  // 0xd4 = 0b1101_0100: S1DSS [65:64] = 0, S1CIR [67:66] = 0b01, S1COR [69:68] = 0b01, S1CSH [71:70] = 0b11
  assert.equal(d.S1DSS, 0n);
  assert.equal(d.S1CIR, 1n);
  assert.equal(d.S1COR, 1n);
  assert.equal(d.S1CSH, 3n);
  assert.deepEqual(validate(STE, [0x4003000bn, 0xd4n]), []);
  assert.deepEqual(encode(STE, { V: 1n, Config: 5n, S1ContextPtr: 0x40030000n, S1CIR: 1n, S1COR: 1n, S1CSH: 3n }),
    [0x4003000bn, 0xd4n, 0n, 0n, 0n, 0n, 0n, 0n]);
});

test('CD 0xab7a6205c0003524 0x40100000 0 0x44ff04 (IHI 0070 §5.4)', () => {
  const w = [0xab7a6205c0003524n, 0x40100000n, 0n, 0x44ff04n, 0n, 0n, 0n, 0n];
  const d = decode(CD, w);
  // low half 0xc0003524: T0SZ = 0x24 (36: 28-bit VA), TG0 = 0 (4KB), IR0 = OR0 = 0b01, SH0 = 0b11,
  // EPD0 = 0, T1SZ = 0, EPD1 = bit 30 = 1, V = bit 31 = 1
  assert.equal(d.T0SZ, 36n);
  assert.equal(d.TG0, 0n);
  assert.equal(d.IR0, 1n);
  assert.equal(d.OR0, 1n);
  assert.equal(d.SH0, 3n);
  assert.equal(d.EPD0, 0n);
  assert.equal(d.EPD1, 1n);
  assert.equal(d.V, 1n);
  // high half 0xab7a6205: IPS = 0b101 (48 bits), AFFD = 0, byte 0x62: AA64 (41) = 1, R (45) = 1, A (46) = 1
  assert.equal(d.IPS, 5n);
  assert.equal(d.AFFD, 0n);
  assert.equal(d.AA64, 1n);
  assert.equal(d.HD, 0n);
  assert.equal(d.HA, 0n);
  assert.equal(d.S, 0n);
  assert.equal(d.R, 1n);
  assert.equal(d.A, 1n);
  assert.equal(d.ASET, 0n);
  assert.equal(d.ASID, 0xab7an);
  assert.equal(d.TTB0, 0x40100000n);
  assert.equal(d.MAIR0, 0x44ff04n); // Attr0 = 0x04 (Device-nGnRE), Attr1 = 0xff, Attr2 = 0x44
  assert.equal(d.MAIR1, 0n);
  // TG1 == 0 is a Reserved encoding, but TG1 is IGNORED when EPD1 == 1: validate() is field-level only.
  assert.deepEqual(validate(CD, w).map((i) => i.field), ['TG1']);
});

test('commands from the conformance scenario decode by opcode (IHI 0070 §4)', () => {
  const asid = commandByOpcode(0x11)!;
  assert.equal(asid.name, 'CMD_TLBI_NH_ASID');
  assert.deepEqual(decode(asid, [0xab7a000000000011n, 0n]), { Opcode: 0x11n, VMID: 0n, ASID: 0xab7an });
  const va = commandByOpcode(0x12)!;
  const d = decode(va, [0xab7a000000000012n, 0xba7c001n]);
  assert.equal(d.ASID, 0xab7an);
  assert.equal(d.Leaf, 1n);
  assert.equal(d.Address, 0xba7c000n);
  assert.equal(d.TG, 0n);
  assert.equal(commandByOpcode(0x46)!.name, 'CMD_SYNC');
  assert.equal(decode(commandByOpcode(0x46)!, [0x46n, 0n]).CS, 0n);
  assert.equal(commandByOpcode(0x99), undefined);
});

test('CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range 31: the words Linux issues at probe (0x4, 0x1f)', () => {
  const d = commandByName('CMD_CFGI_ALL')!;
  assert.equal(d.name, 'CMD_CFGI_STE_RANGE');
  assert.deepEqual(encode(d, commandPreset('cfgi_all')!), [0x4n, 0x1fn]);
  assert.equal(commandByName('tlbi_nh_va')?.name, 'CMD_TLBI_NH_VA');
});

test('every opcode and event type maps to its own definition', () => {
  for (const [name, op] of Object.entries(OPCODES)) {
    const d = commandByOpcode(op)!;
    assert.equal(d.name, name);
    assert.equal(decode(d, encode(d, { Opcode: BigInt(op) })).Opcode, BigInt(op));
  }
  for (const [name, t] of Object.entries(EVENT_TYPES)) assert.equal(eventByType(t)?.name, name);
});

test('F_TRANSLATION record from the QEMU oracle (d_unmapped): 0x800000010 0x800000000 0x3000 0 (IHI 0070 §7.3)', () => {
  const w = [0x800000010n, 0x800000000n, 0x3000n, 0n];
  const e = eventByType(w[0] & 0xffn)!;
  assert.equal(e.name, 'F_TRANSLATION');
  const d = decode(e, w);
  assert.equal(d.StreamID, 8n); // dword0 [63:32]
  assert.equal(d.SSV, 0n);
  assert.equal(d.RnW, 1n); // dword1 bit 35 = 0x8_0000_0000
  assert.equal(d.PnU, 0n);
  assert.equal(d.S2, 0n);
  assert.equal(d.CLASS, 0n);
  assert.equal(d.InputAddr, 0x3000n);
  assert.equal(d.IPA, 0n);
});

test('registers: lookup with or without SMMU_ prefix, any case; offsets as IHI 0070 §6', () => {
  assert.equal(registerByName('cr0')?.name, 'SMMU_CR0');
  assert.equal(registerByName('SMMU_CR0')?.offset, 0x20);
  assert.equal(registerByName('smmu_strtab_base')?.size, 64);
  assert.equal(registerByName('EVENTQ_PROD')?.offset, 0x100a8);
  assert.equal(registerByName('eventq_cons')?.page, 1);
  assert.equal(registerByName('CMDQ_CONS')?.offset, 0x9c);
  assert.equal(registerByName('nope'), undefined);
  assert.equal(registerByOffset(0x88)?.name, 'SMMU_STRTAB_BASE_CFG');
  assert.equal(registerByOffset(0x100cc)?.name, 'SMMU_PRIQ_CONS');
});

test('register values of the scenarios and QEMU oracle decode as worked out from the spec', () => {
  const cr0 = decode(registerByName('CR0')!, [0xdn]); // 0b1101
  assert.deepEqual([cr0.SMMUEN, cr0.PRIQEN, cr0.EVENTQEN, cr0.CMDQEN], [1n, 0n, 1n, 1n]);
  const cfg = decode(registerByName('STRTAB_BASE_CFG')!, [0x6n]);
  assert.deepEqual([cfg.LOG2SIZE, cfg.SPLIT, cfg.FMT], [6n, 0n, 0n]);
  const cq = decode(registerByName('CMDQ_BASE')!, [0x40010008n]);
  assert.deepEqual([cq.LOG2SIZE, cq.ADDR], [8n, 0x40010000n]);
  // QEMU 7.2 IDR0 0xd40101a: S1P, TTF = AArch64, COHACC, ASID16, TTENDIAN = LE, STALL_MODEL = terminate, TERM_MODEL, 2-level
  const idr0 = decode(registerByName('IDR0')!, [0xd40101an]);
  assert.deepEqual([idr0.S2P, idr0.S1P, idr0.TTF, idr0.COHACC, idr0.ASID16, idr0.TTENDIAN, idr0.STALL_MODEL, idr0.TERM_MODEL, idr0.ST_LEVEL],
    [0n, 1n, 2n, 1n, 1n, 2n, 1n, 1n, 1n]);
  // IDR1 0x2730010: SIDSIZE 16, EVENTQS = CMDQS = 19 (QEMU's SMMU_IDR1_SIDSIZE, SMMU_EVENTQS, SMMU_CMDQS)
  const idr1 = decode(registerByName('IDR1')!, [0x2730010n]);
  assert.deepEqual([idr1.SIDSIZE, idr1.SSIDSIZE, idr1.EVENTQS, idr1.CMDQS], [16n, 0n, 19n, 19n]);
  // IDR5 0x74: OAS = 4 (44 bits), all three granules
  const idr5 = decode(registerByName('IDR5')!, [0x74n]);
  assert.deepEqual([idr5.OAS, idr5.GRAN4K, idr5.GRAN16K, idr5.GRAN64K], [4n, 1n, 1n, 1n]);
});

test('spec facts: TG0 and TG1 encodings differ; S2TTB at STE bits [247:196]; L1 descriptors', () => {
  assert.equal(fieldByName(CD, 'TG0')!.values!.find((v) => v.value === 2n)!.name, '16KB');
  assert.equal(fieldByName(CD, 'TG1')!.values!.find((v) => v.value === 2n)!.name, '4KB');
  assert.equal(fieldByName(CD, 'TG1')!.values!.find((v) => v.value === 1n)!.name, '16KB');
  const s2ttb = fieldByName(STE, 's2ttb')!;
  assert.deepEqual([s2ttb.word, s2ttb.hi, s2ttb.lo, s2ttb.addressShift], [3, 55, 4, 4]);
  assert.deepEqual(decode(L1STD, [0x40002009n]), { Span: 9n, RES0_5_5: 0n, L2Ptr: 0x40002000n, RES0_63_56: 0n });
  assert.equal(decode(L1CD, [0x40005001n]).L2Ptr, 0x40005000n);
  assert.match(describeField(STE, 's2t0sz'), /STE bits \[165:160\]/);
  assert.equal(structByName('ste'), STE);
  assert.equal(structByName('f_permission')?.name, 'F_PERMISSION');
});

test('the generated decoder agrees with the generic decoder on random words, in every table', async () => {
  const { decodeGeneric, allPteDefs } = await import('../../../../language-server/src/model/fields');
  let seed = 0x9e3779b97f4a7c15n;
  const rnd = () => { seed ^= seed << 13n; seed &= (1n << 64n) - 1n; seed ^= seed >> 7n; seed ^= seed << 17n; seed &= (1n << 64n) - 1n; return seed; };
  for (const d of [...ALL, ...allPteDefs()]) {
    for (let i = 0; i < 10; i++) {
      // mix of dense random words, sparse words and zeros
      const raw = Array.from({ length: d.dwords }, (_, k) => (i % 3 === 0 ? rnd() : i % 3 === 1 ? rnd() & rnd() & rnd() : k === 0 ? 1n : 0n));
      assert.deepEqual(decode(d, raw), decodeGeneric(d, raw), d.name);
    }
  }
});

test('fetch-abort records carry Reason [15:0] and FetchAddr [51:3], not STAG/Stall (IHI 0070 §7.3)', () => {
  const walk = eventByType(0x0b)!;
  assert.equal(walk.name, 'F_WALK_EABT');
  assert.equal(fieldByName(walk, 'STAG'), undefined);
  // dword1: Reason 0x12, RnW (bit 35), S2 (bit 39), CLASS = TT (bits [41:40] = 0b01); dword3: fetch address 0x40012018
  const d = decode(walk, [0x0000_0008_0000_000bn, 0x0000_0188_0000_0012n, 0x3000n, 0x4001_2018n]);
  assert.deepEqual([d.StreamID, d.Reason, d.RnW, d.S2, d.CLASS, d.InputAddr, d.FetchAddr], [8n, 0x12n, 1n, 1n, 1n, 0x3000n, 0x4001_2018n]);
  for (const name of ['F_STE_FETCH', 'F_CD_FETCH', 'F_VMS_FETCH']) {
    const e = structByName(name)!;
    assert.ok(fieldByName(e, 'Reason') && fieldByName(e, 'FetchAddr') && !fieldByName(e, 'Stall'), name);
  }
  // F_STREAM_DISABLED has no substream (the transaction had none); C_BAD_SUBSTREAMID has no SSV
  assert.equal(fieldByName(structByName('F_STREAM_DISABLED')!, 'SSV'), undefined);
  assert.equal(fieldByName(structByName('C_BAD_SUBSTREAMID')!, 'SSV'), undefined);
  assert.ok(fieldByName(structByName('C_BAD_SUBSTREAMID')!, 'SubstreamID'));
});

test('hover text renders for every field of every table and ends with its citation', () => {
  for (const d of ALL) {
    for (const f of d.fields) {
      const md = describeField(d, f.name);
      assert.ok(md.startsWith(`**${d.name}.${f.name}**`), `${d.name}.${f.name}`);
      assert.ok(md.trimEnd().endsWith(`*${f.spec}*`), `${d.name}.${f.name} citation`);
    }
  }
});
