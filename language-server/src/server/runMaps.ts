// Which kept run answers for a line of the current text (documents.ts executedAt): a run of an
// earlier version does when the line holding the offset is unchanged since it. The map from the
// run's text to the current one is composed from each version's line map (textEdits.ts EditLog,
// the one record of a document's edits), so no hover scans the whole text and two edits far
// apart leave the lines between them mapped; else (a text cut at maxFileSize, a version the log
// no longer reaches) it is one changed region found by comparing the texts. One map is kept per
// kept run.
import type { Executed } from './executed';
import { IDENTITY, type EditLog } from './textEdits';
import { lineBounds, textMap, type TextMap } from './textMap';

/** An executed analysis usable for a position in the current text (offsets mapped if older). */
export interface ExecutedView {
  ex: Executed;
  /** Maps current-document offsets to `ex.source.text` offsets (identity when same version). */
  map: TextMap;
}

/** The current text as the maps see it: its version, the whole document, whether the analysed text is cut. */
export interface Current {
  version: number;
  text: string;
  partial: boolean;
}

export class RunMaps {
  /** Maps from a run's text to the current text, per pair of versions. */
  private maps: { from: number; to: number; map: TextMap }[] = [];

  constructor(private readonly log: EditLog) {}

  /** `ex` seen from the current text, when the line holding `offset` is unchanged since `ex`;
   *  `kept`: the versions of the runs kept (their maps stay cached, the others' are dropped). */
  view(ex: Executed, now: Current, offset: number, kept: readonly (number | undefined)[]): ExecutedView | undefined {
    if (ex.version === now.version) return { ex, map: IDENTITY };
    let m = this.maps.find((x) => x.from === ex.version && x.to === now.version);
    if (!m) {
      const composed = now.partial || ex.source.partial ? undefined : this.log.map(ex.version, now.version);
      m = { from: ex.version, to: now.version, map: composed ?? textMap(ex.source.text, now.text) };
      this.maps = [...this.maps.filter((x) => x.to === now.version && kept.includes(x.from)), m];
    }
    const line = lineBounds(now.text, Math.min(offset, now.text.length));
    const a = m.map.toOld(line.start);
    const b = m.map.toOld(line.end);
    return a !== undefined && b !== undefined && b - a === line.end - line.start ? { ex, map: m.map } : undefined;
  }

  clear(): void {
    this.maps = [];
  }
}
