// `iommu-lens run FILE... [--json]`: runs scenarios headless. `iommu-lens plan ...`: cli/plan.ts.
// Exit status: 0 every expectation holds and no errors; 1 an expectation failed; 2 a file has
// errors (syntax, semantic, unexpected faults, unreadable file) or the command line is wrong.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScenario, runScenario } from '../engine/index';
import type { IncludeResolver, WireScenarioResult } from '../engine/api';
import { exitCode, formatText } from './format';
import { planCommand } from './plan';
import { lowerMain } from './lower';
import { qemuMain } from './qemu';
import { runJsonStreaming } from './jsonStream';
import { decodeMain } from './decode';

const USAGE = 'usage: iommu-lens run FILE... [--json]\n       iommu-lens decode [FILE|-] [--json]';

/** Includes resolve relative to the including file and must stay inside the working directory
 * tree, unless the file was named on the command line. */
export function makeResolver(cwd: string, allowed: ReadonlySet<string>): IncludeResolver {
  return (fromUri, p) => {
    const target = path.resolve(path.dirname(path.resolve(cwd, fromUri)), p);
    const rel = path.relative(cwd, target);
    const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    if (!inside && !allowed.has(target)) return { error: `include '${p}' is outside the working directory (${cwd}); name it on the command line to allow it` };
    try {
      // Symlinks are followed before the check (a link inside cannot reach outside); only regular
      // files are read (a FIFO or a device would block or never end).
      const real = fs.realpathSync(target);
      const realRel = path.relative(fs.realpathSync(cwd), real);
      if (!allowed.has(target) && (realRel.startsWith('..') || path.isAbsolute(realRel))) return { error: `include '${p}' leads outside the working directory (${cwd}) through a symbolic link` };
      if (!fs.statSync(real).isFile()) return { error: `include '${p}' is not a regular file` };
      return { uri: inside ? rel : target, text: fs.readFileSync(real, 'utf8') };
    } catch (e) {
      return { error: `cannot read include '${p}': ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  };
}

/** `out` writes a line (a newline is added when missing); `write`, when given, writes a chunk as it
 *  is (`--json` streams each file's line in chunks through it). */
export function main(argv: string[], out: (s: string) => void, err: (s: string) => void, cwd = process.cwd(), write?: (chunk: string) => void): number | Promise<number> {
  const args = argv.slice();
  if (args[0] === 'plan') return planCommand(args.slice(1), out, err);
  if (args[0] === 'qemu') return qemuMain(args.slice(1), out, err, cwd);
  if (args[0] === 'lower') return lowerMain(args.slice(1), out, err, cwd);
  if (args[0] === 'decode') return decodeMain(args.slice(1), out, err, cwd, () => fs.readFileSync(0, 'utf8'));
  if (args[0] !== 'run') {
    err(USAGE);
    return 2;
  }
  args.shift();
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown || files.length === 0) {
    err(unknown ? `unknown option ${unknown}\n${USAGE}` : USAGE);
    return 2;
  }
  const allowed = new Set(files.map((f) => path.resolve(cwd, f)));
  const readInclude = makeResolver(cwd, allowed);
  let status = 0;
  for (const file of files) {
    let result: WireScenarioResult;
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      result = {
        file, steps: [], expectations: { passed: 0, failed: 0 },
        diagnostics: [{ line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', code: 'E_FILE', message: `cannot read ${file}: ${code}` }],
      };
      status = Math.max(status, 2);
      out(json ? JSON.stringify(result) : formatText(result));
      continue;
    }
    if (files.length > 1) err(`running ${file}`);
    const t0 = Date.now();
    // Progress on long runs: the engine polls isCancelled between steps.
    let steps = 0;
    let last = t0;
    const isCancelled = () => {
      steps++;
      if ((steps & 1023) === 0 && Date.now() - last > 2000) {
        last = Date.now();
        err(`${file}: ${steps} steps run (${((last - t0) / 1000).toFixed(0)} s)`);
      }
      return false;
    };
    if (json) {
      // Compiling never throws (problems are diagnostics); running catches per step.
      let session;
      try {
        session = compileScenario(text, file, { readInclude, isCancelled });
      } catch {
        session = undefined;
      }
      if (session) {
        const chunks: string[] = [];
        result = runJsonStreaming(session, file, write ?? ((c) => chunks.push(c)));
        if (!write) out(chunks.join(''));
        status = Math.max(status, exitCode(result));
        const ms = Date.now() - t0;
        if (ms > 1000) err(`${file}: ${session.position} steps in ${(ms / 1000).toFixed(1)} s`);
        continue;
      }
    }
    result = runScenario(text, file, { readInclude, isCancelled });
    const ms = Date.now() - t0;
    if (ms > 1000) err(`${file}: ${result.steps.length} steps in ${(ms / 1000).toFixed(1)} s`);
    status = Math.max(status, exitCode(result));
    out(json ? JSON.stringify(result) : formatText(result));
  }
  return status;
}

if (require.main === module) {
  void Promise.resolve(main(process.argv.slice(2), (s) => process.stdout.write(s.endsWith('\n') || s === '' ? s : s + '\n'), (s) => process.stderr.write(s + '\n'), process.cwd(), (s) => process.stdout.write(s)))
    .then((code) => { process.exitCode = code; });
}
