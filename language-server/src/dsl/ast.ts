// Syntax tree of the `.smmu` scenario language (see docs/language.md).
//
// Every node carries `start`/`end`: UTF-16 offsets into the source text (end exclusive), which
// is what LSP's `character` counts. Convert with `positionAt(tree, offset)` / `rangeOf(tree, node)`.
// Parts a statement needs may be missing after a syntax error, so they are optional; a statement
// with a syntax error inside it has `incomplete: true` (and a diagnostic explains why).

export interface Span {
  start: number;
  end: number;
}

/** An identifier in field, value or option position: a spec field name, an enum value, a flag,
 *  or a name that may refer to a declaration (resolve with `resolveWord`). */
export interface Word extends Span {
  kind: 'word';
  text: string;
  /** `text` lower-cased: field names and keywords are case-insensitive. */
  lower: string;
}

/** A fixed word of the language (statement keyword, `raw`, `expect`, `no`, `->`...). */
export interface Keyword extends Span {
  kind: 'keyword';
  text: string;
}

/** What kind of thing a name declares / refers to. */
export type DeclKind = 'smmu' | 'pagetable' | 'cd' | 'cdtable' | 'ioas' | 'hwpt' | 'viommu' | 'vsmmu';

/** The defining occurrence of a name (`smmu smmu0`, `pagetable nic`, `cd nic_cd`). */
export interface NameDecl extends Span {
  kind: 'nameDecl';
  name: string;
  declares: DeclKind;
}

/** A name in a position where only a reference can stand (`ste smmu0 ...`, `map nic ...`). */
export interface NameRef extends Span {
  kind: 'nameRef';
  name: string;
  refers: DeclKind;
}

export interface NumberLit extends Span {
  kind: 'number';
  /** Exact value (a size suffix is applied: `2M` is 0x200000). May exceed 2^64-1 only when an
   *  `number-overflow` diagnostic was reported for it. */
  value: bigint;
  /** Source text, including a leading `+` when written. */
  text: string;
  /** Written as a size: with a `+` prefix or a K/M/G/T/P/E suffix. */
  size: boolean;
}

export interface StringLit extends Span {
  kind: 'string';
  /** Contents with escapes (`\"`, `\\`) resolved. */
  value: string;
}

export type Value = NumberLit | Word | StringLit | Block;

/** `name value*` in a block (one per line or `;`), or `name [value]` in an inline option list.
 *  A field written with no value means "set" (1 / enabled). */
export interface Field extends Span {
  kind: 'field';
  name: Word;
  values: Value[];
}

/** `{ item; item \n item }`. */
export interface Block extends Span {
  kind: 'block';
  items: BlockItem[];
  /** false when the closing `}` is missing. */
  closed: boolean;
}

export type BlockItem = Field | Mapping;

/** `map IOVA SIZE -> PA [perms] [attrs]`, in a pagetable body or as a `map TABLE ...` step. */
export interface Mapping extends Span {
  kind: 'mapping';
  /** The `map` keyword in a pagetable body; absent in a `map TABLE` step (the statement has it). */
  keyword?: Keyword;
  iova?: NumberLit;
  size?: NumberLit;
  arrow?: Keyword;
  pa?: NumberLit;
  /** `r`, `w`, `x` combinations, `ro`, `rw`, `rwx`, `none`. */
  perms?: Word;
  attrs: Field[];
}

/** `raw d0 d1 ...`: descriptor dwords pasted from a dump. */
export interface RawData extends Span {
  kind: 'raw';
  keyword: Keyword;
  dwords: NumberLit[];
}

/** `expect WHAT [value...] [field value...]`, `expect no hazard`. */
export interface Expectation extends Span {
  kind: 'expectation';
  keyword: Keyword;
  /** The `no` of `expect no hazard`. */
  negated?: Keyword;
  /** pa | fault | event | tlb | hazard | outcome | mem | rejected (see EXPECT_KINDS). */
  what?: Word;
  values: Value[];
  fields: Field[];
}

interface StatementBase extends Span {
  keyword: Keyword;
  incomplete: boolean;
}

export interface IncludeStmt extends StatementBase {
  kind: 'include';
  path?: StringLit;
}

/** `smmu NAME [options] [{ features }]`. */
export interface SmmuDecl extends StatementBase {
  kind: 'smmu';
  name?: NameDecl;
  options: Field[];
  body?: Block;
}

/** `pagetable NAME [:] [s1|s2] [granule] [options] [{ map ...; field ... }]`. */
export interface PagetableDecl extends StatementBase {
  kind: 'pagetable';
  name?: NameDecl;
  stage?: Word;
  granule?: NumberLit;
  options: Field[];
  body?: Block;
}

/** `cd NAME [options] { fields }` or `cd NAME raw d0..d7`. */
export interface CdDecl extends StatementBase {
  kind: 'cd';
  name?: NameDecl;
  options: Field[];
  body?: Block;
  raw?: RawData;
}

/** `cdtable NAME [:] [linear|2level] [options] { ssid N CD_NAME; ... }`. */
export interface CdTableDecl extends StatementBase {
  kind: 'cdtable';
  name?: NameDecl;
  options: Field[];
  body?: Block;
}

/** `ste [SMMU] SID { fields }` or `ste [SMMU] SID raw d0..d7`. */
export interface SteDecl extends StatementBase {
  kind: 'ste';
  smmu?: NameRef;
  sid?: NumberLit;
  body?: Block;
  raw?: RawData;
}

/** `write64 ADDR VALUE` (also write8/16/32). */
export interface WriteStmt extends StatementBase {
  kind: 'write';
  width: 8 | 16 | 32 | 64;
  addr?: NumberLit;
  value?: NumberLit;
}

/** `iommufd OP OPERANDS...`: one iommufd call (operands as `IOMMUFD_OPS` lists them). */
export interface IommufdStmt extends StatementBase {
  kind: 'iommufd';
  op?: Word;
  operands: Array<NameDecl | NameRef | NumberLit | Word>;
}

/** `vsmmu NAME VIOMMU [VIOMMU...] [mode nested|shadow]`: a guest's virtual SMMU over vIOMMUs. */
export interface VsmmuStmt extends StatementBase {
  kind: 'vsmmu';
  name?: NameDecl;
  viommus: NameRef[];
  /** The `mode` word, when written. */
  modeKeyword?: Word;
  /** The value after `mode` (one of VSMMU_MODES); absent: hardware nesting. */
  mode?: Word;
}

/** `abort ADDR [SIZE]`: SMMU accesses to the range get an external abort. */
export interface AbortStmt extends StatementBase {
  kind: 'abort';
  addr?: NumberLit;
  size?: NumberLit;
}

/** `reg [SMMU.]REGISTER VALUE` or `reg [SMMU.]REGISTER field value...`. */
export interface RegStmt extends StatementBase {
  kind: 'reg';
  smmu?: NameRef;
  /** As written (`SMMU_CR0` or `CR0`). */
  register?: Word;
  value?: NumberLit;
  fields: Field[];
}

/** `cmd [SMMU] raw d0 d1` or `cmd [SMMU] CMD_NAME [field value...] [{ fields }]`. */
export interface CmdStmt extends StatementBase {
  kind: 'cmd';
  smmu?: NameRef;
  opcode?: Word;
  fields: Field[];
  body?: Block;
  raw?: RawData;
}

/** `cpu tlbi INSTR [asid N] [va A] [vmid N] [vhe]` or `cpu tlbi INSTR xt X [vmid N] [vhe]`: a PE's
 *  broadcast TLB invalidation (DDI 0487 C5.5, TLBI VAE1IS, ASIDE1IS, ...). The engine checks the
 *  instruction and its operands. */
export interface CpuStmt extends StatementBase {
  kind: 'cpu';
  /** `tlbi`. */
  op?: Word;
  /** The instruction (`vae1is`, `VALE1IS`, ...). */
  instr?: Word;
  fields: Field[];
}

/** `dma [SMMU] read|write sid N [ssid N] iova A [len N] [priv] [exec] [translated] [expect ...]*`;
 *  `ats ...` is the same shape (an ATS Translation Request), and so is `pri ... prgi N [last]` (a PRI
 *  Page Request). */
export interface TransactionStmt extends StatementBase {
  kind: 'dma' | 'ats' | 'pri';
  smmu?: NameRef;
  /** All options as written, in order (sid, ssid, iova, len, read, write, priv, exec...). */
  options: Field[];
  /** The `read` / `write` option, when given. */
  access?: Word;
  sid?: NumberLit;
  ssid?: NumberLit;
  iova?: NumberLit;
  len?: NumberLit;
  priv: boolean;
  exec: boolean;
  /** `translated` (dma): a translated transaction through the function's ATC. */
  translated?: boolean;
  /** `prgi N` (pri). */
  prgi?: NumberLit;
  /** `last` (pri): the last request of its Page Request Group. */
  last?: boolean;
  expects: Expectation[];
}

/** `map TABLE IOVA SIZE -> PA [perms] [attrs]` as a step (writes descriptors now). */
export interface MapStmt extends StatementBase {
  kind: 'map';
  table?: NameRef;
  mapping: Mapping;
}

/** `unmap TABLE IOVA [SIZE]`. */
export interface UnmapStmt extends StatementBase {
  kind: 'unmap';
  table?: NameRef;
  iova?: NumberLit;
  size?: NumberLit;
}

/** `pte TABLE IOVA [level N] VALUE` or `pte TABLE IOVA [level N] field value...`. */
export interface PteStmt extends StatementBase {
  kind: 'pte';
  table?: NameRef;
  iova?: NumberLit;
  value?: NumberLit;
  fields: Field[];
}

/** A standalone `expect ...` line: applies to the preceding transaction / state. */
export interface ExpectStmt extends StatementBase {
  kind: 'expect';
  expectation: Expectation;
}

/** A line that could not be read as any statement (a diagnostic says why). */
export interface ErrorStmt extends Span {
  kind: 'error';
  /** A misspelt statement keyword: the keywords it is close to, and the word after it (the name a
   *  misspelt declaration would have declared: references to it are not reported again). */
  typo?: { suggestions: string[]; name?: string };
}

export type Statement =
  | IncludeStmt
  | SmmuDecl
  | PagetableDecl
  | CdDecl
  | CdTableDecl
  | SteDecl
  | WriteStmt
  | IommufdStmt
  | VsmmuStmt
  | AbortStmt
  | RegStmt
  | CmdStmt
  | CpuStmt
  | TransactionStmt
  | MapStmt
  | UnmapStmt
  | PteStmt
  | ExpectStmt
  | ErrorStmt;

export interface Script extends Span {
  kind: 'script';
  uri?: string;
  statements: Statement[];
  /** Comment spans (`#` or `//` to end of line), in order. */
  comments: Span[];
  /** Offsets where each line starts (line 0 starts at 0); `\n`, `\r\n` and `\r` end lines. */
  lineStarts: number[];
}

export type Node =
  | Script
  | Statement
  | Word
  | Keyword
  | NameDecl
  | NameRef
  | NumberLit
  | StringLit
  | Field
  | Block
  | Mapping
  | RawData
  | Expectation;

/** Nodes that are single tokens. */
export type Leaf = Word | Keyword | NameDecl | NameRef | NumberLit | StringLit;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** LSP DiagnosticSeverity values. */
export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface Diagnostic extends Span {
  range: Range;
  message: string;
  /** Stable code, one of DIAG (diagnostics.ts). */
  code: string;
  severity: Severity;
  source: 'smmu';
}

export interface ParseResult {
  tree: Script;
  diagnostics: Diagnostic[];
}
