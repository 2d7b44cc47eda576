// QEMU `-trace 'smmu*'` lines (log backend: `name args`, older releases and `-msg timestamp=on`
// prefix `pid@sec.usec:`). Argument formats are those of QEMU's hw/arm/trace-events; the points
// that carry an event, a command, an error or a translation are read by their format, every other
// known `smmu*` point by its `key=value` arguments. An `smmu*` name QEMU does not define, or a known
// point whose arguments do not match its format, is listed as not recognised.

import { explainCommandName, explainEventName, explainGerror, cmdqErr } from './explain';
import { logNumber, record, type LineReader } from './lines';
import type { LogKind, LogRecord } from './types';

const TRACE = /^(?:\d+@\d+\.\d+:)?(smmu(?:v3)?_[a-z0-9_]+)(?: (.*))?$/;
const NUM = '(0x[0-9a-fA-F]+|\\d+)';
const HEX = '(0x[0-9a-fA-F]+)';

/** QEMU's event names (SMMU_EVT_*) that differ from the spec's. */
const EVENT_ALIAS: Record<string, string> = { F_TRANS_FORBIDDEN: 'F_TRANSL_FORBIDDEN', E_PAGE_REQ: 'E_PAGE_REQUEST' };

interface Point {
  re: RegExp;
  kind: LogKind;
  meaning: string;
  keys: string[];
  /** Fill in what the arguments say (spec name, error, StreamID). */
  fill?: (m: RegExpExecArray, r: LogRecord) => void;
}

const translation = (what: string, tail: string): Point => ({
  re: new RegExp(`^(\\S+) sid=${NUM} ${tail}$`), kind: 'translation', meaning: what,
  keys: ['mr', 'sid', 'iova', 'is_write'], fill: (m, r) => { r.sid = Number(logNumber(m[2]) ?? 0n); },
});

const POINTS: Record<string, Point> = {
  smmuv3_record_event: {
    re: new RegExp(`^(\\S+) sid=${NUM}$`), kind: 'event', meaning: '', keys: ['type', 'sid'],
    fill: (m, r) => {
      const raw = m[1].replace(/^SMMU_EVT_/, '');
      const name = EVENT_ALIAS[raw] ?? raw;
      const e = explainEventName(name);
      r.name = e?.name ?? m[1];
      r.meaning = e?.meaning ?? `event QEMU calls ${m[1]}`;
      if (e?.cause) r.cause = e.cause;
      r.sid = Number(logNumber(m[2]) ?? 0n);
    },
  },
  smmuv3_cmdq_opcode: {
    re: /^<--- (\S+)$/, kind: 'command', meaning: '', keys: ['command'],
    fill: (m, r) => {
      const c = explainCommandName(m[1].replace(/^SMMU_/, ''));
      r.name = c?.name ?? m[1];
      r.meaning = c?.meaning ?? `command QEMU calls ${m[1]}`;
    },
  },
  smmuv3_cmdq_consume_error: {
    re: /^Error on (\S+) command execution: (\d+)$/, kind: 'command', meaning: '', keys: ['command', 'cmd_error'],
    fill: (m, r) => {
      const c = explainCommandName(m[1].replace(/^SMMU_/, ''));
      r.name = c?.name ?? m[1];
      r.meaning = c?.meaning ?? `command QEMU calls ${m[1]}`;
      r.error = cmdqErr(BigInt(m[2]));
    },
  },
  smmuv3_unhandled_cmd: {
    re: /^Unhandled command type=(\d+)$/, kind: 'command', meaning: 'QEMU does not implement this command type.', keys: ['type'],
    fill: (m, r) => { r.name = `opcode 0x${Number(m[1]).toString(16)}`; r.error = cmdqErr(1n); },
  },
  smmuv3_write_gerror: {
    re: new RegExp(`^toggled=${HEX}, new GERROR=${HEX}$`), kind: 'gerror', meaning: '', keys: ['toggled', 'gerror'],
    fill: (m, r) => {
      const e = explainGerror(BigInt(m[2]));
      Object.assign(r, { name: e.name, fields: e.fields, meaning: e.meaning, issues: e.issues });
    },
  },
  smmuv3_translate_success: {
    re: new RegExp(`^(\\S+) sid=${NUM} iova=${HEX} translated=${HEX} perm=${HEX}(?: .*)?$`), kind: 'translation',
    meaning: 'Translation succeeded.', keys: ['mr', 'sid', 'iova', 'translated', 'perm'], fill: (m, r) => { r.sid = Number(logNumber(m[2]) ?? 0n); },
  },
  smmuv3_translate_abort: translation('The STE aborts the transaction (STE.Config ABORT, or a fault terminated it).', `abort on iova:${HEX} is_write=(\\d)`),
  smmuv3_translate_bypass: translation('The STE bypasses translation (STE.Config BYPASS).', `STE bypass iova:${HEX} is_write=(\\d)`),
  smmuv3_translate_disable: translation('SMMU_CR0.SMMUEN == 0: the transaction bypasses the SMMU (SMMU_GBPA).', `bypass \\(smmu disabled\\) iova:${HEX} is_write=(\\d)`),
  smmuv3_get_ste: { re: new RegExp(`^STE addr: ${HEX}$`), kind: 'trace', meaning: 'STE fetched from this address.', keys: ['addr'] },
  smmuv3_get_cd: { re: new RegExp(`^CD addr: ${HEX}$`), kind: 'trace', meaning: 'CD fetched from this address.', keys: ['addr'] },
};

/** Trace points of QEMU's hw/arm/trace-events read by their `key=value` arguments. */
const GENERIC: Record<string, string> = {
  smmu_add_mr: 'IOMMU memory region added.', smmu_page_walk: 'Page walk (notifier replay).', smmu_lookup_table: 'Table lookup (notifier replay).',
  smmu_ptw_level: 'Page table walk: one level.', smmu_ptw_invalid_pte: 'Page table walk: invalid descriptor (Translation fault).',
  smmu_ptw_page_pte: 'Page table walk: page descriptor.', smmu_ptw_block_pte: 'Page table walk: block descriptor.', smmu_get_pte: 'Descriptor read.',
  smmu_iotlb_inv_all: 'IOTLB invalidate all.', smmu_iotlb_inv_asid: 'IOTLB invalidate by ASID.', smmu_iotlb_inv_vmid: 'IOTLB invalidate by VMID.',
  smmu_iotlb_inv_vmid_s1: 'IOTLB invalidate stage-1 entries of a VMID.', smmu_iotlb_inv_iova: 'IOTLB invalidate by IOVA.', smmu_iotlb_inv_ipa: 'IOTLB invalidate by IPA.',
  smmu_iotlb_inv_stage: 'IOTLB invalidate one stage.', smmu_inv_notifiers_mr: 'IOMMU notifiers invalidated.', smmu_iotlb_lookup_hit: 'IOTLB hit.',
  smmu_iotlb_lookup_miss: 'IOTLB miss.', smmu_iotlb_insert: 'IOTLB insert.', smmu_iotlb_cache_hit: 'IOTLB hit.', smmu_iotlb_cache_miss: 'IOTLB miss.',
  smmuv3_read_mmio: 'Register read.', smmuv3_write_mmio: 'Register write.', smmuv3_write_mmio_idr: 'Write to a read-only or unimplemented register.',
  smmuv3_trigger_irq: 'Interrupt raised.', smmuv3_write_gerrorn: 'SMMU_GERRORN written.', smmuv3_cmdq_consume: 'Command queue consumed.',
  smmuv3_cmdq_consume_out: 'Command queue consumption done.', smmuv3_update: 'Queue state.', smmuv3_update_check_cmd: 'Command queue disabled or in error.',
  smmuv3_write_mmio_evtq_cons_bef_clear: 'Event queue CONS before clearing the interrupt.', smmuv3_write_mmio_evtq_cons_after_clear: 'Event queue CONS after clearing the interrupt.',
  smmuv3_find_ste: 'Stream table lookup.', smmuv3_find_ste_2lvl: '2-level stream table lookup.', smmuv3_decode_cd: 'CD decoded.', smmuv3_decode_cd_tt: 'CD translation table decoded.',
  smmuv3_cmdq_cfgi_ste: 'CMD_CFGI_STE.', smmuv3_cmdq_cfgi_ste_range: 'CMD_CFGI_STE_RANGE.', smmuv3_cmdq_cfgi_cd: 'CMD_CFGI_CD.',
  smmuv3_config_cache_hit: 'Configuration cache hit.', smmuv3_config_cache_miss: 'Configuration cache miss.', smmuv3_config_cache_inv: 'Configuration cache invalidated.',
  smmuv3_range_inval: 'Range invalidation.', smmuv3_s1_range_inval: 'Stage-1 range invalidation.', smmuv3_cmdq_tlbi_nh_va: 'CMD_TLBI_NH_VA.',
  smmuv3_cmdq_tlbi_nh_vaa: 'CMD_TLBI_NH_VAA.', smmuv3_cmdq_tlbi_nh: 'CMD_TLBI_NH_ALL.', smmuv3_cmdq_tlbi_nh_asid: 'CMD_TLBI_NH_ASID.',
  smmuv3_cmdq_tlbi_s12_vmid: 'CMD_TLBI_S12_VMALL.', smmuv3_cmdq_tlbi_nsnh: 'CMD_TLBI_NSNH_ALL.',
  smmuv3_notify_flag_add: 'IOMMU notifier added.', smmuv3_notify_flag_del: 'IOMMU notifier removed.', smmuv3_inv_notifiers_iova: 'IOMMU notifiers invalidated for an IOVA.',
};

const KV = /([A-Za-z_][\w.@]*)\s*[=:]\s*(0x[0-9a-fA-F]+|-?\d+)/g;

/** Reads one QEMU smmu trace line. */
export const readQemu: LineReader = (lines, i, out) => {
  const m = TRACE.exec(lines[i].trim());
  if (!m) return 0;
  const [, name, args = ''] = m;
  const base = { line: i + 1, endLine: i + 1, source: 'qemu' as const };
  const p = POINTS[name];
  if (p) {
    const a = p.re.exec(args);
    if (!a) {
      out.unrecognised.push({ line: i + 1, text: lines[i], reason: `${name}: arguments do not match QEMU's format (truncated line?)` });
      return 1;
    }
    const r = record({ ...base, kind: p.kind, name, meaning: p.meaning, facts: p.keys.map((k, j) => [k, a[j + 1] ?? ''] as [string, string]).filter(([, v]) => v !== '') });
    p.fill?.(a, r);
    out.records.push(r);
    return 1;
  }
  const meaning = GENERIC[name];
  if (meaning === undefined) {
    out.unrecognised.push({ line: i + 1, text: lines[i], reason: `${name} is not an smmu trace point QEMU defines` });
    return 1;
  }
  const facts = [...args.matchAll(KV)].map((x) => [x[1], x[2]] as [string, string]);
  out.records.push(record({ ...base, kind: 'trace', name, meaning, facts }));
  return 1;
};
