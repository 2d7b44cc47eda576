// What one iommufd call produced (the model's answer for the runner's JSON, the panels and the
// hazard analysis), and the physical SMMUs the calls act on.

import type { PhysicalMemory } from '../memory';
import type { CommandResult } from '../smmu/commands';
import type { SmmuInstance } from '../smmu/instance';
import type { UapiError } from './uapi';

/** A host command the kernel issued (or a guest queue's hardware executed) and what it did. */
export interface HostCommand {
  smmu: string;
  cmd: [bigint, bigint];
  /** The guest command it was converted from. */
  guest?: [bigint, bigint];
  results: CommandResult[];
}

/** A guest event delivered to (or lost at) a vEVENTQ. */
export interface GuestEvent {
  viommu: string;
  vsid: number;
  sequence: number;
  delivered: boolean;
  /** The record with the virtual StreamID. */
  record: bigint[];
  type: string;
  reason?: string;
}

/** What one ioctl produced. */
export interface IommufdEffects {
  steInstalls: { smmu: string; sid: number; addr: bigint; ste: bigint[]; guest?: [bigint, bigint] }[];
  hostCommands: HostCommand[];
  rejections: (UapiError & { index?: number })[];
  /** IOMMU_HWPT_INVALIDATE: entry_num as the ioctl returns it (entries handled). */
  handled?: number;
  guestEvents: GuestEvent[];
  /** Memory the step wrote (host PAs), for the hazard analysis and `lower`. */
  writes: { addr: bigint; value: bigint }[];
}

/** The physical SMMUs and their memory (an SmmuSystem, or an engine run's instances). */
export interface SmmuHost {
  readonly mem: PhysicalMemory;
  get(name: string): SmmuInstance | undefined;
}

export const noEffects = (): IommufdEffects => ({ steInstalls: [], hostCommands: [], rejections: [], guestEvents: [], writes: [] });
export const fail = (e: UapiError): IommufdEffects => ({ ...noEffects(), rejections: [e] });

/** Commands submitted on `inst`'s command queue as the kernel does, each recorded in `fx`. */
export function issue(inst: SmmuInstance, cmds: [bigint, bigint][], fx: IommufdEffects, guest?: [bigint, bigint][]): void {
  cmds.forEach((c, i) => fx.hostCommands.push({ smmu: inst.name, cmd: c, guest: guest?.[i], results: inst.submitCommand(c).commands }));
}
