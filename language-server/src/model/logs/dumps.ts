// STE and CD dumps: a header line naming the structure, then its 8 dwords (64 bytes) on the same
// line or the lines below, as debugfs patches, crash (`rd`, `p *(struct arm_smmu_ste *)ADDR`) and
// drgn sessions print them:
//   STE 0x10 @ 0x40001000:            CD sid 0x10 ssid 0x1: 0x... 0x...
//   ste[16]: 0x4003000b 0xd4 ...      crash> p *(struct arm_smmu_cd *)0xffff...   data = {0x..., ...}
//   ffff000012340000:  000000004003000b 00000000000000d4   ........
// The words go through model/fields/dump's parseWords (0x tokens, bare 16-digit words, or 8-digit
// 32-bit words low half first). Words without such a header are listed as not recognised: eight
// dwords alone do not say whether they are an STE or a CD.

import { parseWords } from '../fields/dump';
import { explainCd, explainSte } from './explain';
import { kernelLine, logNumber, notRecognised, record, type LineReader } from './lines';

const HEADER = /^(?:\S*>\s*)?(?:(?:p|print)\s+)?\*?\(?(?:struct\s+)?(arm_smmu_ste|arm_smmu_cd|STE|CD)((?:[\s[:#(*=@{)]).*|)$/i;
const SID = /\b(?:sid|streamid|ste)\s*[=:#[]?\s*(0x[0-9a-fA-F]+|\d+)/i;
const SSID = /\b(?:ssid|substreamid|pasid)\s*[=:#[]?\s*(0x[0-9a-fA-F]+|\d+)/i;
const ADDR = /(?:@|\bat\b|\baddr(?:ess)?\s*[=:]?|\*\s*\))\s*(0x[0-9a-fA-F]+)/i;
/** crash `rd -64`: `ADDR:  WORD WORD  ascii`. */
const RD = /^[0-9a-fA-F]{8,16}:\s+((?:[0-9a-fA-F]{8,16}(?:\s+|$))+)/;
/** Structure punctuation lines (`$1 = {`, `}`) inside a dump. */
const PUNCT = /^(?:\$\d+\s*=\s*)?[{}]?\s*,?\s*$/;
/** A line of hex words only, once `data =` names and `(__le64 [8])` casts are taken out. */
const WORDS = /^[\s,{}()[\];]*(?:(?:0x)?[0-9a-fA-F]+[\s,{}()[\];]*)+$/;

function body(line: string): string {
  return kernelLine(line)?.body ?? line.trim();
}

/** The words part of a dump line, or undefined when the line is not part of a dump. */
function wordsOf(text: string): string | undefined {
  const rd = RD.exec(text);
  if (rd) return rd[1];
  const t = text.replace(/\([\w\s]+\[\d+\]\)/g, ' ').replace(/\.?\b[A-Za-z_]\w*\s*=\s*/g, ' ');
  return WORDS.test(t) ? t : undefined;
}

/** Reads one STE or CD dump starting at line `i`. */
export const readDump: LineReader = (lines, i, out) => {
  const h = HEADER.exec(body(lines[i]));
  if (!h) return 0;
  const isSte = /ste$/i.test(h[1]);
  const what = isSte ? 'STE' : 'CD';
  const rest = h[2];
  const sid = SID.exec(h[1] + rest);
  const ssid = SSID.exec(rest);
  const addr = ADDR.exec(rest);
  // Words on the header line itself: after its first ': ' or '{' (the header's own numbers come before).
  const colon = rest.search(/:\s|\{/);
  const texts: string[] = [];
  if (colon >= 0) {
    const w = wordsOf(rest.slice(colon + 1));
    if (w) texts.push(w);
  }
  let j = i + 1;
  for (; j < lines.length; j++) {
    const b = body(lines[j]);
    if (b === '' || HEADER.test(b)) break;
    if (PUNCT.test(b)) continue;
    const w = wordsOf(b);
    if (w === undefined) break;
    texts.push(w);
    if (parseWords(texts.join(' ')).dwords.length >= 8) { j++; break; }
  }
  // Closing braces of a `p` or drgn listing belong to the dump.
  while (j < lines.length && /^[}\s,]+$/.test(body(lines[j]))) j++;
  const words = texts.length ? parseWords(texts.join(' ')).dwords : [];
  if (words.length !== 8) {
    out.unrecognised.push(...notRecognised(lines, i, j - 1, words.length < 8
      ? `${what} header with ${words.length} of 8 dwords (truncated dump)` : `${what} header followed by ${words.length} dwords, not 8`));
    return j - i;
  }
  const e = isSte ? explainSte(words) : explainCd(words);
  const r = record({ line: i + 1, endLine: j, source: 'dump', kind: isSte ? 'ste' : 'cd', name: e.name, meaning: e.meaning, dwords: words, fields: e.fields, issues: e.issues });
  if (e.config) r.config = e.config;
  const k = kernelLine(lines[i]);
  if (k) r.device = k.device;
  if (sid) r.sid = Number(logNumber(sid[1]) ?? 0n);
  if (ssid) r.ssid = Number(logNumber(ssid[1]) ?? 0n);
  if (addr) r.address = BigInt(addr[1]);
  out.records.push(r);
  return j - i;
};
