// "IOMMU Lens: Decode Log": decodes the selection (or the whole active document, e.g. a pasted
// log in an untitled editor) through the server's `iommuLens/decodeLog`, shows the records in the
// decode panel, reveals a record's lines in the log, and opens the starting scenario ("Open as
// Scenario") as an untitled .smmu document.
import * as vscode from 'vscode';
import { DECODE_LOG_REQUEST, type DecodeLogParams, type DecodeLogResponse } from '../../../language-server/src/engine/output/requests';
import type { WireLogResult } from '../../../language-server/src/model/logs/wire';
import type { RequestClient } from './dataSource';
import { PanelHost } from './panelHost';
import type { HostMessage, WebviewMessage } from './protocol';

interface Decoded {
  source: string;
  log: WireLogResult;
  scenario: string;
  /** The log document and the line its text starts at (0-based), to reveal records. */
  uri?: string;
  firstLine: number;
}

/** Shifts a decoded selection's line numbers to the document's. */
function shifted(log: WireLogResult, by: number): WireLogResult {
  if (!by) return log;
  return {
    ...log,
    records: log.records.map((r) => ({ ...r, line: r.line + by, endLine: r.endLine + by })),
    unrecognised: log.unrecognised.map((u) => ({ ...u, line: u.line + by })),
  };
}

export class DecodePanel implements vscode.Disposable {
  private host: PanelHost | undefined;
  private current: Decoded | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly client: RequestClient) {}

  /** The command: decode the selection, else the active document; with neither, open an editor to paste into. */
  async run(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    const sel = editor && !editor.selection.isEmpty ? editor.selection : undefined;
    const text = sel ? doc?.getText(sel) ?? '' : doc?.getText() ?? '';
    if (!doc || text.trim() === '') {
      const pad = await vscode.workspace.openTextDocument({ language: 'log', content: '' });
      await vscode.window.showTextDocument(pad);
      void vscode.window.showInformationMessage('IOMMU Lens: paste the kernel log, QEMU trace or STE/CD dump here, then run Decode Log again.');
      return;
    }
    const name = doc.isUntitled ? 'the pasted log' : doc.uri.path.split('/').pop() ?? 'the log';
    const source = sel ? `selection of ${name} (lines ${sel.start.line + 1}-${sel.end.line + 1})` : name;
    let r: DecodeLogResponse | null;
    try {
      r = await this.client.sendRequest<DecodeLogResponse | null>(DECODE_LOG_REQUEST, { text, source } satisfies DecodeLogParams);
    } catch (e) {
      void vscode.window.showErrorMessage(`IOMMU Lens: the language server could not decode the log: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (!r) return;
    const firstLine = sel ? sel.start.line : 0;
    this.current = { source, log: shifted(r.log, firstLine), scenario: r.scenario, uri: doc.uri.toString(), firstLine };
    if (this.host) this.host.reveal();
    else this.host = new PanelHost('decode', this.extensionUri, (h, m) => void this.onMessage(h, m), () => { this.host = undefined; });
    this.host.post(this.message());
  }

  private message(): HostMessage {
    const c = this.current;
    return c ? { type: 'decoded', source: c.source, log: c.log } : { type: 'empty', reason: 'Run IOMMU Lens: Decode Log on a log.' };
  }

  private async onMessage(host: PanelHost, m: WebviewMessage): Promise<void> {
    const c = this.current;
    if (m.type === 'ready') host.post(this.message());
    else if (m.type === 'openScenario' && c) {
      const doc = await vscode.workspace.openTextDocument({ language: 'smmu', content: c.scenario });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    } else if (m.type === 'reveal' && c?.uri) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(c.uri));
      const pos = new vscode.Position(Math.min(m.line - 1, Math.max(doc.lineCount - 1, 0)), 0);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
    }
  }

  dispose(): void {
    this.host?.dispose();
  }
}

/** Registers `iommuLens.decodeLog`. */
export function registerDecodeLog(context: vscode.ExtensionContext, extensionUri: vscode.Uri, client: RequestClient): void {
  const panel = new DecodePanel(extensionUri, client);
  context.subscriptions.push(panel, vscode.commands.registerCommand('iommuLens.decodeLog', () => panel.run()));
}
