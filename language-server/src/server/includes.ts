// Include resolution for the engine: `include "path"` relative to the including document, only
// inside the workspace folders (or, with no folder open, the including document's own directory).
// A document the user has open is read from the editor even when it lies elsewhere; no other
// file outside the workspace is ever read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IncludeResolver } from '../engine/api';

export interface IncludeContext {
  /** Workspace folder URIs (file: URIs). */
  workspaceFolders(): readonly string[];
  /** Text of a document open in the editor, by URI. */
  openText(uri: string): string | undefined;
  /** Largest file read from disk. */
  maxFileSize(): number;
}

function toPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

export function makeIncludeResolver(ctx: IncludeContext): IncludeResolver {
  return (fromUri, includePath) => {
    const fromPath = toPath(fromUri);
    if (fromPath === undefined) return { error: `cannot resolve "${includePath}": the including document is not a file` };
    if (includePath.includes('\0')) return { error: 'include path contains a NUL character' };
    const target = path.resolve(path.dirname(fromPath), includePath);
    const uri = pathToFileURL(target).toString();
    const open = ctx.openText(uri);
    if (open !== undefined) return { uri, text: open };
    const roots = ctx.workspaceFolders().map(toPath).filter((p): p is string => p !== undefined);
    if (roots.length === 0) roots.push(path.dirname(fromPath));
    const real = realOrSelf(target);
    if (!roots.some((r) => inside(realOrSelf(r), real) && inside(r, target))) {
      return { error: `"${includePath}" is outside the workspace; only files inside the workspace folders can be included` };
    }
    try {
      const st = fs.statSync(real);
      if (!st.isFile()) return { error: `"${includePath}" is not a file` };
      if (st.size > ctx.maxFileSize()) return { error: `"${includePath}" is larger than iommuLens.maxFileSize (${ctx.maxFileSize()} bytes)` };
      return { uri, text: fs.readFileSync(real, 'utf8') };
    } catch (e) {
      return { error: `cannot read "${includePath}": ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  };
}

const INCLUDE_LINE = /^[ \t]*include[ \t]+"([^"\r\n]*)"/gm;

/** Whether the document `fromUri` with `text` has an `include` naming the file `uri` (resolved as
 *  the resolver does, relative to the document). */
export function includesUri(fromUri: string, text: string, uri: string): boolean {
  if (!text.includes('include')) return false;
  const fromPath = toPath(fromUri);
  const target = toPath(uri);
  if (fromPath === undefined || target === undefined) return false;
  for (const m of text.matchAll(INCLUDE_LINE)) {
    if (path.resolve(path.dirname(fromPath), m[1]) === path.resolve(target)) return true;
  }
  return false;
}

/** The open documents that include `uri`, directly or through other open documents. */
export function includersOf(uri: string, open: ReadonlyArray<{ uri: string; text: string }>): string[] {
  const found = new Set<string>();
  const work = [uri];
  while (work.length) {
    const u = work.pop()!;
    for (const d of open) {
      if (d.uri === uri || found.has(d.uri) || !includesUri(d.uri, d.text, u)) continue;
      found.add(d.uri);
      work.push(d.uri);
    }
  }
  return [...found];
}
