// The `run` command line: `iommu-lens run FILE... [--json] [--junit FILE] [--fail-on LEVEL]`.

import { FAIL_ON, type FailOn } from './policy';

export const USAGE = `usage: iommu-lens run FILE... [--json] [--junit FILE] [--fail-on fault|hazard|warning]
       iommu-lens --help

Runs each .smmu scenario through the SMMUv3 model and prints its diagnostics as
file:line:col: severity: message [CODE], a summary per file and a total.

  --json           one JSON object per file (the README's contract) instead of text
  --junit FILE     also write a JUnit XML report (one testcase per expectation) to FILE
  --fail-on LEVEL  what fails the run besides errors and failed expectations:
                     fault   (default) a fault no expectation asked for
                     hazard  also a hazard no \`expect hazard\` asked for
                     warning also any warning
  -h, --help       print this help

Exit status: 0 pass, 1 an expectation failed (or a hazard/warning under --fail-on),
2 errors (syntax, semantic, an unexpected fault, an unreadable file) or a bad command line.`;

export interface RunOptions {
  files: string[];
  json: boolean;
  junit?: string;
  failOn: FailOn;
}

export function parseRunArgs(args: readonly string[]): RunOptions | { error: string } {
  const o: RunOptions = { files: [], json: false, failOn: 'fault' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--json') o.json = true;
    else if (flag === '--junit') {
      const v = value();
      if (!v) return { error: '--junit needs a file name' };
      o.junit = v;
    } else if (flag === '--fail-on') {
      const v = value();
      if (!v || !(FAIL_ON as readonly string[]).includes(v)) return { error: `--fail-on takes ${FAIL_ON.join(', ')}${v ? `, not '${v}'` : ''}` };
      o.failOn = v as FailOn;
    } else if (a.startsWith('-') && a !== '-') return { error: `unknown option ${a}` };
    else o.files.push(a);
  }
  if (o.files.length === 0) return { error: 'no scenario file given' };
  return o;
}
