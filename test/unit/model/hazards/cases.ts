// Hazard cases as scenarios (shared by the hazard scenario tests): each states its hazards with
// `expect hazard H_...` (on a transaction: that step; on a line of its own: the statement before
// it) and `expect no hazard`; besides every expectation passing, the hazards reported must be
// exactly the ones the scenario expects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

export interface Case {
  name: string;
  /** Scenario text with its `expect hazard` / `expect no hazard` lines. */
  text: string;
}

export const run = (text: string) => runScenario(text, 'hz.smmu');
export const codes = (text: string) => run(text).diagnostics.filter((d) => d.code.startsWith('H_')).map((d) => `${d.code}@${d.line}`).sort();

/** The hazards a scenario expects, as `CODE@line` of the statement each `expect hazard` refers to. */
export function expected(text: string): string[] {
  const out: string[] = [];
  let stmt = 0;
  text.split('\n').forEach((l, i) => {
    if (!/^\s*expect\b/.test(l) && l.trim()) stmt = i + 1;
    for (const m of l.matchAll(/expect hazard (H_[A-Z0-9_]+)/g)) out.push(`${m[1]}@${stmt}`);
  });
  return out.sort();
}

/** One test per case: well-formed, expectations pass, exactly the expected hazards. */
export function testCases(prefix: string, cases: readonly Case[]): void {
  for (const c of cases) {
    test(`${prefix}: ${c.name}`, () => {
      const r = run(c.text);
      const errors = r.diagnostics.filter((d) => d.severity === 'error' && !/^(F_|C_)/.test(d.code));
      assert.deepEqual(errors, [], 'the scenario itself is well-formed');
      assert.ok(r.expectations.passed > 0, 'the case states its hazards');
      assert.deepEqual(r.expectations.failed, 0, JSON.stringify(r.diagnostics.filter((d) => d.code === 'EXPECT_FAILED')));
      assert.deepEqual(codes(c.text), expected(c.text), 'exactly the hazards the scenario expects');
    });
  }
}

/**
 * The scenario with a hazard's fix applied as it says: its lines inserted `after line N` or
 * `before line N`, or line N replaced (`write line N as`).
 */
export function applyFix(text: string, fix: string): string {
  const cmds = [...fix.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const m = /(after|before) line (\d+)|write line (\d+) as/.exec(fix);
  const lines = text.split('\n');
  if (m?.[3]) lines.splice(Number(m[3]) - 1, 1, cmds[0]);
  else if (m) lines.splice(Number(m[2]) - (m[1] === 'before' ? 1 : 0), 0, ...cmds);
  return lines.join('\n');
}
