// IOMMU Lens extension entry point. Activated by a .smmu file, a command or the debug type
// (package.json activationEvents); activate only registers things: the language client is
// loaded and the server started right after it returns (see lazyClient.ts).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { LazyClient } from './lazyClient';
import { panelOpener, registerDecodeLog, registerPanels } from './panels';
import { ScenarioStatusBar } from './statusBar';

let client: LazyClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const status = new ScenarioStatusBar();
  context.subscriptions.push(status);
  client = new LazyClient(context, (r) => status.update(r));
  const panels = registerPanels(context, client);
  registerCommands(context, client, panelOpener(panels), (uri, s) => panels.setQemu(uri, s));
  registerDecodeLog(context, context.extensionUri, client);
  registerDebugger(context);
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
