// What each statement asked of the compile's allocator, so an edit that lowers a few declarations
// again (compile/declEdit.ts) gives them the addresses they had: `AllocLog` is the compile's
// allocator and notes every call by statement ordinal; `Replay` answers the same calls of the
// statements lowered again with the noted results, and notes any difference (another size, one
// call more or fewer: the layout moved, the edit is compiled the usual way).

import { Allocator } from '../../../model/layout/alloc';

/** One allocator call: alloc(size, align) -> at; reserve/avoid(at, size); release(at, size). */
interface Call {
  op: 'alloc' | 'reserve' | 'avoid' | 'release';
  at: bigint;
  size: bigint;
  align: bigint;
}

export class AllocLog extends Allocator {
  /** Statement ordinal -> its calls in order. */
  readonly calls = new Map<number, Call[]>();

  constructor(private readonly ordinal: () => number) {
    super();
  }

  private note(c: Call): void {
    const o = this.ordinal();
    const l = this.calls.get(o);
    if (l) l.push(c);
    else this.calls.set(o, [c]);
  }

  override alloc(size: bigint, align: bigint = size): bigint {
    const at = super.alloc(size, align);
    this.note({ op: 'alloc', at, size, align });
    return at;
  }

  override reserve(addr: bigint, size: bigint): void {
    super.reserve(addr, size);
    this.note({ op: 'reserve', at: addr, size, align: 0n });
  }

  override avoid(addr: bigint, size: bigint): void {
    super.avoid(addr, size);
    this.note({ op: 'avoid', at: addr, size, align: 0n });
  }

  override release(addr: bigint, size: bigint): void {
    super.release(addr, size);
    this.note({ op: 'release', at: addr, size, align: 0n });
  }
}

/** The allocator of statements lowered again: each call answered from `log` (the statement's
 *  calls in order); `differs` once a call is not the one noted. */
export class Replay extends Allocator {
  differs = false;
  /** Statement ordinal -> its calls answered so far. */
  readonly taken = new Map<number, number>();

  constructor(private readonly log: AllocLog, private readonly ordinal: () => number) {
    super();
  }

  private take(op: Call['op'], at: bigint | undefined, size: bigint, align: bigint): bigint {
    const o = this.ordinal();
    const i = this.taken.get(o) ?? 0;
    const c = this.log.calls.get(o)?.[i];
    this.taken.set(o, i + 1);
    if (!c || c.op !== op || c.size !== size || c.align !== align || (at !== undefined && c.at !== at)) {
      this.differs = true;
      return 0n;
    }
    return c.at;
  }

  override alloc(size: bigint, align: bigint = size): bigint {
    return this.take('alloc', undefined, size, align);
  }

  override reserve(addr: bigint, size: bigint): void {
    this.take('reserve', addr, size, 0n);
  }

  override avoid(addr: bigint, size: bigint): void {
    this.take('avoid', addr, size, 0n);
  }

  override release(addr: bigint, size: bigint): void {
    this.take('release', addr, size, 0n);
  }

  /** What the allocator holds is not known here (guest structures read it: not replayed). */
  override owns(): boolean {
    this.differs = true;
    return false;
  }

  override highWater(): bigint {
    this.differs = true;
    return 0n;
  }

  override get top(): bigint {
    this.differs = true;
    return 0n;
  }

  /** Whether the statements `ords` made exactly their noted calls. */
  matched(ords: Iterable<number>): boolean {
    if (this.differs) return false;
    for (const o of ords) if ((this.taken.get(o) ?? 0) !== (this.log.calls.get(o)?.length ?? 0)) return false;
    return true;
  }
}

/** How many allocator calls statement `ordinal` made so far (0: an allocator that does not note them). */
export function callsAt(a: Allocator, ordinal: number): number {
  return a instanceof AllocLog ? a.calls.get(ordinal)?.length ?? 0 : a instanceof Replay ? a.taken.get(ordinal) ?? 0 : 0;
}
