// Which step first used a declaration's memory after the declaration wrote it. A declaration
// (`pagetable`, `map`, `cd`, `ste`, ... : a step whose run is only StepDef.writes) writes its
// words; the run notes, for each such word, the value before and the first later step that read
// or wrote it (every model access goes through PhysicalMemory, which tells its `watch`). An edit
// that changes only such a step's values re-runs from the first step that used one of its words
// (declPatch.ts): the steps between never saw the difference. Kept only by runs an edit may resume
// (a session with checkpoints); facts about steps, so a step back that re-runs steps notes the same.

import type { AccessWatch, PhysicalMemory } from '../../model/memory';

/** One 64-bit memory write (a declaration's: StepDef.writes). */
export interface MemWrite {
  addr: bigint;
  value: bigint;
}

/** Not used yet. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** One word a declaration step wrote. */
export interface Arm {
  /** The step that wrote it. */
  readonly step: number;
  /** Its value before that step. */
  readonly before: bigint;
  /** The first later step that read or wrote it (NEVER: none so far). */
  used: number;
  /** The arm of an earlier step on the same word. */
  readonly prev?: Arm;
}

/** Word address of a byte address (a number below 2^52). */
function wordOf(addr: number): number {
  return addr - (addr % 8);
}

export class RunAccess implements AccessWatch {
  /** The step running. */
  step = -1;
  /** Word address -> the latest declaration write of it. */
  private readonly arms: Map<number, Arm>;
  /** Frame -> its words in `arms` (for readers that name only the frame). */
  private readonly frames: Map<number, number[]>;

  constructor(from?: RunAccess, upTo = NEVER) {
    this.arms = new Map();
    this.frames = new Map();
    if (from) for (const [w, a] of from.arms) this.keep(w, a, upTo);
  }

  /** A copy for a run that continues this one at `position`: the facts about the steps before. */
  upTo(position: number): RunAccess {
    return new RunAccess(this, position);
  }

  private keep(word: number, a: Arm, upTo: number): void {
    const chain: Arm[] = [];
    for (let x: Arm | undefined = a; x; x = x.prev) if (x.step < upTo) chain.push(x);
    let prev: Arm | undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      const x = chain[i];
      prev = { step: x.step, before: x.before, used: x.used < upTo ? x.used : NEVER, prev };
    }
    if (prev) this.set(word, prev);
  }

  private set(word: number, a: Arm): void {
    if (!this.arms.has(word)) {
      const f = Math.floor(word / 4096);
      const ws = this.frames.get(f);
      if (ws) ws.push(word);
      else this.frames.set(f, [word]);
    }
    this.arms.set(word, a);
  }

  private use(word: number): void {
    const a = this.arms.get(word);
    if (a !== undefined && a.step < this.step && this.step < a.used) a.used = this.step;
  }

  read(addr: number): void {
    this.use(wordOf(addr));
  }

  readFrame(frame: number): void {
    const ws = this.frames.get(frame);
    if (ws) for (const w of ws) this.use(w);
  }

  write(addr: bigint, size: number): void {
    const a = Number(addr);
    for (let w = wordOf(a); w < a + size; w += 8) this.use(w);
  }

  /** The running step, a declaration, writes `writes` to `mem`: noted with the values before, when
   *  nothing looks at these writes (the hazard analysis watches none of them) and they are aligned. */
  declare(mem: PhysicalMemory, writes: readonly MemWrite[]): void {
    const arm = !writes.some((w) => (w.addr & 7n) !== 0n || mem.observed(w.addr));
    for (const w of writes) {
      const before = arm ? mem.peek64(w.addr) : 0n;
      mem.write64(w.addr, w.value);
      if (arm) this.arm(w.addr, before);
    }
  }

  /** The running step, a declaration, wrote `addr` (8-aligned) over `before`. */
  private arm(addr: bigint, before: bigint): void {
    const w = Number(addr);
    const a = this.arms.get(w);
    // (written twice by this step, or again after a step back: the first write's value before stands)
    if (a?.step === this.step) return;
    this.set(w, { step: this.step, before, used: NEVER, prev: a });
  }

  /** The arm of step `step` on the word at `addr` (undefined: that step did not write it as a declaration). */
  armOf(addr: bigint, step: number): Arm | undefined {
    let a = this.arms.get(Number(addr));
    while (a && a.step > step) a = a.prev;
    return a?.step === step ? a : undefined;
  }

  /** A resumed run patched step `step` (declPatch.ts): the words it no longer writes lose its arm
   *  (an earlier arm there keeps its use: `step`, conservatively). */
  rewrote(step: number, removed: readonly bigint[]): void {
    for (const addr of removed) {
      const w = Number(addr);
      const a = this.arms.get(w);
      if (a?.step !== step) continue;
      if (a.prev) this.arms.set(w, a.prev);
      else {
        this.arms.delete(w);
        const ws = this.frames.get(Math.floor(w / 4096));
        if (ws) ws.splice(ws.indexOf(w), 1);
      }
    }
  }

  /** This run took another's results from `position` on (converge.ts): its arms' later uses are
   *  unknown (counted as at `position`), the other run's arms from `position` on hold. */
  rejoined(other: RunAccess, position: number): void {
    for (const a of this.arms.values()) for (let x: Arm | undefined = a; x; x = x.prev) if (x.used > position) x.used = position;
    for (const [w, a] of other.arms) {
      const later: Arm[] = [];
      for (let x: Arm | undefined = a; x && x.step >= position; x = x.prev) later.push(x);
      let prev = this.arms.get(w);
      for (let i = later.length - 1; i >= 0; i--) prev = { step: later[i].step, before: later[i].before, used: later[i].used, prev };
      if (prev) this.set(w, prev);
    }
  }
}
