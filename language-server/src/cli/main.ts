// `iommu-lens COMMAND ...`: the command-line entry point (`run` lives in run.ts, usage in
// options.ts) and the include resolver the commands share.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncludeResolver } from '../engine/api';
import { USAGE } from './options';
import { PLAN_USAGE, planCommand } from './plan';
import { runCommand } from './run';
import { flushStdout, writeStdout, writeStdoutLine } from './stdout';

// `qemu`, `lower` and `decode` (the QEMU comparison, the traffic recorder, the logs decoder) load
// when used: a `run` does not evaluate their code (the process's start-up).
const lower = () => require('./lower') as typeof import('./lower');
const qemu = () => require('./qemu') as typeof import('./qemu');
const decode = () => require('./decode') as typeof import('./decode');

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
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help' || (command === 'run' && (args.includes('--help') || args.includes('-h')))) {
    out(`${USAGE}\n\n${PLAN_USAGE}`);
    return 0;
  }
  if (command === 'run') return runCommand(args, out, err, cwd, makeResolver, write);
  if (command === 'plan') return planCommand(args, out, err);
  if (command === 'qemu') return qemu().qemuMain(args, out, err, cwd);
  if (command === 'lower') return lower().lowerMain(args, out, err, cwd);
  if (command === 'decode') return decode().decodeMain(args, out, err, cwd, () => fs.readFileSync(0, 'utf8'));
  err(command === undefined ? USAGE : `unknown command '${command}'\n${USAGE}\n${PLAN_USAGE}`);
  return 2;
}

export { flushStdout, writeStdout, writeStdoutLine } from './stdout';

if (require.main === module) {
  void Promise.resolve(main(process.argv.slice(2), writeStdoutLine, (s) => process.stderr.write(s + '\n'), process.cwd(), writeStdout))
    .then((code) => {
      flushStdout();
      process.exitCode = code;
    });
}
