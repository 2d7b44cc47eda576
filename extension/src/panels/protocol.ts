// Messages between the extension and the panel webviews (pure; used on both sides).
// Everything that arrives from a webview is untrusted: parse it with parseWebviewMessage before use.
import type { WireScenarioResult, WireState } from '../../../language-server/src/engine/api';
import type { WireLogResult } from '../../../language-server/src/model/logs/wire';
import type { QemuSummary } from '../../../language-server/src/qemu/report';

/** The scenario panels follow a scenario's steps (`vm`: the iommufd objects of its VM); `decode` shows a decoded log (IOMMU Lens: Decode Log). */
export type PanelKind = 'walk' | 'tlb' | 'streams' | 'events' | 'vm' | 'decode';
export const PANEL_KINDS: readonly PanelKind[] = ['walk', 'tlb', 'streams', 'events', 'vm', 'decode'];

export const PANEL_TITLES: Record<PanelKind, string> = {
  walk: 'SMMU: Translation walk',
  tlb: 'SMMU: TLB & caches',
  streams: 'SMMU: Stream table & CDs',
  events: 'SMMU: Events & hazards',
  vm: 'SMMU: VM (iommufd)',
  decode: 'SMMU: Decoded log',
};

/** Extension -> webview. */
export type HostMessage =
  | { type: 'state'; uri: string; state: WireState | null; result: WireScenarioResult | null; qemu?: QemuSummary }
  | { type: 'empty'; reason: string }
  /** The decode panel: what was decoded (a file name, "selection of ...") and its records. */
  | { type: 'decoded'; source: string; log: WireLogResult };

/** Webview -> extension. `openScenario`: the decode panel's "Open as Scenario". */
export type WebviewMessage = { type: 'ready' } | { type: 'reveal'; line: number } | { type: 'openScenario' };

/** Largest line a reveal may ask for (VS Code documents are far smaller in practice). */
const MAX_LINE = 10_000_000;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates a message from a webview; undefined for anything malformed or unknown. */
export function parseWebviewMessage(x: unknown): WebviewMessage | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openScenario':
      return { type: 'openScenario' };
    case 'reveal': {
      const line = x.line;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > MAX_LINE) return undefined;
      return { type: 'reveal', line };
    }
    default:
      return undefined;
  }
}

/** Shallow check of a message from the extension (the webview still renders every string as text). */
export function parseHostMessage(x: unknown): HostMessage | undefined {
  if (!isRecord(x)) return undefined;
  if (x.type === 'empty') return { type: 'empty', reason: typeof x.reason === 'string' ? x.reason : '' };
  if (x.type === 'decoded') {
    const log = x.log;
    if (typeof x.source !== 'string' || !isRecord(log) || !Array.isArray(log.records) || !Array.isArray(log.unrecognised)) return undefined;
    return { type: 'decoded', source: x.source, log: log as unknown as WireLogResult };
  }
  if (x.type !== 'state' || typeof x.uri !== 'string') return undefined;
  const state = x.state;
  const result = x.result;
  if (state !== null && !(isRecord(state) && Array.isArray(state.smmus) && Array.isArray(state.walks) && isRecord(state.changes))) return undefined;
  if (result !== null && !(isRecord(result) && Array.isArray(result.steps) && Array.isArray(result.diagnostics))) return undefined;
  const m: HostMessage = { type: 'state', uri: x.uri, state: state as WireState | null, result: result as WireScenarioResult | null };
  const q = x.qemu;
  if (isRecord(q) && typeof q.title === 'string' && isRecord(q.counts) && Array.isArray(q.rows)) m.qemu = q as unknown as QemuSummary;
  return m;
}
