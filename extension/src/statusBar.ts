// The status-bar item: the last `iommuLens/scenarioResult` of the active `.smmu` editor.
import * as vscode from 'vscode';
import type { ScenarioResultParams } from '../../language-server/src/server/protocol';
import { statusView } from './statusText';

export class ScenarioStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly results = new Map<string, ScenarioResultParams>();
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('iommuLens.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'IOMMU Lens';
    this.item.command = 'iommuLens.runScenario';
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.results.delete(d.uri.toString())),
    );
    this.render();
  }

  update(r: ScenarioResultParams): void {
    const last = this.results.get(r.uri);
    if (last && r.version < last.version) return; // a late result of an older edit
    this.results.set(r.uri, r);
    this.render();
  }

  /** Last result for a document, if the server sent one. */
  get(uri: string): ScenarioResultParams | undefined {
    return this.results.get(uri);
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'smmu') {
      this.item.hide();
      return;
    }
    const r = this.results.get(doc.uri.toString());
    if (!r) {
      this.item.text = '$(loading~spin) SMMU';
      this.item.tooltip = 'IOMMU Lens: waiting for the language server to run the scenario';
      this.item.backgroundColor = undefined;
    } else {
      const v = statusView(r);
      this.item.text = v.text;
      this.item.tooltip = v.tooltip;
      this.item.backgroundColor = v.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
