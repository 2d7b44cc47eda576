// Entry point for the extension: creates the PanelManager and wires it to the editor (cursor),
// document edits and the debugger's current frame.
import * as vscode from 'vscode';
import { lspDataSource, type RequestClient } from './dataSource';
import { PanelManager } from './panelManager';
import type { PanelKind } from './protocol';
import { STOPPED_EVENT, type StoppedInfo } from '../../../language-server/src/debug/protocol';

export { PanelManager } from './panelManager';
export { registerDecodeLog } from './decodePanel';
export type { PanelKind } from './protocol';

const DEBUG_TYPE = 'iommu-lens';

const debugging = () => vscode.debug.activeDebugSession?.type === DEBUG_TYPE;

/** The adapter's stop event: the state to show is the one after the last executed step. */
function stoppedInfo(e: vscode.DebugSessionCustomEvent): StoppedInfo | undefined {
  if (e.session.type !== DEBUG_TYPE || e.event !== STOPPED_EVENT) return undefined;
  const b = e.body as Partial<StoppedInfo> | undefined;
  if (!b || typeof b.program !== 'string' || !Number.isInteger(b.position)) return undefined;
  return { program: b.program, position: b.position as number, focus: Number(b.focus) };
}

/** Creates the panels for the extension; `open` is the PanelOpener for the show-panel commands. */
export function registerPanels(context: vscode.ExtensionContext, client: RequestClient): PanelManager {
  const panels = new PanelManager(context.extensionUri, lspDataSource(client));
  const refresh = new Map<string, ReturnType<typeof setTimeout>>();
  context.subscriptions.push(
    panels,
    // During a scenario debug session the panels follow the debugger, not the cursor it moves.
    vscode.window.onDidChangeTextEditorSelection((e) => debugging() || panels.follow(e.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((e) => e && !debugging() && panels.follow(e)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId !== 'smmu' || !e.contentChanges.length) return;
      // The server re-runs after its own debounce; ask again a little later.
      const k = e.document.uri.toString();
      clearTimeout(refresh.get(k));
      refresh.set(k, setTimeout(() => panels.invalidate(e.document), 500));
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      const info = stoppedInfo(e);
      if (info) void panels.showStep(vscode.Uri.file(info.program), info.position - 1);
    }),
    { dispose: () => refresh.forEach((t) => clearTimeout(t)) },
  );
  return panels;
}

/** Adapter for `registerCommands(context, client, opener)`. */
export function panelOpener(panels: PanelManager): (kind: PanelKind, uri: vscode.Uri | undefined, stepIndex: number | undefined) => void {
  return (kind, uri, stepIndex) => panels.open(kind, uri, stepIndex);
}
