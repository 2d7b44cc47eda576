// "IOMMU Lens: Compare with QEMU": asks the language server to run the scenario through QEMU's
// SMMUv3 (iommuLens/compareQemu) and shows every DMA that differs as a diagnostic (information
// for a known QEMU departure or a step QEMU cannot run, warning for an unexplained difference)
// and in the Events panel. QEMU is an executable named by a setting: nothing runs in an
// untrusted workspace (iommuLens.qemu.path is a restricted configuration).
import * as vscode from 'vscode';
import { QEMU_REQUEST, type QemuParams, type QemuResponse, type QemuSummary } from '../../language-server/src/server/protocol';
import type { RequestClient } from './lazyClient';

export type QemuListener = (uri: string, summary: QemuSummary) => void;

const SEVERITY = { information: vscode.DiagnosticSeverity.Information, warning: vscode.DiagnosticSeverity.Warning } as const;

/** The diagnostics of a comparison (1-based lines and columns in the summary). */
export function qemuDiagnostics(s: QemuSummary): vscode.Diagnostic[] {
  return s.rows.map((r) => {
    const d = new vscode.Diagnostic(new vscode.Range(r.line - 1, r.col - 1, r.endLine - 1, r.endCol - 1), r.message, SEVERITY[r.severity]);
    d.code = r.code;
    d.source = 'IOMMU Lens (QEMU)';
    return d;
  });
}

export async function compareWithQemu(client: RequestClient, collection: vscode.DiagnosticCollection, uri: vscode.Uri | undefined, listener?: QemuListener): Promise<void> {
  if (!uri) {
    void vscode.window.showWarningMessage('IOMMU Lens: open a .smmu scenario first.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('IOMMU Lens: Compare with QEMU runs an executable (iommuLens.qemu.path): trust this workspace first.');
    return;
  }
  await vscode.workspace.openTextDocument(uri);
  const cfg = vscode.workspace.getConfiguration('iommuLens', uri);
  const params: QemuParams = { uri: uri.toString(), trusted: vscode.workspace.isTrusted, qemuPath: cfg.get<string>('qemu.path', ''), timeoutSeconds: cfg.get<number>('qemu.timeout', 20) };
  const name = uri.path.split('/').pop() ?? '';
  let r: QemuResponse;
  try {
    r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `IOMMU Lens: ${name} through QEMU's SMMUv3…` },
      () => client.sendRequest<QemuResponse>(QEMU_REQUEST, params));
  } catch (e) {
    void vscode.window.showErrorMessage(`IOMMU Lens: Compare with QEMU failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (!r) {
    void vscode.window.showWarningMessage(`IOMMU Lens: the language server does not know ${name} yet.`);
    return;
  }
  collection.set(uri, qemuDiagnostics(r));
  listener?.(uri.toString(), r);
  const c = r.counts;
  const msg = r.cannotRun
    ? `${name}: cannot run in QEMU: ${r.cannotRun}`
    : `${name} vs ${r.title}: ${c.same} same, ${c.known} known departure${c.known === 1 ? '' : 's'}, ${c.unexplained} unexplained, ${c.notComparable} not comparable`;
  void (r.cannotRun || c.unexplained ? vscode.window.showWarningMessage(msg) : vscode.window.showInformationMessage(msg));
}
