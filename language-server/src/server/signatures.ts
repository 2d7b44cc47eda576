// Statement signatures for signature help: each statement keyword's forms, their parameters in
// order and a one-line meaning of each in spec terms. Defined once, as data; the words and their
// meanings come from the vocabulary completion and hover use (keywords.ts, vocabulary.ts, the
// model's field tables for a command's or register's fields). `activeParameter` (signatureHelp.ts)
// finds where the cursor stands.
import { CPU_TLBI_OPTIONS, EXPECT_KINDS, IOMMUFD_OPS, VSMMU_MODES, type IommufdOperand } from '../dsl/keywords';
import { CPU_TLBI_OPTION_DOCS, EXPECT_FIELD_DOCS, GRANULES, MAP_ATTRS, PAGETABLE_OPTIONS, PERMS, STATEMENT_DOCS, VSMMU_MODE_WORD, type WordInfo } from '../dsl/vocabulary';
import { commandByName, registerByName, type StructDef } from '../model/fields';

/** One parameter of a statement form. */
export interface SigParam {
  /** As the signature shows it: `SID`, `sid N`, `read|write`, `{ fields }`. */
  label: string;
  /** What it is, in spec terms (one line). */
  doc: string;
  /** The words that introduce it (`sid`) or are it (`read`, `write`); absent: positional. */
  words?: readonly string[];
  /** A value follows its word (`sid N`). */
  value?: true;
  /** A word parameter that has its turn among the positional ones (`read|write` after [SMMU]);
   *  other word parameters may come anywhere and are shown only once the positional ones are written. */
  inTurn?: true;
  /** A positional parameter that may be left out: taken only by a word it accepts. */
  optional?: (word: string) => boolean;
  /** May repeat (raw dwords, command fields): stays active once reached. */
  repeat?: true;
  /** The `{ ... }` block of the statement (active inside it). */
  block?: true;
  /** Taken by `raw` and the dwords after it (selects the raw form). */
  raw?: true;
}

export interface StatementSignature {
  keyword: string;
  label: string;
  doc: string;
  params: readonly SigParam[];
}

const isNumber = (w: string) => /^[+0-9]/.test(w);
const notNumber = (w: string) => !isNumber(w) && !/^raw$/i.test(w);
const pos = (label: string, doc: string, extra: Partial<SigParam> = {}): SigParam => ({ label, doc, ...extra });
const opt = (word: string, label: string, doc: string): SigParam => ({ label: `${word} ${label}`, doc, words: [word], value: true });
const flag = (words: readonly string[], doc: string): SigParam => ({ label: words.join('|'), doc, words });
const choice = (words: readonly string[], doc: string): SigParam => ({ ...flag(words, doc), inTurn: true });
const fromTable = (table: Readonly<Record<string, WordInfo>>, value: boolean): SigParam[] =>
  Object.entries(table).map(([w, i]) => (value ? opt(w, 'N', i.doc) : flag([w], i.doc)));
const block = (label: string, doc: string): SigParam => ({ label, doc, block: true });
const raw = (n: number, what: string): SigParam => ({ label: `raw D0${n > 2 ? ' … ' : ' '}D${n - 1}`, doc: `${what}: ${n} dwords as the SMMU reads them from memory`, raw: true, repeat: true });
const smmuRef = pos('[SMMU]', 'The SMMU instance (default: the only one declared).', { optional: notNumber });

/** The statement's meaning without the example form its doc quotes (`: \`dma [SMMU] …\``): the
 *  signature's label is the form, and a second, shorter one under it contradicted it. */
const meaning = (keyword: string): string => (STATEMENT_DOCS[keyword] ?? '').replace(/: `[^`]*`/, '');

function sig(keyword: string, params: readonly SigParam[], doc = meaning(keyword)): StatementSignature {
  return { keyword, label: [keyword, ...params.map((p) => p.label)].join(' '), doc, params };
}

const write = (width: number) => sig(`write${width}`, [pos('ADDR', 'Physical address written (naturally aligned).'), pos('VALUE', `The ${width}-bit value, little-endian in memory.`)]);

const transaction = (kw: 'dma' | 'ats' | 'pri'): StatementSignature => {
  const ps: SigParam[] = [smmuRef];
  if (kw === 'dma') ps.push(choice(['read', 'write'], 'The access: read or write (the event record\'s RnW).'));
  ps.push(opt('sid', 'N', 'StreamID of the client device: selects its STE in the stream table.'));
  ps.push(opt('ssid', 'N', 'SubstreamID (PASID): selects the CD in STE.S1ContextPtr\'s table.'));
  ps.push(opt('iova', 'ADDR', 'Input address of the transaction (VA at stage 1, IPA at stage 2 only).'));
  if (kw !== 'pri') ps.push(opt('len', 'N', 'Bytes accessed (default: one).'));
  ps.push(flag(['priv'], 'Privileged access (PnU = 1); default unprivileged.'), flag(['exec'], 'Instruction fetch (InD = 1).'));
  if (kw === 'dma') ps.push(flag(['translated'], 'A translated transaction through the function\'s ATC (a miss sends an ATS Translation Request first).'));
  if (kw === 'pri') ps.push(opt('prgi', 'N', 'Page Request Group Index of the request.'), flag(['last'], 'The last request of its Page Request Group.'));
  return sig(kw, ps);
};

const iommufdOperand = (o: IommufdOperand): SigParam =>
  o.kind === 'flag' ? { label: `[${o.word}${o.takesName ? ' SMMU' : ''}]`, doc: o.word === 'ro' ? 'A read-only mapping (IOMMU_IOAS_MAP without IOMMU_IOAS_MAP_WRITEABLE).' : 'Leave this SMMU out of the invalidations (to show what a missing one does).', words: [o.word], ...(o.takesName ? { value: true as const } : {}) }
  : o.kind === 'num' ? pos(o.what.replace(/^an? /, '').toUpperCase().replace(/ /g, '_') + (o.repeat ? '…' : ''), `${o.what[0].toUpperCase()}${o.what.slice(1)}.`, o.repeat ? { repeat: true } : {})
  : pos(o.what.replace(/^an? /, '').toUpperCase().replace(/ /g, '_'), `${o.what[0].toUpperCase()}${o.what.slice(1)} (${o.kind === 'decl' ? 'declared here' : 'declared before'}).`);

/** IOMMU_* ioctl of each `iommufd` line (include/uapi/linux/iommufd.h). */
const IOCTLS: Readonly<Record<string, string>> = {
  ioas: 'IOMMU_IOAS_ALLOC', ioas_map: 'IOMMU_IOAS_MAP', ioas_unmap: 'IOMMU_IOAS_UNMAP', hwpt_parent: 'IOMMU_HWPT_ALLOC (IOMMU_HWPT_ALLOC_NEST_PARENT)',
  viommu: 'IOMMU_VIOMMU_ALLOC', vdevice: 'IOMMU_VDEVICE_ALLOC', hwpt_nested: 'IOMMU_HWPT_ALLOC (nested, IOMMU_HWPT_DATA_ARM_SMMUV3)', attach: 'attaching the device to an HWPT',
  invalidate: 'IOMMU_HWPT_INVALIDATE on the vIOMMU (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)', veventq: 'IOMMU_VEVENTQ_ALLOC', hw_queue: 'IOMMU_HW_QUEUE_ALLOC',
};

function iommufd(op: string | undefined): StatementSignature {
  const operands = op ? IOMMUFD_OPS[op] : undefined;
  const opParam = pos(op && operands ? op : 'OP', `The iommufd call: ${Object.keys(IOMMUFD_OPS).join(', ')}.`);
  if (!op || !operands) return sig('iommufd', [opParam, pos('OPERANDS…', 'Its operands, as the call takes them.', { repeat: true })]);
  return sig('iommufd', [opParam, ...operands.map(iommufdOperand)], `${meaning('iommufd')} This one: ${IOCTLS[op] ?? op}.`);
}

/** A command's or register's fields by spec name (the model's field tables). */
const fieldParams = (def: StructDef): SigParam[] =>
  def.fields.filter((f) => !f.reserved && f.name !== 'Opcode').map((f) => opt(f.name, 'N', `${def.name}.${f.name}: ${f.summary} (${f.spec})`));

function cmd(words: readonly string[]): StatementSignature[] {
  const name = words.find((w) => /^CMD_/i.test(w));
  const def = name ? commandByName(name.toUpperCase()) : undefined;
  const opcode = pos(def ? def.name : 'CMD_NAME', def ? `${def.summary ?? def.name} (${def.spec})` : 'The command by its spec name (CMD_CFGI_STE, CMD_TLBI_NH_VA, CMD_SYNC…): its opcode.');
  const smmu = { ...smmuRef, optional: (w: string) => notNumber(w) && !/^CMD_/i.test(w) };
  return [
    sig('cmd', [smmu, opcode, ...(def ? fieldParams(def) : [pos('[FIELD VALUE …]', 'The command\'s fields by spec name (IHI 0070 §4).', { repeat: true })])]),
    sig('cmd', [smmu, raw(2, 'The command')]),
  ];
}

function reg(words: readonly string[]): StatementSignature[] {
  const name = words.find((w) => /^SMMU_/i.test(w.replace(/^[^.]*\./, '')))?.replace(/^[^.]*\./, '');
  const def = name ? registerByName(name.toUpperCase()) : undefined;
  const register = pos(def ? `[SMMU.]${def.name}` : '[SMMU.]REGISTER', def ? `${def.summary ?? def.name} (offset 0x${def.offset.toString(16)}, ${def.spec})` : 'The SMMU register by its spec name (SMMU_CR0, SMMU_STRTAB_BASE…), optionally after its SMMU.');
  return [
    sig('reg', [register, pos('VALUE', 'The register\'s new value, written whole.')]),
    sig('reg', [register, ...(def ? fieldParams(def) : [pos('FIELD VALUE …', 'Fields of the register by spec name; the others keep their value.', { repeat: true })])]),
  ];
}

const NAME = (what: string) => pos('NAME', `The ${what}'s name (referred to by later statements).`);

/** The signatures of a statement keyword (case-insensitive); `words` are the statement's words so
 *  far (for the command, register or iommufd call named). Empty for an unknown keyword. */
export function statementSignatures(keyword: string, words: readonly string[] = []): StatementSignature[] {
  const k = keyword.toLowerCase();
  switch (k) {
    case 'include':
      return [sig(k, [pos('"FILE"', 'The scenario file to include, relative to this one (its declarations and steps come first).')])];
    case 'smmu':
      return [sig(k, [NAME('SMMU instance'), block('[{ features }]', 'Features as the SMMU_IDR* registers advertise them: stages, oas, asidbits, granules, httu…')])];
    case 'pagetable':
      return [sig(k, [NAME('page table'), choice(['s1', 's2'], 'Stage: s1 (a CD\'s CD.TTB0, VA → IPA/PA) or s2 (STE.S2TTB, IPA → PA).'),
        choice(Object.keys(GRANULES), 'Translation granule (CD.TG0 / STE.S2TG).'), ...fromTable(PAGETABLE_OPTIONS, true),
        block('[{ map IOVA +SIZE -> PA PERMS }]', 'Its mappings; the tool builds the descriptors (DDI 0487 D8.3).')])];
    case 'cdtable':
      return [sig(k, [NAME('CD table'), choice(['linear', '2level'], 'Format of the table (STE.S1Fmt).'), block('{ ssid N CD }', 'A CD per SubstreamID (the table\'s entry STE.S1CDMax bounds).')])];
    case 'cd':
      return [sig(k, [NAME('Context Descriptor'), block('{ fields }', 'CD fields by spec name (CD.T0SZ, CD.TG0, CD.ASID…) or `pagetable TABLE`, `asid N`.')]),
        sig(k, [NAME('Context Descriptor'), raw(8, 'The CD (IHI 0070 §5.4)')])];
    case 'ste':
      return [sig(k, [smmuRef, pos('SID', 'StreamID: the STE\'s index in the stream table (SMMU_STRTAB_BASE).'), block('{ fields }', 'STE fields: config (STE.Config), cd (STE.S1ContextPtr), s2 (STE.S2TTB), vmid (STE.S2VMID), or any by spec name.')]),
        sig(k, [smmuRef, pos('SID', 'StreamID: the STE\'s index in the stream table (SMMU_STRTAB_BASE).'), raw(8, 'The STE (IHI 0070 §5.2)')])];
    case 'write64': case 'write32': case 'write16': case 'write8':
      return [write(Number(k.slice(5)))];
    case 'abort':
      return [sig(k, [pos('ADDR', 'Physical address whose reads by the SMMU get an external abort.'), pos('[SIZE]', 'Bytes from ADDR (default: one page).', { optional: isNumber })])];
    case 'reg':
      return reg(words);
    case 'cmd':
      return cmd(words);
    case 'cpu':
      return [sig(k, [choice(['tlbi'], 'A TLB maintenance instruction broadcast to the SMMUs (DDI 0487 C5.5).'), pos('INSTR', 'The TLBI operation: VAE1IS, VALE1IS, ASIDE1IS, VMALLE1IS, IPAS2E1IS…'),
        ...CPU_TLBI_OPTIONS.map((o) => (o === 'vhe' ? flag([o], CPU_TLBI_OPTION_DOCS[o].doc) : opt(o, o === 'va' ? 'ADDR' : 'N', CPU_TLBI_OPTION_DOCS[o].doc)))])];
    case 'dma': case 'ats': case 'pri':
      return [transaction(k)];
    case 'map':
      return [sig(k, [pos('TABLE', 'The page table (declared with `pagetable`).'), pos('IOVA', 'Input address of the mapping (granule-aligned).'), pos('+SIZE', 'Bytes mapped: the tool uses the largest blocks the alignment allows.'),
        pos('->', 'Maps to:'), pos('PA', 'Output address.'), choice(Object.keys(PERMS), 'Permissions (AP / S2AP and XN); default rw.'),
        ...Object.entries(MAP_ATTRS).map(([w, i]) => (w === 'attrindx' || w === 'memattr' || w === 'sh' || w === 'pgsize' ? opt(w, 'N', i.doc) : flag([w], i.doc)))])];
    case 'unmap':
      return [sig(k, [pos('TABLE', 'The page table.'), pos('IOVA', 'Input address of the first page unmapped.'), pos('+SIZE', 'Bytes unmapped (blocks across the edge are split).')])];
    case 'pte':
      return [sig(k, [pos('TABLE', 'The page table.'), pos('IOVA', 'Input address whose descriptor is written.'), opt('level', 'N', 'Walk level of the descriptor (default 3).'), pos('VALUE', 'The 64-bit descriptor (DDI 0487 D8.3).')])];
    case 'expect':
      return [sig(k, [flag(['no'], 'Negates the check.'), choice(EXPECT_KINDS, 'What the preceding transaction must show: pa, fault, event, tlb, hazard, outcome, mem, rejected.'),
        pos('[VALUE]', 'The expected value (a PA, F_TRANSLATION, C_BAD_STE, ok|fault|stalled…).', { optional: (w) => !Object.hasOwn(EXPECT_FIELD_DOCS, w.toLowerCase()) }),
        ...fromTable(EXPECT_FIELD_DOCS, true)])];
    case 'iommufd': {
      const op = words.find((w) => Object.hasOwn(IOMMUFD_OPS, w.toLowerCase()));
      return [iommufd(op?.toLowerCase())];
    }
    case 'vsmmu':
      return [sig(k, [NAME('virtual SMMU'), pos('VIOMMU…', 'The vIOMMUs (IOMMU_VIOMMU_ALLOC) the guest\'s vSMMU is built on.', { repeat: true, optional: (w) => w.toLowerCase() !== 'mode' }),
        { label: `[mode ${VSMMU_MODES.join('|')}]`, doc: VSMMU_MODE_WORD.doc, words: ['mode'], value: true }])];
    default:
      return [];
  }
}
