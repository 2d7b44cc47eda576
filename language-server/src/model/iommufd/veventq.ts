// A vEVENTQ (IOMMU_VEVENTQ_ALLOC, include/uapi/linux/iommufd.h): guest-visible event records with a
// struct iommufd_vevent_header each. Sequence numbers run over [0, INT_MAX] and wrap to 0; when
// the queue holds `depth` events a new one is lost and one IOMMU_VEVENTQ_FLAG_LOST_EVENTS header
// (no data) sits at the tail, so the reader sees the gap in the sequence.

const INT_MAX = 0x7fff_ffff;

export interface VEvent {
  sequence: number;
  /** IOMMU_VEVENTQ_FLAG_LOST_EVENTS: a header with no record, marking lost events. */
  lost: boolean;
  /** The 4-dword SMMUv3 event record, StreamID replaced by the virtual one (absent when lost). */
  record?: bigint[];
}

export type Delivery = { delivered: true; sequence: number } | { delivered: false; sequence: number; reason: string };

export class VEventQueue {
  private readonly events: VEvent[] = [];
  private nextSeq = 0;
  private lostHeader: VEvent | undefined;
  private records = 0;
  /** Events lost since the queue was created. */
  lostCount = 0;

  constructor(readonly depth: number) {}

  /** iommufd_viommu_report_event: queue one record, or count it lost when the queue is full. */
  report(record: bigint[]): Delivery {
    const sequence = this.nextSeq;
    this.nextSeq = sequence === INT_MAX ? 0 : sequence + 1;
    if (this.count() >= this.depth) {
      this.lostCount++;
      if (!this.lostHeader) {
        this.lostHeader = { sequence, lost: true };
        this.events.push(this.lostHeader);
      } else this.lostHeader.sequence = sequence;
      return { delivered: false, sequence, reason: `vEVENTQ full (depth ${this.depth}): event lost, IOMMU_VEVENTQ_FLAG_LOST_EVENTS set` };
    }
    // A new event after a lost-events header: the header stays where it is, the gap shows.
    this.lostHeader = undefined;
    this.events.push({ sequence, lost: false, record });
    this.records++;
    return { delivered: true, sequence };
  }

  /** Records waiting (a lost-events header does not count toward the depth). */
  count(): number {
    return this.records;
  }

  /** Entries waiting, lost-events header included. */
  get length(): number {
    return this.events.length;
  }

  /** The reader (the VMM's read()) takes up to `max` entries, headers included. */
  read(max = Infinity): VEvent[] {
    const out = this.events.splice(0, Math.min(max, this.events.length));
    for (const e of out) if (!e.lost) this.records--;
    if (this.lostHeader && out.includes(this.lostHeader)) this.lostHeader = undefined;
    return out;
  }

  snapshot(): VEvent[] {
    return this.events.map((e) => ({ ...e }));
  }
}
