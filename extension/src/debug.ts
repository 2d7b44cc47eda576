// The `iommu-lens` debug type: runs the bundled adapter dist/debugAdapter.js (DAP over stdio)
// with the node that runs the extension host, and fills a launch config for the active scenario.
import * as vscode from 'vscode';

export const DEBUG_TYPE = 'iommu-lens';

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionUri: vscode.Uri) {}
  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    const adapter = vscode.Uri.joinPath(this.extensionUri, 'dist', 'debugAdapter.js').fsPath;
    // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain node.
    return new vscode.DebugAdapterExecutable(process.execPath, [adapter], { env: { ELECTRON_RUN_AS_NODE: '1' } });
  }
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    // F5 with no launch.json: debug the active .smmu file, stopping on its first step.
    if (!config.type && !config.request && !config.name) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc?.languageId === 'smmu') {
        return { type: DEBUG_TYPE, request: 'launch', name: 'Debug scenario', program: doc.uri.fsPath, stopOnEntry: true };
      }
    }
    if (!config.program) {
      void vscode.window.showErrorMessage('IOMMU Lens: the launch configuration needs "program", the path of a .smmu scenario.');
      return undefined;
    }
    return config;
  }
}

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(context.extensionUri)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
  );
}

/** Starts debugging a scenario file (command `iommuLens.debugScenario [uri]`). */
export function debugScenario(uri: vscode.Uri): Thenable<boolean> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return vscode.debug.startDebugging(folder, {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug ${uri.path.split('/').pop() ?? 'scenario'}`,
    program: uri.fsPath,
    stopOnEntry: true,
  });
}
