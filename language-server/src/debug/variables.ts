// The Variables view: the model's state (WireState) shown as a tree. Objects and arrays become
// expandable variables; leaves are shown as text. A small, presentation-only layer over the
// engine's JSON so every field the engine reports appears without a hand-written mapping.

import type { WireState, WireStep, WireWalkStep } from '../engine/api';
import type { WalkCursorItem } from './debugger';
import { vmNode } from './vmVariables';

export interface VarNode {
  name: string;
  value: string;
  /** Children, computed lazily. */
  children?: () => VarNode[];
}

const MAX_CHILDREN = 2000;

/** A generic JSON value as a variable node. */
function jsonNode(name: string, v: unknown): VarNode {
  if (v === null || v === undefined) return { name, value: String(v) };
  if (Array.isArray(v)) {
    return {
      name,
      value: `[${v.length}]`,
      children: v.length ? () => v.slice(0, MAX_CHILDREN).map((x, i) => jsonNode(labelOf(x, i), x)) : undefined,
    };
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return { name, value: summary(v as Record<string, unknown>), children: entries.length ? () => entries.map(([k, x]) => jsonNode(k, x)) : undefined };
  }
  return { name, value: String(v) };
}

/** Array elements are named by their most telling field, e.g. an STE by its StreamID. */
function labelOf(x: unknown, i: number): string {
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    for (const k of ['name', 'type', 'sid', 'id']) {
      if (typeof o[k] === 'string' || typeof o[k] === 'number') return `[${i}] ${k === 'sid' ? 'SID ' : ''}${o[k]}`;
    }
  }
  return `[${i}]`;
}

function summary(o: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ['type', 'outcome', 'value', 'pa', 'inputBase', 'outputBase', 'config', 'kind']) {
    if (typeof o[k] === 'string') parts.push(`${k}=${o[k]}`);
  }
  return parts.length ? parts.join(' ') : '{…}';
}

function walkStepNode(item: WalkCursorItem): VarNode {
  const s: WireWalkStep = item.step;
  return {
    name: item.label,
    value: `${s.desc} @ ${s.descPa}`,
    children: () => [
      { name: 'stage', value: String(s.stage) },
      { name: 'level', value: String(s.level) },
      { name: 'tableAddr', value: s.tableAddr },
      { name: 'index', value: String(s.index) },
      { name: 'descAddr', value: s.descAddr },
      { name: 'descPa', value: s.descPa },
      { name: 'desc', value: s.desc },
      { name: 'kind', value: s.kind },
      jsonNode('fields', s.fields),
    ],
  };
}

/** The top-level scopes for a stop. */
export function scopes(state: WireState, last: WireStep | undefined, walk: WalkCursorItem[]): VarNode[] {
  const out: VarNode[] = [];
  if (walk.length) {
    out.push({ name: 'Walk', value: `${walk.length} descriptor(s)`, children: () => walk.map(walkStepNode) });
  }
  if (last) out.push(jsonNode('Last step', last));
  for (const smmu of state.smmus) {
    out.push({
      name: smmu.name,
      value: smmu.enabled ? 'SMMUEN=1' : 'SMMUEN=0',
      children: () => [
        jsonNode('Registers', Object.fromEntries(smmu.registers.map((r) => [r.name, r.fields && Object.keys(r.fields).length ? { value: r.value, ...r.fields } : r.value]))),
        jsonNode('TLB', smmu.tlb),
        jsonNode('Config cache', smmu.configCache),
        jsonNode('Streams', smmu.streams),
        jsonNode('Event queue', smmu.eventQueue),
        jsonNode('Stalled', smmu.stalled),
        ...(smmu.atc ? [jsonNode('ATC (PCIe functions)', smmu.atc)] : []),
        ...(smmu.priPending ? [jsonNode('PRI groups outstanding', smmu.priPending)] : []),
      ],
    });
  }
  if (state.vm) out.push(vmNode(state.vm, jsonNode));
  if (state.walks.length && !walk.length) out.push(jsonNode('Walks', state.walks));
  return out;
}
