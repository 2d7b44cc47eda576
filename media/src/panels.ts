// Webview entry: picks the panel named by <body data-panel>, listens for the extension's state
// messages and tells the extension it is ready. Bundled by esbuild into dist/media/panels.js.
import './panels.css';
import { parseHostMessage, type PanelKind, type WebviewMessage } from '../../extension/src/panels/protocol';
import { h } from './dom';
import { decodePanel } from './decode';
import { eventsPanel } from './events';
import type { Host, PanelView } from './panel';
import { streamsPanel } from './streams';
import { tlbPanel } from './tlb';
import { vmPanel } from './vm';
import { walkPanel } from './walk';

interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved: Record<string, unknown> = ((): Record<string, unknown> => {
  const st = vscode.getState();
  return typeof st === 'object' && st !== null ? { ...(st as Record<string, unknown>) } : {};
})();

const host: Host = {
  post: (m: WebviewMessage) => vscode.postMessage(m),
  load: <T>(key: string, fallback: T): T => (key in saved ? (saved[key] as T) : fallback),
  save: (key, value) => {
    saved[key] = value;
    vscode.setState(saved);
  },
};

const root = document.getElementById('root') as HTMLElement;
const kind = document.body.dataset.panel as PanelKind;
const makers: Record<Exclude<PanelKind, 'decode'>, (root: HTMLElement, host: Host) => PanelView> = {
  walk: (r) => walkPanel(r),
  tlb: tlbPanel,
  streams: streamsPanel,
  events: eventsPanel,
  vm: vmPanel,
};
let view: PanelView | undefined;
const decoder = kind === 'decode' ? decodePanel(root, host) : undefined;

window.addEventListener('message', (ev: MessageEvent) => {
  const m = parseHostMessage(ev.data);
  if (!m) return;
  if (m.type === 'empty') {
    view = undefined;
    root.replaceChildren(h('p', { class: 'empty' }, m.reason || 'Open a .smmu scenario to see it here.'));
    return;
  }
  if (m.type === 'decoded') {
    decoder?.show(m.source, m.log);
    return;
  }
  if (kind === 'decode') return;
  if (!view) view = makers[kind]?.(root, host);
  try {
    view?.update({ uri: m.uri, state: m.state, result: m.result, qemu: m.qemu });
  } catch (e) {
    root.appendChild(h('p', { class: 'problem' }, `Could not render: ${e instanceof Error ? e.message : String(e)}`));
  }
});

host.post({ type: 'ready' });
