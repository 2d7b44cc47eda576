// Guest-physical memory as a vSMMU sees it: every access goes through the IOAS (IPA -> host PA) to
// the host's memory, so the guest's registers, queues and tables (an SmmuInstance over this
// memory) live at IPAs while the bytes sit at host PAs. An unmapped IPA reads as zero and drops
// writes; each such access is remembered, for a diagnostic.

import { PhysicalMemory } from '../memory';

export class GuestMemory extends PhysicalMemory {
  /** Guest accesses to IPAs the IOAS does not map (oldest first, at most 64). */
  readonly unmapped: { ipa: bigint; write: boolean }[] = [];

  constructor(readonly host: PhysicalMemory, private readonly toPa: (ipa: bigint) => bigint | undefined) {
    super();
  }

  private pa(ipa: bigint, write: boolean): bigint | undefined {
    const pa = this.toPa(ipa);
    if (pa === undefined && this.unmapped.length < 64) this.unmapped.push({ ipa, write });
    return pa;
  }

  override read64(addr: bigint): bigint {
    const pa = this.pa(addr, false);
    return pa === undefined ? 0n : this.host.read64(pa);
  }

  override write64(addr: bigint, value: bigint): void {
    const pa = this.pa(addr, true);
    if (pa !== undefined) this.host.write64(pa, value);
  }

  override read32(addr: bigint): bigint {
    const pa = this.pa(addr, false);
    return pa === undefined ? 0n : this.host.read32(pa);
  }

  override write32(addr: bigint, value: bigint): void {
    const pa = this.pa(addr, true);
    if (pa !== undefined) this.host.write32(pa, value);
  }

  /** The walk's hot path reads frames directly: the host frame behind a guest frame (IOAS maps are page aligned). */
  override frameWords(frame: number, _at?: number): Uint32Array | undefined {
    const pa = this.pa(BigInt(frame) << 12n, false);
    return pa === undefined ? undefined : this.host.frameWords(Number(pa >> 12n));
  }

  override read8(addr: bigint): number {
    const pa = this.pa(addr, false);
    return pa === undefined ? 0 : this.host.read8(pa);
  }

  override write8(addr: bigint, value: number): void {
    const pa = this.pa(addr, true);
    if (pa !== undefined) this.host.write8(pa, value);
  }
}
