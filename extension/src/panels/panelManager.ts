// The four panels: opens/reveals them, follows the current step (cursor or debugger) and sends
// every open panel the state after that step together with the run's result.
import * as vscode from 'vscode';
import type { WireScenarioResult, WireState } from '../../../language-server/src/engine/api';
import type { PanelDataSource } from './dataSource';
import { PanelHost } from './panelHost';
import type { HostMessage, PanelKind, WebviewMessage } from './protocol';
import type { QemuSummary } from '../../../language-server/src/qemu/report';
import { debounce, stepAtLine } from './steps';

interface Current {
  uri: string;
  state: WireState | null;
  result: WireScenarioResult | null;
}

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<PanelKind, PanelHost>();
  private current: Current | undefined;
  /** Result cache by document: re-asked when the document version changes. */
  private results = new Map<string, { version: number; result: WireScenarioResult | null }>();
  /** The last "Compare with QEMU" of each document (until it is edited). */
  private readonly qemu = new Map<string, QemuSummary>();
  /** Bumped by every request round so a slow answer never overwrites a newer one. */
  private generation = 0;
  readonly follow = debounce((editor: vscode.TextEditor | undefined) => void this.followNow(editor), 150);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: PanelDataSource,
  ) {}

  /** Opens (or reveals) a panel; with a uri (and step) shows that scenario's step. */
  open(kind: PanelKind, uri?: vscode.Uri, stepIndex?: number): void {
    let host = this.panels.get(kind);
    if (host) host.reveal();
    else {
      host = new PanelHost(kind, this.extensionUri, (h, m) => this.onMessage(h, m), (h) => this.panels.delete(h.kind));
      this.panels.set(kind, host);
    }
    // Whatever we have now (or the "open a scenario" notice), then the step asked for or at the cursor.
    host.post(this.message());
    if (uri && stepIndex !== undefined) void this.showStep(uri, stepIndex);
    else if (!this.current) this.follow(vscode.window.activeTextEditor);
  }

  /** Shows a comparison with QEMU in the Events panel (opened if needed). */
  setQemu(uri: string, summary: QemuSummary): void {
    this.qemu.set(uri, summary);
    this.open('events');
    if (this.current?.uri === uri) this.update(uri, this.current.state, this.current.result);
    else void this.showStep(vscode.Uri.parse(uri), -1);
  }

  /** Sends new data to every open panel. */
  update(uri: string, state: WireState | null, result: WireScenarioResult | null): void {
    this.current = { uri, state, result };
    const m = this.message();
    for (const p of this.panels.values()) p.post(m);
  }

  /** Shows the state after `stepIndex` of `uri` (code lenses, the debugger's current step). */
  async showStep(uri: vscode.Uri, stepIndex: number): Promise<void> {
    if (!this.panels.size) return;
    const gen = ++this.generation;
    const key = uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const result = await this.resultFor(key, doc?.version ?? -1);
    const state = stepIndex >= 0 ? await this.source.state(key, stepIndex) : null;
    if (gen === this.generation) this.update(key, state, result);
  }

  /** Shows the step at or before a 1-based line of `uri` (the debugger's current line). */
  async showLine(uri: vscode.Uri, line: number): Promise<void> {
    if (!this.panels.size) return;
    const key = uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const result = await this.resultFor(key, doc?.version ?? -1);
    await this.showStep(uri, result ? stepAtLine(result.steps, line) : -1);
  }

  /** Shows the step at or before the editor's cursor line. */
  private async followNow(editor: vscode.TextEditor | undefined): Promise<void> {
    if (!this.panels.size || !editor || editor.document.languageId !== 'smmu') return;
    const gen = ++this.generation;
    const key = editor.document.uri.toString();
    const result = await this.resultFor(key, editor.document.version);
    if (gen !== this.generation) return;
    const line = editor.selection.active.line + 1;
    const step = result ? stepAtLine(result.steps, line) : -1;
    const state = step >= 0 ? await this.source.state(key, step) : null;
    if (gen === this.generation) this.update(key, state, result);
  }

  /** Forgets the cached result of a changed document and refreshes the panels. */
  invalidate(doc: vscode.TextDocument): void {
    this.results.delete(doc.uri.toString());
    this.qemu.delete(doc.uri.toString());
    if (this.current?.uri === doc.uri.toString()) {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
      this.follow(editor);
    }
  }

  private async resultFor(uri: string, version: number): Promise<WireScenarioResult | null> {
    const hit = this.results.get(uri);
    if (hit && hit.version === version && version >= 0) return hit.result;
    try {
      const result = await this.source.result(uri);
      this.results.set(uri, { version, result });
      return result;
    } catch {
      return null; // server not up yet, or the request was cancelled: the next move asks again
    }
  }

  private message(): HostMessage {
    const c = this.current;
    if (!c) return { type: 'empty', reason: 'Open a .smmu scenario and put the cursor on a step.' };
    const q = this.qemu.get(c.uri);
    return { type: 'state', uri: c.uri, state: c.state, result: c.result, ...(q ? { qemu: q } : {}) };
  }

  private onMessage(host: PanelHost, m: WebviewMessage): void {
    switch (m.type) {
      case 'ready':
        host.post(this.message());
        break;
      case 'reveal':
        void this.revealLine(m.line);
        break;
    }
  }

  private async revealLine(line: number): Promise<void> {
    if (!this.current) return;
    const uri = vscode.Uri.parse(this.current.uri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.current?.uri);
    const doc = visible?.document ?? (await vscode.workspace.openTextDocument(uri));
    const l = Math.min(Math.max(line - 1, 0), Math.max(doc.lineCount - 1, 0));
    const pos = new vscode.Position(l, 0);
    await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(pos, pos),
      preserveFocus: false,
    });
  }

  dispose(): void {
    this.follow.cancel();
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
