// Translation walk panel: the walks of the current step (one-stage chains, nested grids), or the
// TLB entry that answered when there was no walk.
import type { WireState, WireStep, WireTlbEntry, WireWalk } from '../../language-server/src/engine/api';
import { h, patchKeyed, replaceChildren } from './dom';
import { groupHex, parseHex, rangeEnd, sizeName } from './lib/format';
import { hashString } from './lib/keyed';
import type { PanelView, Update } from './panel';
import { chainSvg } from './walkChain';
import { nestedSvg } from './walkNested';
import { contextLine, stepLine, vmLine } from './walkHeader';
import { vmRoute } from './lib/vmRoute';
import { PLAIN_STAGES, VM_STAGES, type StageNames } from './walkSvg';

// ---- TLB hit -------------------------------------------------------------------------------

function tlbEntryFor(state: WireState, step: WireStep): WireTlbEntry | undefined {
  const iova = parseHex(step.iova);
  if (iova === undefined) return undefined;
  const smmu = state.smmus.find((m) => m.name === step.smmu) ?? state.smmus[0];
  return smmu?.tlb.find((e) => {
    const b = parseHex(e.inputBase) ?? 0n;
    return iova >= b && iova < b + (1n << BigInt(e.sizeLog2));
  });
}

// ---- panel ---------------------------------------------------------------------------------

/** The section title of one walk: what it translated, in whose stage, from which table. */
function walkTitle(walk: WireWalk, final: WireWalk | undefined, cdFetch: boolean, names: StageNames): string {
  const tbl = (w: WireWalk | undefined) => (w?.table ? ` (table ${w.table})` : '');
  if (walk.steps.some((x) => x.s2Walk)) {
    const s2 = final ?? walk.steps.find((x) => x.s2Walk)?.s2Walk;
    return `Nested walk of ${walk.inputAddr}: ${names.s1.toLowerCase()}${tbl(walk)} × ${names.s2.toLowerCase()}${tbl(s2)}`;
  }
  const name = walk.stage === 1 ? names.s1 : names.s2;
  if (cdFetch) return `${name} walk of the CD's IPA ${walk.inputAddr} (CD fetch)${tbl(walk)}`;
  return `${name} walk of ${walk.inputAddr}${tbl(walk)}`;
}

export function walkPanel(root: HTMLElement): PanelView {
  const header = h('header', { class: 'panel-header' });
  const list = h('div', { class: 'walks' });
  root.replaceChildren(header, list);
  let lastSig = '';
  return {
    update({ state, result }: Update) {
      const step = result?.steps.find((x) => x.index === state?.stepIndex);
      const ctx = state?.walkContext;
      const route = vmRoute(state?.vm, ctx?.smmu ?? step?.smmu, ctx?.sid ?? step?.sid);
      const nestedCfg = ctx?.config === 'nested' || (state?.walks ?? []).some((w) => w.steps.some((x) => x.s2Walk));
      const names = route && nestedCfg ? VM_STAGES : PLAIN_STAGES;
      replaceChildren(header, h('h1', {}, 'Translation walk'), stepLine(step), contextLine(state, route), vmLine(route, ctx?.sid));
      const walks = state?.walks ?? [];
      const sig = JSON.stringify([walks, names]) + (step?.index ?? '') + list.clientWidth;
      if (sig === lastSig) return;
      lastSig = sig;
      const width = Math.max(560, Math.min(list.clientWidth || 760, 980) - 8);
      type Item = { key: string; walk: WireWalk; final?: WireWalk; cdFetch?: boolean };
      const items: Item[] = [];
      const used = new Set<WireWalk>();
      walks.forEach((wk, i) => {
        if (used.has(wk)) return;
        const nested = wk.stage === 1 && wk.steps.some((x) => x.s2Walk);
        let final: WireWalk | undefined;
        if (nested) {
          final = walks.find((o, j) => j > i && o.stage === 2 && (!wk.outputAddr || o.inputAddr === wk.outputAddr));
          if (final) used.add(final);
        }
        // A stage-2 walk before a nested stage-1 walk translated the CD's IPA (CD fetch).
        const cdFetch = wk.stage === 2 && walks.slice(i + 1).some((o) => o.stage === 1 && o.steps.some((x) => x.s2Walk));
        items.push({ key: `${i}:${width}:${names.s1}:${hashString(JSON.stringify([wk, final]))}`, walk: wk, final, cdFetch });
      });
      if (!items.length) {
        const entry = step && state ? tlbEntryFor(state, step) : undefined;
        const box = h('div', { class: 'no-walk' });
        if (step?.tlb === 'hit' && entry) {
          box.append(
            h('h2', {}, 'TLB hit: no walk'),
            h('p', { class: 'muted' }, `The translation came from TLB entry #${entry.id} (inserted by line ${result?.steps[entry.insertedAt]?.line ?? '?'}).`),
            kv([
              ['stage', entry.stage], ['ASID', entry.asid ?? '—'], ['VMID', entry.vmid ?? '—'], ['global', entry.global ? 'yes' : 'no'],
              ['input', `${groupHex(entry.inputBase)} – ${groupHex(rangeEnd(entry.inputBase, entry.sizeLog2))} (${sizeName(entry.sizeLog2)})`],
              ['output', groupHex(entry.outputBase)], ['permissions', entry.perms], ['hits', String(entry.hits)],
            ]),
          );
        } else {
          box.append(h('p', { class: 'muted' }, step?.iova ? 'This step did not walk the translation tables.' : 'This step does not translate an address. Put the cursor on a dma or ats step.'));
        }
        list.replaceChildren(box);
        return;
      }
      if (list.querySelector('.no-walk')) list.replaceChildren();
      patchKeyed(
        list,
        items,
        (it) => it.key,
        (it) => {
          const nested = it.walk.steps.some((x) => x.s2Walk);
          const sec = h('section', { class: `walk${it.walk.fault || it.final?.fault ? ' has-fault' : ''}${it.cdFetch ? ' cd-fetch' : ''}` }, h('h2', {}, walkTitle(it.walk, it.final, !!it.cdFetch, names)));
          sec.appendChild(h('div', { class: 'svg-wrap' }, nested ? nestedSvg(it.walk, it.final, width, names) : chainSvg(it.walk, width, names)));
          return sec;
        },
        () => undefined,
      );
    },
  };
}

export function kv(rows: Array<[string, string]>): HTMLElement {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}
