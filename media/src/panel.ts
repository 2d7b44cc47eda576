// What every panel view implements, and what it may use from the host.
import type { WireScenarioResult, WireState } from '../../language-server/src/engine/api';
import type { WebviewMessage } from '../../extension/src/panels/protocol';
import type { QemuSummary } from '../../language-server/src/qemu/report';

export interface Update {
  uri: string;
  state: WireState | null;
  result: WireScenarioResult | null;
  /** The last "Compare with QEMU" of the scenario (Events panel). */
  qemu?: QemuSummary;
}

export interface PanelView {
  update(u: Update): void;
}

export interface Host {
  post(m: WebviewMessage): void;
  /** Per-panel UI state that survives the webview being hidden (filter text, sort, open items). */
  load<T>(key: string, fallback: T): T;
  save(key: string, value: unknown): void;
}
