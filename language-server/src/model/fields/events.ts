// Event queue records: 32 bytes, 4 dwords, type in dword0[7:0]. IHI 0070 §7.3.
// One StructDef per event type. Common: Type [7:0], SSV [11], SubstreamID [31:12], StreamID [63:32].
// Translation faults (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION) carry in dword1:
// STAG [15:0], Stall [31], PnU [33], InD [34], RnW [35], NSIPA [36], S2 [39], CLASS [41:40],
// TTRnW [44], IMPLEMENTATION DEFINED [63:48]; dword2 the input address; dword3 the IPA [51:12].
// Fetch aborts (F_STE_FETCH, F_CD_FETCH, F_VMS_FETCH, F_WALK_EABT) carry Reason [15:0] and the
// fetch address [51:3] in dword3. The spec's record layouts are figures; positions here are
// Linux's EVTQ_* defines (STAG, STALL, PnU, InD, RnW, S2, CLASS, TT_READ, ADDR, IPA) plus, for the
// fields Linux does not define (Reason, NSIPA, FetchAddr, ATS/page-request fields), EDK2's
// SMMUv3 record structs (positions only). F_STREAM_DISABLED and F_TRANSL_FORBIDDEN have no
// substream fields; C_BAD_SUBSTREAMID has no SSV.

import { FieldDef, StructDef } from './field';
import { fld, vals } from './define';
import type { EventType } from '../types';

const E = 'IHI 0070 §7.3';

/** Event type codes (IHI 0070 §7.3, Table 7-2). */
export const EVENT_TYPES: Record<EventType, number> = {
  F_UUT: 0x01,
  C_BAD_STREAMID: 0x02,
  F_STE_FETCH: 0x03,
  C_BAD_STE: 0x04,
  F_BAD_ATS_TREQ: 0x05,
  F_STREAM_DISABLED: 0x06,
  F_TRANSL_FORBIDDEN: 0x07,
  C_BAD_SUBSTREAMID: 0x08,
  F_CD_FETCH: 0x09,
  C_BAD_CD: 0x0a,
  F_WALK_EABT: 0x0b,
  F_TRANSLATION: 0x10,
  F_ADDR_SIZE: 0x11,
  F_ACCESS: 0x12,
  F_PERMISSION: 0x13,
  F_TLB_CONFLICT: 0x20,
  F_CFG_CONFLICT: 0x21,
  E_PAGE_REQUEST: 0x24,
  F_VMS_FETCH: 0x25,
};

/** CLASS field values (IHI 0070 §7.3). */
export const EVENT_CLASS = { CD: 0n, TT: 1n, IN: 2n } as const;

const type = (name: string, t: number): FieldDef => fld('Type', 7, 0, E, `Event type (${name} = 0x${t.toString(16).padStart(2, '0')}).`);
const reason16 = () => fld('Reason', 79, 64, E, 'IMPLEMENTATION DEFINED reason for the abort/error.');
const reason32 = () => fld('Reason', 95, 64, E, 'IMPLEMENTATION DEFINED reason.');
const implDef = () => fld('IMPL_DEF', 127, 112, E, 'IMPLEMENTATION DEFINED.');
const ssv = () => fld('SSV', 11, 11, E, 'SubstreamID valid.');
const ssid = () => fld('SubstreamID', 31, 12, E, 'SubstreamID of the transaction (when SSV).');
const sid = () => fld('StreamID', 63, 32, E, 'StreamID of the transaction or configuration.');

const stag = () => fld('STAG', 79, 64, E, 'Stall tag: identifies the stalled transaction for CMD_RESUME (when Stall).');
const stall = () => fld('Stall', 95, 95, E, '1: the transaction is stalled and awaits CMD_RESUME/CMD_STALL_TERM.');
const pnu = () => fld('PnU', 97, 97, E, 'Privileged (1) or Unprivileged (0) transaction.');
const ind = () => fld('InD', 98, 98, E, 'Instruction (1) or Data (0) transaction.');
const rnw = () => fld('RnW', 99, 99, E, 'Read (1) or Write (0) transaction.');
const nsipa = () => fld('NSIPA', 100, 100, E, 'NS attribute of the faulting IPA (Secure streams with Secure stage 2).');
const s2 = () => fld('S2', 103, 103, E, '1: the fault arose at stage 2; 0: at stage 1.', { values: vals([0, 'S1', 'Stage 1'], [1, 'S2', 'Stage 2']) });
const cls = () => fld('CLASS', 105, 104, E, 'What the faulting access was for.', {
  values: vals([0, 'CD', 'CD fetch'], [1, 'TT', 'Translation table walk'], [2, 'IN', 'Input address of the transaction'], [3, 'RSVD', 'Reserved', true]),
  valuesComplete: true,
});
const ttrnw = () => fld('TTRnW', 108, 108, E, 'For CLASS == TT: the table access was a read (1) or an HTTU write (0).');
const inputAddr = () => fld('InputAddr', 191, 128, E, 'Input address of the transaction (VA, or IPA when stage 1 bypasses).', { address: true });
const ipa = () => fld('IPA', 243, 204, E, 'For a stage 2 fault (S2 == 1): the faulting IPA (bits [51:12]).', { address: true });
const fetchAddr = (what: string) => fld('FetchAddr', 243, 195, E, `Physical address of the ${what} fetch that failed (bits [51:3]).`, { address: true });

/** An event with the common dword0 fields (Type, SSV, SubstreamID, StreamID). */
function ev(name: EventType, summary: string, ...fields: FieldDef[]): StructDef {
  return evBare(name, summary, ssv(), ssid(), sid(), ...fields);
}

/** An event with only Type plus the given fields. */
function evBare(name: EventType, summary: string, ...fields: FieldDef[]): StructDef {
  const t = EVENT_TYPES[name];
  return { name, dwords: 4, spec: E, summary, fields: [type(name, t), ...fields] };
}

const access = () => [pnu(), ind(), rnw()];
const translationFault = () => [stag(), stall(), ...access(), nsipa(), s2(), cls(), ttrnw(), implDef(), inputAddr(), ipa()];

export const EVENTS: StructDef[] = [
  ev('F_UUT', 'Unsupported Upstream Transaction.', reason16(), ...access(), inputAddr()),
  ev('C_BAD_STREAMID', 'StreamID out of range of the Stream table (recorded when SMMU_CR2.RECINVSID == 1).'),
  ev('F_STE_FETCH', 'External abort or error fetching an STE or L1STD.', reason16(), fetchAddr('STE')),
  ev('C_BAD_STE', 'The STE is invalid (V == 0) or ILLEGAL.'),
  ev('F_BAD_ATS_TREQ', 'ATS Translation Request refused (STE.EATS).',
    fld('Span', 67, 64, E, 'Span of the translation request.'),
    fld('Priv', 92, 92, E, 'Privileged request.'),
    fld('Exec', 93, 93, E, 'Execute permission requested.'),
    fld('Write', 94, 94, E, 'Write permission requested (Read == 0 and Write == 1 is not possible).'),
    fld('Read', 95, 95, E, 'Read permission requested.'),
    fld('InputAddr', 191, 140, E, 'Requested page address (bits [63:12]).', { address: true })),
  evBare('F_STREAM_DISABLED', 'Transaction without substream while STE.S1DSS == Terminate, or substream 0 used with S1DSS == SSID0.', sid()),
  evBare('F_TRANSL_FORBIDDEN', 'ATS Translated transaction forbidden by STE.EATS.', sid(), rnw(), inputAddr()),
  evBare('C_BAD_SUBSTREAMID', 'SubstreamID out of range of S1CDMax, or supplied when substreams are disabled.', ssid(), sid()),
  ev('F_CD_FETCH', 'External abort or error fetching a CD or L1CD.', reason16(), fetchAddr('CD')),
  ev('C_BAD_CD', 'The CD is invalid (V == 0) or ILLEGAL.'),
  ev('F_WALK_EABT', 'External abort on a translation table walk.', reason16(), ...access(), nsipa(), s2(), cls(), inputAddr(), fetchAddr('descriptor')),
  ev('F_TRANSLATION', 'Translation fault: no valid descriptor for the address (or the walk is disabled/out of range).', ...translationFault()),
  ev('F_ADDR_SIZE', 'Address Size fault: a table or output address exceeds IPS/S2PS/OAS.', ...translationFault()),
  ev('F_ACCESS', 'Access flag fault: descriptor AF == 0 and no HTTU/AFFD.', ...translationFault()),
  ev('F_PERMISSION', 'Permission fault: the descriptor does not permit the access.', ...translationFault()),
  ev('F_TLB_CONFLICT', 'TLB conflict: multiple TLB entries match the lookup.', reason32(), ...access(), nsipa(), s2(), inputAddr(), ipa()),
  ev('F_CFG_CONFLICT', 'Configuration cache conflict (e.g. inconsistent STE.CONT spans).', reason32()),
  ev('E_PAGE_REQUEST', 'Speculative page request hint.',
    fld('UX', 97, 97, E, 'Unprivileged execute requested.'),
    fld('UW', 98, 98, E, 'Unprivileged write requested.'),
    fld('UR', 99, 99, E, 'Unprivileged read requested.'),
    fld('PX', 101, 101, E, 'Privileged execute requested.'),
    fld('PW', 102, 102, E, 'Privileged write requested.'),
    fld('PR', 103, 103, E, 'Privileged read requested.'),
    fld('Span', 115, 108, E, 'Span of the request.'),
    fld('InputAddr', 191, 140, E, 'Requested page address (bits [63:12]).', { address: true })),
  ev('F_VMS_FETCH', 'External abort or error fetching a VMS.', reason16(), fetchAddr('VMS')),
];

const BY_TYPE = new Map<number, StructDef>(EVENTS.map((d) => [EVENT_TYPES[d.name as EventType], d]));
const BY_NAME = new Map<string, StructDef>(EVENTS.map((d) => [d.name.toLowerCase(), d]));

export function eventByType(t: number | bigint): StructDef | undefined {
  return BY_TYPE.get(Number(t));
}

/** Case-insensitive ('f_translation' or 'F_TRANSLATION'). */
export function eventByName(name: string): StructDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

// ---- PRI queue: page request records, 16 bytes, 2 dwords. IHI 0070 §8 (positions as Linux PRIQ_*). ----

const P = 'IHI 0070 §8';

export const PRI_PAGE_REQUEST: StructDef = {
  name: 'PRI_PAGE_REQUEST',
  dwords: 2,
  spec: P,
  summary: 'PRI queue entry: one PCIe Page Request.',
  fields: [
    fld('StreamID', 31, 0, P, 'StreamID of the requesting function.'),
    fld('SubstreamID', 51, 32, P, 'PASID of the request (when SSV).'),
    fld('Priv', 58, 58, P, 'Privileged access requested.'),
    fld('Exec', 59, 59, P, 'Execute access requested.'),
    fld('Read', 60, 60, P, 'Read access requested.'),
    fld('Write', 61, 61, P, 'Write access requested.'),
    fld('L', 62, 62, P, 'Last request of the Page Request Group.'),
    fld('SSV', 63, 63, P, 'SubstreamID valid.'),
    fld('PRGI', 72, 64, P, 'Page Request Group Index.'),
    fld('Page_Address', 127, 76, P, 'Page address requested (bits [63:12]).', { address: true }),
  ],
};
