// File access for the debugger, injected so tests and other hosts can replace it.
// Includes are resolved relative to the including file and may not leave the workspace root.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { IncludeResolver } from '../engine/api';

export interface FileAccess {
  /** The file's text, or undefined when it cannot be read (missing, deleted, a directory). */
  read(absPath: string): string | undefined;
  uriOf(absPath: string): string;
}

/** Files larger than this are not read by the debugger (the engine would analyse them in part anyway). */
const MAX_READ = 64 * 1024 * 1024;

export const nodeFiles: FileAccess = {
  read(p) {
    try {
      const st = fs.statSync(p);
      if (!st.isFile() || st.size > MAX_READ) return undefined;
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  uriOf(p) {
    return pathToFileURL(p).toString();
  },
};

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** True when `p` is `root` or inside it. */
function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function includeResolverFor(files: FileAccess, root: string): IncludeResolver {
  return (fromUri, includePath) => {
    let fromPath: string;
    try {
      fromPath = fileURLToPath(fromUri);
    } catch {
      return { error: `cannot resolve "${includePath}" from ${fromUri}` };
    }
    const target = path.resolve(path.dirname(fromPath), includePath);
    // Symlinks are followed before the check, so a link inside the workspace cannot reach outside it.
    if (!isInside(root, target) || !isInside(realOrSelf(root), realOrSelf(target))) return { error: `"${includePath}" is outside the workspace (${root}); it is not read.` };
    const text = files.read(target);
    if (text === undefined) return { error: `cannot read "${includePath}" (${target})` };
    return { uri: files.uriOf(target), text };
  };
}
