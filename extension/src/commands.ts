// The extension's commands. Panel commands delegate to a PanelOpener (the webview panels plug in
// there); until one is given they say that the panel is not available, and show nothing else.
import * as vscode from 'vscode';
import { RESULT_REQUEST, type ResultParams, type ResultResponse } from '../../language-server/src/server/protocol';
import { debugScenario } from './debug';
import type { RequestClient } from './lazyClient';
import { statusView } from './statusText';
import { compareWithQemu, type QemuListener } from './qemuCommand';

export type PanelKind = 'walk' | 'tlb' | 'streams' | 'events' | 'vm';

/** Command id -> panel it opens (titles in package.json contributes.commands). */
export const PANEL_COMMANDS: Readonly<Record<string, PanelKind>> = {
  'iommuLens.showWalk': 'walk',
  'iommuLens.showTlb': 'tlb',
  'iommuLens.showStreamTable': 'streams',
  'iommuLens.showEvents': 'events',
  'iommuLens.showVm': 'vm',
};

/** Opens a panel for a scenario; `stepIndex` is given by code lenses (`showWalk [uri, step]`). */
export type PanelOpener = (kind: PanelKind, uri: vscode.Uri | undefined, stepIndex: number | undefined) => unknown;

/** The .smmu document a command acts on: its argument, else the active editor. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length > 0) return vscode.Uri.parse(arg);
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'smmu' ? doc.uri : undefined;
}

async function runScenario(client: RequestClient, arg: unknown): Promise<void> {
  const uri = targetUri(arg);
  if (!uri) {
    void vscode.window.showWarningMessage('IOMMU Lens: open a .smmu scenario first.');
    return;
  }
  // Opening (not saving) is enough: the server runs the editor's text, unsaved edits included.
  await vscode.workspace.openTextDocument(uri);
  const params: ResultParams = { uri: uri.toString() };
  let r: ResultResponse;
  try {
    r = await client.sendRequest<ResultResponse>(RESULT_REQUEST, params);
  } catch (e) {
    void vscode.window.showErrorMessage(`IOMMU Lens: the language server could not run the scenario: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (!r) {
    void vscode.window.showWarningMessage(`IOMMU Lens: the language server has no result for ${uri.path.split('/').pop()} yet.`);
    return;
  }
  const v = statusView({
    passed: r.expectations.passed,
    failed: r.expectations.failed,
    faults: r.steps.filter((s) => s.outcome === 'fault').length,
    hazards: r.steps.reduce((a, s) => a + s.hazards.length, 0),
    errors: r.diagnostics.filter((d) => d.severity === 'error').length,
    partial: r.partial,
  });
  const name = uri.path.split('/').pop() ?? '';
  const msg = `${name}: ${v.summary} (${r.steps.length} steps)`;
  void (v.warning ? vscode.window.showWarningMessage(msg) : vscode.window.showInformationMessage(msg));
}

export function registerCommands(context: vscode.ExtensionContext, client: RequestClient, openPanel?: PanelOpener, onQemu?: QemuListener): void {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('iommuLens.runScenario', (arg) => runScenario(client, arg));
  const qemuDiags = vscode.languages.createDiagnosticCollection('iommu-lens-qemu');
  context.subscriptions.push(qemuDiags, vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && qemuDiags.delete(e.document.uri)));
  reg('iommuLens.compareQemu', (arg) => compareWithQemu(client, qemuDiags, targetUri(arg), onQemu));
  reg('iommuLens.debugScenario', (arg) => {
    const uri = targetUri(arg);
    if (!uri) return vscode.window.showWarningMessage('IOMMU Lens: open a .smmu scenario first.');
    return debugScenario(uri);
  });
  // The debugger steps back by replaying (supportsStepBack): reachable from the palette and a key.
  reg('iommuLens.stepBack', () => vscode.commands.executeCommand('workbench.action.debug.stepBack'));
  reg('iommuLens.reverseContinue', () => vscode.commands.executeCommand('workbench.action.debug.reverseContinue'));
  for (const [id, kind] of Object.entries(PANEL_COMMANDS)) {
    reg(id, (arg, step) => {
      if (openPanel) return openPanel(kind, targetUri(arg), typeof step === 'number' ? step : undefined);
      return vscode.window.showInformationMessage(`IOMMU Lens: the ${kind} panel is not available in this build yet.`);
    });
  }
}
