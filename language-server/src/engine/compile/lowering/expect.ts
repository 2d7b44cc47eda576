// Expectations: `expect pa|fault|event|tlb|outcome|mem|hazard ...`, attached to a transaction
// (`dma ... expect pa 0x...`) or standalone (applies to the preceding transaction). Each is its
// own step, so it shows in the timeline and counts once. A passing `expect fault`/`event`/
// `outcome` turns the transaction's fault diagnostic into information: the fault was intended.

import type { Expectation, Field, Span } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import type { LowerCtx, TxnRef } from '../lowerCtx';
import type { Runtime, TxnRecord } from '../../run/runtime';
import type { WireEvent } from '../../output/wire';
import { valueText } from './values';
import { EVENT_TYPES } from '../../../model/fields/events';
import { closest, didYouMean } from '../names/symbols';

type Check = (rt: Runtime) => { passed: boolean; message: string; intendedFault?: boolean; hazards?: Array<{ code: string; line: number }> };

const OUTCOMES = ['ok', 'fault', 'stalled', 'aborted', 'bypass'];

/** `attached`: written on the transaction's line (hazard then checks that step; else the state so far). */
export function lowerExpectation(ctx: LowerCtx, e: Expectation, txn: TxnRef | undefined, span: Span, attached = false): void {
  const what = e.what?.lower;
  if (!what) return;
  // The steps an expectation reads are named relative to its own (this step's index, rt.index
  // when it runs, minus `back`): a paste that adds steps before both leaves the step as it is
  // (compile/reuse.ts reuses it moved), and its key with it.
  const self = ctx.steps.length;
  const back = txn && self - txn.step;
  const callBack = ctx.lastCall === undefined ? undefined : self - ctx.lastCall;
  const negated = e.negated !== undefined;
  let check: Check | undefined;
  const needTxn = (): TxnRef | undefined => {
    if (!txn) ctx.report(span, 'E_EXPECT_NO_TRANSACTION', `\`expect ${what}\` needs a preceding dma`);
    else ctx.watch(txn.step);
    return txn;
  };
  const v0 = e.values[0];
  switch (what) {
    case 'pa': {
      const t = needTxn();
      if (!t || !v0 || v0.kind !== 'number') break;
      const want = v0.value;
      check = (rt) => {
        const r = rt.txn(rt.index - back!);
        if (!r) return notRun();
        const ok = r.wire.outcome === 'ok' && r.pa === want;
        return { passed: ok !== negated, message: `expected pa ${negated ? 'not ' : ''}${hex(want)}, got ${describe(r)}` };
      };
      break;
    }
    case 'outcome': {
      const t = needTxn();
      const want = valueText(v0)?.toLowerCase();
      if (!t || !want) break;
      if (!OUTCOMES.includes(want)) {
        ctx.report(v0!, 'E_EXPECT', `unknown outcome '${valueText(v0)}': expected ${OUTCOMES.join(', ')}`);
        break;
      }
      check = (rt) => {
        const r = rt.txn(rt.index - back!);
        if (!r) return notRun();
        const ok = (r.outcome === want) !== negated;
        return { passed: ok, message: `expected outcome ${negated ? 'not ' : ''}${want}, got ${describe(r)}`, intendedFault: ok && !negated && want !== 'ok' };
      };
      break;
    }
    case 'tlb': {
      const t = needTxn();
      const want = valueText(v0)?.toLowerCase();
      if (!t || !want) break;
      if (want !== 'hit' && want !== 'miss') {
        ctx.report(v0!, 'E_EXPECT', `expected 'hit' or 'miss' after \`expect tlb\``);
        break;
      }
      check = (rt) => {
        const r = rt.txn(rt.index - back!);
        if (!r) return notRun();
        const ok = (r.wire.tlb === want) !== negated;
        return { passed: ok, message: `expected TLB ${negated ? 'not ' : ''}${want}, got ${r.wire.tlb ?? 'no TLB lookup'} (${describe(r)})` };
      };
      break;
    }
    case 'fault':
    case 'event': {
      const t = needTxn();
      if (!t) break;
      const type = v0 ? valueText(v0)?.toUpperCase() : undefined;
      if (what === 'event' && !type) break;
      if (type !== undefined && !(type in EVENT_TYPES)) {
        ctx.report(v0!, 'E_EXPECT', `unknown event '${valueText(v0)}'${didYouMean(closest(type, Object.keys(EVENT_TYPES)))} (IHI 0070 §7.3)`);
        break;
      }
      const match = eventMatcher(ctx, e.fields);
      if (!match) break;
      check = (rt) => {
        const r = rt.txn(rt.index - back!);
        if (!r) return notRun();
        // `event`: written to the event queue; `fault`: the fault's record, recorded or not.
        const evs = what === 'event' ? r.wire.events.filter((_ev, i) => r.recorded[i]) : r.wire.events;
        const faulted = r.wire.outcome === 'fault' || r.wire.outcome === 'stalled';
        const candidates = what === 'fault' && !faulted ? [] : evs;
        const hit = candidates.find((ev) => (!type || ev.type === type) && match.test(ev, r).length === 0);
        const want = `${what}${type ? ' ' + type : ''}${match.text}`;
        if (negated) return { passed: !hit, message: `expected no ${want}, got ${describe(r)}` };
        if (hit) return { passed: true, message: `${want}`, intendedFault: true };
        const near = candidates.find((ev) => !type || ev.type === type);
        const why = near ? `; ${match.test(near, r).join(', ')}` : '';
        return { passed: false, message: `expected ${want}, got ${describe(r)}${why}` };
      };
      break;
    }
    case 'mem': {
      const a = e.values[0];
      const v = e.values[1];
      if (!a || a.kind !== 'number' || !v || v.kind !== 'number') break;
      check = (rt) => {
        const got = rt.readMem(a.value);
        return { passed: (got === v.value) !== negated, message: `expected mem[${hex(a.value)}] ${negated ? '!=' : '=='} ${hex(v.value)}, got ${hex(got)}` };
      };
      break;
    }
    case 'hazard': {
      const code = valueText(v0)?.toUpperCase();
      const step = attached ? back : undefined;
      check = (rt) => {
        const hz = step !== undefined ? rt.stepHazards(rt.index - step) : rt.allHazards();
        // Without a code, information-level hazards (H_CM_INVALID_TO_VALID) do not count: they are not bugs on real SMMUs.
        const hit = hz.filter((h) => (code ? h.code === code : h.severity !== 'information'));
        const where = step !== undefined ? 'on the preceding transaction' : 'so far';
        if (negated) return { passed: hit.length === 0, message: `expected no hazard${code ? ' ' + code : ''} ${where}, got ${hit.map((h) => h.code).join(', ')}` };
        return {
          passed: hit.length > 0, message: `expected hazard ${code ?? ''} ${where}, got ${hz.length ? hz.map((h) => h.code).join(', ') : 'none'}`,
          hazards: hit.map((h) => ({ code: h.code, line: h.line })),
        };
      };
      break;
    }
    case 'rejected': {
      // `expect rejected [ERRNO]`: the preceding iommufd call (or guest action) was refused.
      if (callBack === undefined) {
        ctx.report(span, 'E_EXPECT_NO_CALL', '`expect rejected` needs a preceding iommufd line or guest action on a vsmmu/vIOMMU');
        break;
      }
      const errno = valueText(v0)?.toUpperCase().replace(/^-/, '');
      check = (rt) => {
        const call = rt.index - callBack;
        const rej = rt.virt.rejectionsAt(call);
        const hit = rej.filter((r) => !errno || r.errno === errno);
        const got = rej.length ? rej.map((r) => `-${r.errno}`).join(', ') : 'no rejection';
        if (negated) return { passed: hit.length === 0, message: `expected no rejection${errno ? ' -' + errno : ''}, got ${got}` };
        if (hit.length) rt.virt.markRejectionIntended(call);
        return { passed: hit.length > 0, message: `expected rejection${errno ? ' -' + errno : ''}, got ${got}` };
      };
      break;
    }
    default:
      return; // unknown kind: the parser reported it
  }
  if (!check) return;
  const label = `expect ${negated ? 'no ' : ''}${what}${e.values.map((v) => ' ' + (valueText(v) ?? '')).join('')}`;
  const c = check;
  ctx.addStep({
    span, kind: 'expect', label, sig: [back, callBack],
    run: (rt, out) => {
      const res = c(rt);
      out.expectation = { passed: res.passed, message: res.message, text: label };
      if (res.passed && res.hazards?.length) out.expectation.hazards = res.hazards;
      if (!res.passed) rt.report('error', 'EXPECT_FAILED', res.message);
      else if (res.intendedFault && back !== undefined) rt.markFaultIntended(rt.index - back);
    },
  });
}

function notRun() {
  return { passed: false, message: 'the transaction did not run (it has errors)' };
}

function describe(r: TxnRecord): string {
  // The language's outcomes are the model's (`bypass` and `aborted` included).
  const w = r.wire;
  const o = r.outcome;
  if (w.outcome === 'ok') return `${o} pa ${w.pa}`;
  const ev = w.events[0];
  return `${o}${ev ? ' ' + ev.type : ''}`;
}

interface Matcher {
  text: string;
  /** Mismatches, empty when the event matches. */
  test(ev: WireEvent, r: TxnRecord): string[];
}

const CLASS = new Set(['CD', 'TT', 'IN']);

function eventMatcher(ctx: LowerCtx, fields: Field[]): Matcher | undefined {
  const tests: Array<(ev: WireEvent, r: TxnRecord) => string | undefined> = [];
  let text = '';
  for (const f of fields) {
    const n = f.name.lower;
    const v = f.values[0];
    const t = valueText(v);
    text += ` ${f.name.text}${t !== undefined ? ' ' + t : ''}`;
    const numv = v?.kind === 'number' ? v.value : undefined;
    const needNum = (): bigint | undefined => {
      if (numv === undefined) ctx.report(f, 'E_EXPECT', `expected a number after '${f.name.text}'`);
      return numv;
    };
    switch (n) {
      case 'stage': {
        const s = needNum();
        if (s === undefined) return undefined;
        tests.push((ev) => ((ev.s2 ? 2n : 1n) === s ? undefined : `fault at stage ${ev.s2 ? 2 : 1}`));
        break;
      }
      case 'class': {
        const c = t?.toUpperCase();
        if (!c || !CLASS.has(c)) {
          ctx.report(f, 'E_EXPECT', `class is CD, TT or IN`);
          return undefined;
        }
        tests.push((ev) => (ev.class === c ? undefined : `CLASS is ${ev.class ?? 'absent'}`));
        break;
      }
      case 'addr':
      case 'iova': {
        const a = needNum();
        if (a === undefined) return undefined;
        tests.push((ev) => (ev.inputAddr === hex(a) ? undefined : `InputAddr is ${ev.inputAddr ?? 'absent'}`));
        break;
      }
      case 'ipa': {
        const a = needNum();
        if (a === undefined) return undefined;
        // The record carries the IPA's page (IHI 0070 §7.3: IPA[51:12]), so the expected IPA is compared page-aligned by the user.
        tests.push((ev) => (ev.ipa === hex(a) ? undefined : `IPA is ${ev.ipa ?? 'absent'} (event records hold the page-aligned IPA, bits [51:12])`));
        break;
      }
      case 'sid':
      case 'ssid': {
        const a = needNum();
        if (a === undefined) return undefined;
        tests.push((ev) => ((n === 'sid' ? ev.sid : ev.ssid) === hex(a) ? undefined : `${n === 'sid' ? 'StreamID' : 'SubstreamID'} is ${(n === 'sid' ? ev.sid : ev.ssid) ?? 'absent'}`));
        break;
      }
      case 'level': {
        const l = needNum();
        if (l === undefined) return undefined;
        tests.push((_ev, r) => {
          const lv = r.faultLevel;
          return lv !== undefined && BigInt(lv) === l ? undefined : `fault level is ${lv ?? 'unknown'}`;
        });
        break;
      }
      case 'rnw': pushFlag(tests, v, numv, t, (ev) => ev.rnw, 'RnW'); break;
      case 'ind':
      case 'inst': pushFlag(tests, v, numv, t, (ev) => ev.ind, 'InD'); break;
      case 'pnu':
      case 'priv': pushFlag(tests, v, numv, t, (ev) => ev.pnu, 'PnU'); break;
      case 's2': pushFlag(tests, v, numv, t, (ev) => ev.s2, 'S2'); break;
      case 'reason': {
        const sub = t?.toLowerCase() ?? '';
        tests.push((_ev, r) => (r.reason.toLowerCase().includes(sub) ? undefined : `reason is "${r.reason}"`));
        break;
      }
      case 'count': {
        const c = needNum();
        if (c === undefined) return undefined;
        tests.push((_ev, r) => (BigInt(r.wire.events.length) === c ? undefined : `${r.wire.events.length} events`));
        break;
      }
      default:
        ctx.report(f.name, 'E_EXPECT', `unknown expectation field '${f.name.text}': stage, class, addr, ipa, level, sid, ssid, rnw, ind, pnu, s2, reason, count`);
        return undefined;
    }
  }
  return { text, test: (ev, r) => tests.map((x) => x(ev, r)).filter((m): m is string => m !== undefined) };
}

function pushFlag(
  tests: Array<(ev: WireEvent, r: TxnRecord) => string | undefined>,
  v: unknown, numv: bigint | undefined, t: string | undefined,
  get: (ev: WireEvent) => boolean | undefined, name: string,
): void {
  const want = v === undefined ? true : numv !== undefined ? numv !== 0n : t?.toLowerCase() !== 'false';
  tests.push((ev) => (get(ev) === want ? undefined : `${name} is ${get(ev) ? 1 : 0}`));
}
