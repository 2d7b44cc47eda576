// Runs of one scenario text for the incremental-run tests: from the start, and with dense
// checkpoints, resumed from a previous session; `json` compares results with bigints as text.
import { compileScenario, type ScenarioSession } from '../../../../language-server/src/engine';
import type { Session } from '../../../../language-server/src/engine/run/session';

export const noInclude = () => ({ error: 'includes are not read here' });
export const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export function runsOf(uri: string) {
  return {
    scratch: (text: string) => compileScenario(text, uri, { readInclude: noInclude }).runToEnd(),
    run: (text: string, previous?: ScenarioSession, every = 8) => {
      const s = compileScenario(text, uri, { readInclude: noInclude, checkpoints: { every, cost: 0, max: 4096 }, previous }) as Session;
      return { s, r: s.runToEnd() };
    },
  };
}
