// Sparse 64-bit physical memory shared by every SMMU instance of a scenario.
// Storage is allocated in 4 KiB frames on first write; unwritten memory reads as zero.
// Huge address spaces therefore cost only what is written.
// All multi-byte accesses are little-endian (IHI 0070 §3.16: structures in memory are little-endian
// unless SMMU_CR0/STE endianness says otherwise; the model supports little-endian only).

import { MASK64 } from './bits';
import { SNAPSHOT, cowCopied, type Copier } from './snapshot';

/**
 * Physical addresses are below 2^52, the largest SMMU_IDR5.OAS (IHI 0070 §6.3 SMMU_IDR5; DDI 0487 FEAT_LPA):
 * the one PA limit. The walks' number path relies on it (every PA/IPA exact in a double).
 */
export const PA_LIMIT = 1n << 52n;
/** PA_LIMIT as a number, for the hot path. */
export const PA_LIMIT_N = 2 ** 52;

const FRAME_SHIFT = 12n;
const FRAME_SIZE = 4096;
const OFFSET_MASK = 0xfffn;

export interface MemoryWrite {
  addr: bigint;
  size: number;
}

/** Told after every write: the hazard tracker observes writes through it (an object, so a snapshot
 *  of the memory and its observer stay connected). */
export interface WriteObserver {
  memoryWritten(addr: bigint, size: number): void;
  /** Whether a write of the word at `addr` matters to it (absent: every write does). */
  wants?(addr: bigint): boolean;
}

/** Told of every access while set (PhysicalMemory.watch): the engine's record of which step first
 *  read or wrote a declaration's words after it wrote them (engine/run/access.ts). Addresses are
 *  below PA_LIMIT, so a number holds them exactly. */
export interface AccessWatch {
  /** The 8 bytes at `addr` were read. */
  read(addr: number): void;
  /** Some word of frame `frame` (addr >> 12) was read (a reader that does not say which). */
  readFrame(frame: number): void;
  /** `size` bytes at `addr` were written. */
  write(addr: bigint, size: number): void;
}

export class PhysicalMemory {
  // Key: frame number (addr >> 12) as a number: at most 2^52, exact in a double.
  private frames = new Map<number, BigUint64Array>();
  private readonly observers: WriteObserver[] = [];
  /** Frames shared with a snapshot (copied before their first write: copy-on-write). */
  private shared?: Set<number>;
  /** Set by a run that records its accesses (a run an edit may resume): not state, not copied. */
  watch?: AccessWatch;

  /** Declared external-abort ranges [base, end) (sorted, merged): SMMU accesses there abort. */
  private abortRanges: Array<[number, number]> = [];
  /** True once a range is declared: the walks check fetch addresses only then. */
  hasAborts = false;

  /**
   * Declare that SMMU-originated accesses to [base, base + size) abort (access refused by the
   * interconnect or Completer, IHI 0070 §7.3.4 F_STE_FETCH, §7.3.10 F_CD_FETCH, §7.3.12 F_WALK_EABT).
   * The scenario's own writes and reads still reach the memory. Addresses are below 2^52.
   */
  addAbort(base: bigint, size: bigint): void {
    const b = Number(base);
    const e = Number(base + size);
    const all = [...this.abortRanges, [b, e] as [number, number]].sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const r of all) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.abortRanges = merged;
    this.hasAborts = merged.length > 0;
  }

  /** Whether an SMMU access to the `len` bytes at `pa` (a number below 2^53) aborts. */
  abortsAt(pa: number, len = 8): boolean {
    for (const [b, e] of this.abortRanges) if (pa < e && pa + len > b) return true;
    return false;
  }

  /** The declared abort ranges, as [base, size] (for state views). */
  aborts(): Array<[bigint, bigint]> {
    return this.abortRanges.map(([b, e]) => [BigInt(b), BigInt(e - b)]);
  }

  /** Number of frames holding data (for state reports and memory bounds). */
  get frameCount(): number {
    return this.frames.size;
  }

  onWrite(o: WriteObserver): void {
    this.observers.push(o);
  }

  /** Whether an observer looks at a write of `addr` (one without `wants` looks at every write). */
  observed(addr: bigint): boolean {
    for (const o of this.observers) if (!o.wants || o.wants(addr)) return true;
    return false;
  }

  /** Writes `value` at the 8-aligned `addr` as if it had been there: no observer nor watch is told
   *  (an edited declaration's words patched into a resumed run's copy, engine/run/declPatch.ts). */
  poke64(addr: bigint, value: bigint): void {
    this.frame(addr & MASK64, true)![Number(addr & OFFSET_MASK) >> 3] = value & MASK64;
  }

  /** The 64-bit word at `addr` without telling the watch. */
  peek64(addr: bigint): bigint {
    const w = this.watch;
    this.watch = undefined;
    const v = this.read64(addr);
    this.watch = w;
    return v;
  }

  private frame(addr: bigint, create: boolean): BigUint64Array | undefined {
    const key = Number(addr >> FRAME_SHIFT);
    let f = this.frames.get(key);
    if (!f && create) {
      f = new BigUint64Array(FRAME_SIZE / 8);
      this.frames.set(key, f);
    } else if (f && create && this.shared?.has(key)) {
      f = f.slice();
      cowCopied.n += 8;
      this.frames.set(key, f);
      this.shared.delete(key);
      this.words.delete(key);
    }
    return f;
  }

  /** A copy for a snapshot: the frames are shared by both until one of them writes (copy-on-write). */
  [SNAPSHOT](c: Copier): PhysicalMemory {
    const m = c.note(this, Object.create(PhysicalMemory.prototype) as PhysicalMemory);
    for (const k of Reflect.ownKeys(this) as Array<keyof this>) {
      if (k !== 'frames' && k !== 'shared' && k !== 'words' && k !== 'watch') (m as unknown as Record<PropertyKey, unknown>)[k as PropertyKey] = c.copy(this[k]);
    }
    const mm = m as unknown as { frames: Map<number, BigUint64Array>; shared: Set<number>; words: Map<number, Uint32Array> };
    m.watch = undefined;
    mm.frames = new Map(this.frames);
    mm.words = new Map();
    mm.shared = new Set(this.frames.keys());
    this.shared = new Set(this.frames.keys());
    return m;
  }

  read64(addr: bigint): bigint {
    addr &= MASK64;
    const off = Number(addr & OFFSET_MASK);
    if ((off & 7) === 0) {
      if (this.watch !== undefined) this.watch.read(Number(addr));
      const f = this.frames.get(Number(addr >> FRAME_SHIFT));
      return f ? f[off >> 3] : 0n;
    }
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(this.read8(addr + BigInt(i)));
    return v;
  }

  write64(addr: bigint, value: bigint): void {
    addr &= MASK64;
    value &= MASK64;
    const off = Number(addr & OFFSET_MASK);
    if ((off & 7) === 0) {
      this.frame(addr, true)![off >> 3] = value;
    } else {
      for (let i = 0; i < 8; i++) this.write8Raw((addr + BigInt(i)) & MASK64, Number((value >> BigInt(8 * i)) & 0xffn));
    }
    this.notify(addr, 8);
  }

  read32(addr: bigint): bigint {
    addr &= MASK64;
    if ((addr & 3n) === 0n) {
      const v = this.read64(addr & ~7n);
      return (addr & 4n) ? v >> 32n : v & 0xffff_ffffn;
    }
    let v = 0n;
    for (let i = 3; i >= 0; i--) v = (v << 8n) | BigInt(this.read8(addr + BigInt(i)));
    return v;
  }

  write32(addr: bigint, value: bigint): void {
    addr &= MASK64;
    value &= 0xffff_ffffn;
    for (let i = 0; i < 4; i++) this.write8Raw((addr + BigInt(i)) & MASK64, Number((value >> BigInt(8 * i)) & 0xffn));
    this.notify(addr, 4);
  }

  read8(addr: bigint): number {
    addr &= MASK64;
    if (this.watch !== undefined) this.watch.read(Number(addr));
    const f = this.frames.get(Number(addr >> FRAME_SHIFT));
    if (!f) return 0;
    const off = Number(addr & OFFSET_MASK);
    return Number((f[off >> 3] >> BigInt((off & 7) * 8)) & 0xffn);
  }

  write8(addr: bigint, value: number): void {
    this.write8Raw(addr & MASK64, value & 0xff);
    this.notify(addr & MASK64, 1);
  }

  private write8Raw(addr: bigint, value: number): void {
    const f = this.frame(addr, true)!;
    const off = Number(addr & OFFSET_MASK);
    const sh = BigInt((off & 7) * 8);
    f[off >> 3] = (f[off >> 3] & ~(0xffn << sh)) | (BigInt(value) << sh);
  }

  /** Read `len` bytes (len is bounded by the caller). */
  readBytes(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.read8((addr + BigInt(i)) & MASK64);
    return out;
  }

  writeBytes(addr: bigint, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.write8Raw((addr + BigInt(i)) & MASK64, data[i]);
    this.notify(addr & MASK64, data.length);
  }

  // Views of `frames` for frameWords (anything that drops or replaces a frame must drop its view too).
  private readonly words = new Map<number, Uint32Array>();

  /**
   * 32-bit view of frame `frame` (= addr / 4096), for hot-path readers (the translation table walk)
   * that work on addresses as numbers: word 2k is the low half of the 64-bit word k (little-endian
   * host). undefined: the frame was never written and reads as zero. `at`: the address the caller
   * reads (for the watch; without it, the whole frame counts as read).
   */
  frameWords(frame: number, at?: number): Uint32Array | undefined {
    if (this.watch !== undefined) {
      if (at === undefined) this.watch.readFrame(frame);
      else this.watch.read(at);
    }
    let w = this.words.get(frame);
    if (w === undefined) {
      const f = this.frames.get(frame);
      if (f === undefined) return undefined;
      w = new Uint32Array(f.buffer, f.byteOffset, FRAME_SIZE / 4);
      this.words.set(frame, w);
    }
    return w;
  }

  /** Frames in use, lowest first: for the memory map view. */
  usedFrames(): bigint[] {
    return [...this.frames.keys()].sort((a, b) => a - b).map((k) => BigInt(k) << FRAME_SHIFT);
  }

  private notify(addr: bigint, size: number): void {
    if (this.watch !== undefined) this.watch.write(addr, size);
    for (let i = 0; i < this.observers.length; i++) this.observers[i].memoryWritten(addr, size);
  }
}
