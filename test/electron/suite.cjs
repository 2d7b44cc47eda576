// Runs inside desktop VS Code's extension host (test/electron/run.mjs): the same checks as the
// e2e suite's first cases, through the VS Code API.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

async function waitFor(what, fn, ms = 30000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

exports.run = async function run() {
  const file = vscode.Uri.file(path.resolve(__dirname, '../../examples/quickstart.smmu'));
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'smmu');
  const ext = vscode.extensions.getExtension('iommu-lens.iommu-lens');
  assert.ok(ext, 'extension not found');
  await waitFor('activation', () => ext.isActive);
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['iommuLens.runScenario', 'iommuLens.showWalk', 'iommuLens.showTlb', 'iommuLens.showStreamTable', 'iommuLens.showEvents']) {
    assert.ok(commands.includes(c), `command ${c} not registered`);
  }
  // quickstart.smmu faults twice on purpose: the server reports both as diagnostics.
  const diags = await waitFor('diagnostics', () => {
    const d = vscode.languages.getDiagnostics(file);
    return d.length >= 2 ? d : undefined;
  });
  assert.ok(diags.some((d) => /F_PERMISSION/.test(d.message)));
  assert.ok(diags.some((d) => /F_TRANSLATION/.test(d.message)));
  console.log('test:electron: 3 checks passed');
};
