// The shapes of a shadowing VMM (shadow.ts): its plan from the engine, the shadows it keeps, and
// what it needs of its vSMMU.

import type { PageTableLayout, DescCodec, TableGeometry } from '../layout/pagetable';
import type { SmmuInstance } from '../smmu/instance';
import type { IommufdContext, IommufdEffects } from './context';
import type { Viommu } from './objects';
import type { HostContext, S1Device, S1ShadowFormat } from './shadowS1';

/** How a VMM backs a guest's vSMMU. */
export type VsmmuMode = 'nested' | 'shadow';

/** A shadow table's format on one physical SMMU: its stage-2 geometry and leaf encoders. */
export interface ShadowTableFormat {
  geo: TableGeometry;
  rw: DescCodec;
  ro: DescCodec;
}

/** Where and how shadow tables are laid out (decided by the engine at compile time). */
export interface ShadowPlan {
  /** Host memory reserved for shadow tables: [pool, pool + poolSize). */
  pool: bigint;
  poolSize: bigint;
  formats: ReadonlyMap<string, ShadowTableFormat>;
  /** Stage-1 formats per SMMU, for devices with substreams or TTB1 (shadowS1.ts); none: such devices are not shadowed. */
  s1Formats?: ReadonlyMap<string, S1ShadowFormat>;
}

/** One composed mapping: guest IOVA -> host PA. */
export interface ShadowMap {
  iova: bigint;
  length: bigint;
  pa: bigint;
  readOnly: boolean;
}

/** The shadow of one guest device (virtual StreamID) on its physical SMMU, or of one of its CDs. */
export interface ShadowDomain {
  vsid: number;
  smmu: string;
  sid: number;
  /** The guest CD (SubstreamID) a stage-1 host context shadows; undefined: the device's stage-2 shadow. */
  ssid?: number;
  /** The IOAS and stage-2 HWPT of a stage-2 shadow ('' for a stage-1 host context). */
  ioas: string;
  hwpt: string;
  /** The stage-2 table, or the host CD's TTB0 table (TTB1's when EPD0). */
  layout?: PageTableLayout;
  format?: ShadowTableFormat;
  /** A stage-1 host context: the device's host STE and CD table, and this CD's tables. */
  host?: { device: S1Device; ctx: HostContext };
  /** The guest ranges the host context was made for (T0SZ/T1SZ/EPD/TG), to notice a changed CD. */
  shape?: string;
  /** Composed mappings by IOVA. */
  maps: Map<bigint, ShadowMap>;
  /** The guest CD's ASID at the last re-walk (a TLBI by ASID re-walks the domains with it). */
  asid?: number;
  rewalks: number;
}

/** What the shadow needs of its vSMMU (vsmmu.ts). */
export interface ShadowHost {
  readonly name: string;
  readonly guest: SmmuInstance;
  readonly fd: IommufdContext;
  /** The VM's IOAS (guest-physical -> host PA). */
  readonly ioas: string;
  viommuOf(vsid: number): Viommu | undefined;
  call(line: string, fx: IommufdEffects): IommufdEffects;
  /** What the VMM did on a physical SMMU itself (a stage-1 host context): no iommufd call. */
  record(fx: IommufdEffects): void;
  note(message: string): void;
}

/** The guest's own translation of one access, composed with the VM's stage 2. */
export interface GuestTranslation {
  vsid: number;
  /** The SubstreamID of the access (a shadow per guest CD). */
  ssid?: number;
  asid?: number;
  /** Host PA, when the guest's tables and the IOAS translate it. */
  pa?: bigint;
  /** Why not (an event type, or the IOAS not mapping the IPA). */
  fault?: string;
  /** Host PA of the guest descriptor the walk ended at (the leaf, or the invalid entry). */
  desc?: bigint;
}

