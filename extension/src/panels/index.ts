// Entry point for the extension: creates the PanelManager and wires it to the editor (cursor),
// document edits and the debugger's current frame.
import * as vscode from 'vscode';
import { lspDataSource, type RequestClient } from './dataSource';
import { PanelManager } from './panelManager';
import type { PanelKind } from './protocol';

export { PanelManager } from './panelManager';
export type { PanelKind } from './protocol';

const DEBUG_TYPE = 'iommu-lens';

/** The debugger's current frame as a (uri, line): asks the adapter for the top frame. */
async function debugPosition(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  if (!item || item.session.type !== DEBUG_TYPE) return undefined;
  try {
    const r: unknown = await item.session.customRequest('stackTrace', { threadId: item.threadId, startFrame: 0, levels: 1 });
    const frame = (r as { stackFrames?: Array<{ line?: unknown; source?: { path?: unknown } }> }).stackFrames?.[0];
    if (!frame || typeof frame.line !== 'number' || typeof frame.source?.path !== 'string') return undefined;
    return { uri: vscode.Uri.file(frame.source.path), line: frame.line };
  } catch {
    return undefined;
  }
}

/** Creates the panels for the extension; `open` is the PanelOpener for the show-panel commands. */
export function registerPanels(context: vscode.ExtensionContext, client: RequestClient): PanelManager {
  const panels = new PanelManager(context.extensionUri, lspDataSource(client));
  const refresh = new Map<string, ReturnType<typeof setTimeout>>();
  context.subscriptions.push(
    panels,
    vscode.window.onDidChangeTextEditorSelection((e) => panels.follow(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((e) => e && panels.follow(e)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId !== 'smmu' || !e.contentChanges.length) return;
      // The server re-runs after its own debounce; ask again a little later.
      const k = e.document.uri.toString();
      clearTimeout(refresh.get(k));
      refresh.set(k, setTimeout(() => panels.invalidate(e.document), 500));
    }),
    vscode.debug.onDidChangeActiveStackItem(async (item) => {
      const pos = await debugPosition(item);
      if (pos) await panels.showLine(pos.uri, pos.line);
    }),
    { dispose: () => refresh.forEach((t) => clearTimeout(t)) },
  );
  return panels;
}

/** Adapter for `registerCommands(context, client, opener)`. */
export function panelOpener(panels: PanelManager): (kind: PanelKind, uri: vscode.Uri | undefined, stepIndex: number | undefined) => void {
  return (kind, uri, stepIndex) => panels.open(kind, uri, stepIndex);
}
