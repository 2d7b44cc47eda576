// Fixed words of the `.smmu` language, for the parser, completion and the TextMate grammar.
// Spec field names and enum values are NOT listed here: any identifier is accepted in field
// position and the engine checks it against the model's field tables.

/** Words that start a statement (case-insensitive). */
export const STATEMENT_KEYWORDS = [
  'include',
  'smmu',
  'pagetable',
  'cdtable',
  'cd',
  'ste',
  'write64',
  'write32',
  'write16',
  'write8',
  'abort',
  'reg',
  'cmd',
  'cpu',
  'dma',
  'ats',
  'pri',
  'map',
  'unmap',
  'pte',
  'expect',
  'iommufd',
  'vsmmu',
] as const;

export type StatementKeyword = (typeof STATEMENT_KEYWORDS)[number];

/** Statement keywords that are also block field names (`cd` in an `ste`, `map` in a `pagetable`,
 *  `ats`/`pri` as smmu features): they do not close an unterminated `{` block. */
const BLOCK_FIELD_KEYWORDS: ReadonlySet<string> = new Set(['cd', 'map', 'ats', 'pri']);

/** Statement keywords that close an unterminated `{` block when they start a line inside it. */
export const BLOCK_BREAKERS: ReadonlySet<string> = new Set(STATEMENT_KEYWORDS.filter((k) => !BLOCK_FIELD_KEYWORDS.has(k)));

/** The transaction options that take a number, and the statement member each sets (`addr` is
 *  another name of `iova`): the general path and the fast path (parse/fastTxn.ts) read them here. */
export const TX_NUMBER_OPTIONS: ReadonlyMap<string, 'sid' | 'ssid' | 'iova' | 'len'> = new Map([['sid', 'sid'], ['ssid', 'ssid'], ['iova', 'iova'], ['addr', 'iova'], ['len', 'len']]);

/** The transaction options that give its direction (a transaction is one of them). */
export const TX_ACCESS_OPTIONS: readonly string[] = ['read', 'write'];

/** Options of `dma` / `ats` / `pri` lines. Flags take no value. `translated` (dma: through the
 *  function's ATC), `prgi` and `last` (pri: Page Request Group Index, last request of the group). */
export const TRANSACTION_OPTIONS: readonly string[] = [...TX_NUMBER_OPTIONS.keys(), ...TX_ACCESS_OPTIONS, 'priv', 'exec', 'translated', 'prgi', 'last'];

/** Operations of a `cpu` line (a PE's broadcast maintenance; the instructions are model/cpu/tlbi.ts). */
export const CPU_OPS = ['tlbi'] as const;

/** Options of a `cpu tlbi` line: the operand by name (`asid`, `va`) or as the register (`xt`), the
 *  PE's current VMID, and `vhe` (executed by a VHE host: HCR_EL2.E2H == 1, and TGE == 1 for the EL1 forms). */
export const CPU_TLBI_OPTIONS = ['asid', 'va', 'xt', 'vmid', 'vhe'] as const;

/** What an `expect` can check. */
export const EXPECT_KINDS = ['pa', 'fault', 'event', 'tlb', 'hazard', 'outcome', 'mem', 'rejected'] as const;

/** Field names that may follow an expectation's value (`expect fault F_TRANSLATION stage 2 class TT`). */
export const EXPECT_FIELDS = ['stage', 'class', 'addr', 'iova', 'ipa', 'level', 'sid', 'ssid', 'rnw', 'inst', 'priv', 'ind', 'pnu', 's2', 'reason', 'count'] as const;

/** Words that are flags in an inline option list: they never take the next token as a value.
 *  Any other option name takes exactly one value (`asid 5`, `cs sev`, `class TT`). A spec field
 *  that is a 1-bit flag but not listed here is written with a value (`ssec 1`). */
export const FLAG_WORDS: ReadonlySet<string> = new Set([
  'leaf',
  'translated',
  'last',
  'priv',
  'unpriv',
  'exec',
  'read',
  'write',
  'ssv',
  'ssec',
  'nsec',
  'ns',
  'inst',
  'data',
  'linear',
  '2level',
  '2lvl',
  's1',
  's2',
  'stage1',
  'stage2',
  'nested',
  'ng',
  'global',
  'device',
  'normal',
  'xn',
  'pxn',
  'uxn',
  'af0',
  'noaf',
  'dbm',
  'contig',
  'contiguous',
  'user',
  'block',
  'page',
  'table',
  'enable',
  'disable',
  'vhe',
]);

/** Permission words of a mapping (`map ... -> PA rw`). */
export function isPermsWord(lower: string): boolean {
  if (lower === 'ro' || lower === 'none' || lower === 'wo') return true;
  if (lower.length === 0 || lower.length > 3) return false;
  for (const ch of lower) if (ch !== 'r' && ch !== 'w' && ch !== 'x') return false;
  return new Set(lower).size === lower.length;
}

/** How a VMM backs a `vsmmu` (`vsmmu NAME VIOMMU... mode shadow`): hardware nesting or a shadowing VMM. */
export const VSMMU_MODES = ['nested', 'shadow'] as const;

/** Every fixed word, for completion and the TextMate grammar. */
export const KEYWORDS: readonly string[] = [
  ...STATEMENT_KEYWORDS,
  'raw',
  'no',
  ...TRANSACTION_OPTIONS,
  ...CPU_OPS,
  ...CPU_TLBI_OPTIONS,
  ...EXPECT_KINDS,
  'level',
  'hit',
  'miss',
  'mode',
  ...VSMMU_MODES,
].filter((w, i, a) => a.indexOf(w) === i);

const STATEMENT_SET: ReadonlySet<string> = new Set(STATEMENT_KEYWORDS);

export function isStatementKeyword(lower: string): lower is StatementKeyword {
  return STATEMENT_SET.has(lower);
}

/** One operand of an `iommufd` line: a name it declares or refers to, a number, or a flag word. */
export type IommufdOperand =
  | { kind: 'decl' | 'ref'; of: 'ioas' | 'hwpt' | 'viommu' | 'smmu'; what: string }
  | { kind: 'num'; what: string; repeat?: true }
  | { kind: 'flag'; word: string; optional: true; takesName?: 'smmu' };

const decl = (of: 'ioas' | 'hwpt' | 'viommu', what: string): IommufdOperand => ({ kind: 'decl', of, what });
const ref = (of: 'ioas' | 'hwpt' | 'viommu' | 'smmu', what: string): IommufdOperand => ({ kind: 'ref', of, what });
const num = (what: string, repeat?: true): IommufdOperand => (repeat ? { kind: 'num', what, repeat } : { kind: 'num', what });

/**
 * The `iommufd` interchange lines (one per iommufd ioctl, include/uapi/linux/iommufd.h) and their
 * operands in order. `ro` marks a read-only IOAS mapping; `skip SMMU` (this tool's own) leaves an
 * SMMU out of the invalidations an unmap issues, to show what a missing one does.
 */
export const IOMMUFD_OPS: Readonly<Record<string, readonly IommufdOperand[]>> = {
  ioas: [decl('ioas', 'an IOAS name')],
  ioas_map: [ref('ioas', 'an IOAS'), num('an IOVA'), num('a length'), num('a physical address'), { kind: 'flag', word: 'ro', optional: true }],
  ioas_unmap: [ref('ioas', 'an IOAS'), num('an IOVA'), num('a length'), { kind: 'flag', word: 'skip', optional: true, takesName: 'smmu' }],
  hwpt_parent: [decl('hwpt', 'an HWPT name'), ref('ioas', 'an IOAS'), ref('smmu', 'an SMMU')],
  viommu: [decl('viommu', 'a vIOMMU name'), ref('smmu', 'an SMMU'), ref('hwpt', 'a nesting-parent HWPT')],
  vdevice: [ref('viommu', 'a vIOMMU'), num('a virtual StreamID'), num('a physical StreamID')],
  hwpt_nested: [decl('hwpt', 'an HWPT name'), ref('viommu', 'a vIOMMU'), num('STE dword 0'), num('STE dword 1')],
  attach: [ref('smmu', 'an SMMU'), num('a StreamID'), ref('hwpt', 'an HWPT')],
  invalidate: [ref('viommu', 'a vIOMMU'), num('command dwords', true)],
  veventq: [ref('viommu', 'a vIOMMU'), num('a queue depth')],
  hw_queue: [ref('viommu', 'a vIOMMU'), num('a queue index'), num('an IPA'), num('a LOG2SIZE')],
};
