// The extension as a user meets it in VS Code (code-server): installed from the .vsix, activated
// by a .smmu file, language mode, syntax colors, status bar, diagnostics in Problems, hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { e2eSuite } from './lib/suite';

e2eSuite('extension', (ctx) => {
  test('the .vsix is installed into code-server', () => {
    const dir = readdirSync(ctx.extensionsDir).find((d) => d.startsWith('iommu-lens.iommu-lens-'));
    assert.ok(dir, `not installed: ${readdirSync(ctx.extensionsDir).join(', ')}`);
    const root = join(ctx.extensionsDir, dir);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { languages: { id: string }[] } };
    assert.deepEqual(manifest.contributes.languages.map((l) => l.id), ['smmu']);
    for (const f of ['dist/extension.js', 'dist/client.js', 'dist/server.js', 'dist/debugAdapter.js', 'syntaxes/smmu.tmLanguage.json']) {
      assert.ok(existsSync(join(root, f)), `${f} missing from the installed extension`);
    }
    assert.ok(!existsSync(join(root, 'node_modules')), 'the .vsix must not ship node_modules');
  });

  test('opening a .smmu file activates the extension: language mode is "SMMU scenario"', async () => {
    await ctx.wb.openFile('quickstart.smmu');
    assert.equal(await ctx.wb.languageMode(), 'SMMU scenario');
    await ctx.wb.screenshot('quickstart-open');
  });

  test('the grammar colors keywords, numbers and comments differently', async () => {
    const toks = await ctx.wb.tokens('write64 0x40000200 0x4003000b');
    const color = (t: string) => toks.find((x) => x.text.trim() === t)?.color;
    const kw = color('write64');
    const num = color('0x40000200');
    assert.ok(kw && num, `tokens not found in ${JSON.stringify(toks)}`);
    assert.notEqual(kw, num, 'keyword and number have the same color');
    const comment = (await ctx.wb.tokens('Dword 1: TTB0=0x40100000.'))[0]?.color;
    assert.ok(comment);
    assert.notEqual(comment, kw);
    assert.notEqual(comment, num);
    const lines = readFileSync(join(ctx.workspace, 'quickstart.smmu'), 'utf8').split('\n');
    await ctx.wb.gotoLine(lines.indexOf('reg smmu0.SMMU_CR0 0xd') + 1);
    const reg = await ctx.wb.tokens('reg smmu0.SMMU_CR0 0xd');
    const regColor = reg.find((x) => x.text.includes('SMMU_CR0'))?.color;
    assert.ok(regColor && regColor !== num, `register token ${JSON.stringify(reg)}`);
  });

  test('the status bar shows the scenario result from the language server', async () => {
    const text = await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓ \d+✗ \d+F \d+H/, 60_000);
    // quickstart.smmu: one pa expectation and two fault expectations, two faulting DMAs.
    assert.match(text, /SMMU 3✓ 0✗ 2F 0H/);
    assert.ok(!text.includes('$('), 'codicon not rendered');
    await ctx.wb.screenshot('status-bar');
  });

  test('hover over a register write explains it', async () => {
    const lines = readFileSync(join(ctx.workspace, 'quickstart.smmu'), 'utf8').split('\n');
    const line = lines.indexOf('reg smmu0.SMMU_CR0 0xd') + 1;
    const text = await ctx.wb.hoverAt(line, 'reg smmu0.SMMU_'.length + 2);
    assert.match(text, /CR0/);
    await ctx.wb.screenshot('hover-cr0');
    await ctx.wb.escape();
  });

  test('"IOMMU Lens: Run Scenario" reports the result', async () => {
    await ctx.wb.runCommand('IOMMU Lens: Run Scenario');
    const toast = ctx.wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /quickstart\.smmu:/ }).first();
    await toast.waitFor({ timeout: 20_000 });
    assert.match(await toast.innerText(), /quickstart\.smmu: 3 passed, 0 failed, 2 faults, 0 hazards \(\d+ steps\)/);
    await ctx.wb.screenshot('run-scenario');
  });

  test('a syntax error shows up in the Problems panel', async () => {
    await ctx.wb.openFile('broken.smmu');
    const problems = await ctx.wb.problems(1, 30_000);
    assert.ok(problems.some((p) => /frobnicate/.test(p)), `problems: ${JSON.stringify(problems)}`);
    await ctx.wb.screenshot('problems');
  });

  test('"IOMMU Lens: Debug Scenario" starts the bundled debug adapter and stops on entry', async () => {
    await ctx.wb.openFile('quickstart.smmu');
    await ctx.wb.runCommand('IOMMU Lens: Debug Scenario');
    const page = ctx.wb.page;
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    // Stopped: the editor marks the current step line.
    await page.locator('.part.editor .debug-top-stack-frame-line, .part.editor .debug-top-stack-frame').first().waitFor({ timeout: 30_000 });
    await ctx.wb.screenshot('debug-stopped-on-entry');
    await ctx.wb.runCommand('Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  });

  test('activation takes under 100 ms (on an idle machine)', async () => {
    const ms = await ctx.wb.activationTimeMs('IOMMU Lens');
    // 100 ms on an idle machine; on an overloaded one (load above the core count, as when other
    // jobs share it) the limit scales with the load, since every extension's time does.
    const load = loadavg()[0] / cpus().length;
    const limit = Math.round(100 * Math.max(1, load));
    console.log(`activation: ${ms} ms (limit ${limit} ms at load ${load.toFixed(1)} per core)`);
    assert.ok(ms < limit, `activation took ${ms} ms (limit ${limit} ms)`);
  });

  test('light theme renders the scenario', async () => {
    await ctx.wb.openFile('quickstart.smmu');
    await ctx.wb.setTheme('light');
    await ctx.wb.gotoLine(1);
    const toks = await ctx.wb.tokens('write64 0x40000200 0x4003000b');
    assert.ok(toks.length >= 3);
    await ctx.wb.screenshot('light-theme');
    await ctx.wb.setTheme('dark');
  });
}, { files: { 'broken.smmu': '# an unknown statement\nfrobnicate smmu0 1\nwrite64 0x1000\n' } });
