// The compiled form of a named declaration (memoised, cycle-guarded) and `at ADDR` placement.

import type { Field, Span } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { PA_LIMIT } from '../../../model/memory';
import type { LowerCtx } from '../lowerCtx';
import type { Allocator } from '../../../model/layout/alloc';
import type { Decl } from '../names/symbols';
import { resolveRef } from '../names/resolve';
import { fieldNum } from '../lowering/values';

/**
 * The compiled form of a named declaration, built once on first use (in its own file's context);
 * `null` while building guards against cycles and marks a declaration that failed.
 */
export function declInfo<K extends 'pagetable' | 'cd' | 'cdtable', N, I>(
  ctx: LowerCtx, cache: Map<string, I | null>, kind: K, name: string, at: Span, build: (ctx: LowerCtx, node: N, name: string) => I | undefined,
): I | undefined {
  const key = `${kind}:${name}`;
  ctx.decls.noteRead(key, ctx.ordinal, !cache.has(name));
  if (cache.has(name)) {
    const failed = ctx.broken.decls.get(key);
    if (failed) ctx.broken.unresolved(failed);
    return cache.get(name) ?? undefined;
  }
  const d = resolveRef(ctx, kind, name, at) as Decl<N> | undefined;
  if (!d) return undefined;
  cache.set(name, null);
  const prevFile = ctx.file;
  ctx.file = d.file;
  const mark = ctx.broken.mark();
  try {
    const info = build(ctx, d.node, name);
    // A declaration with an unresolved reference is not laid out (it would run as something else).
    const cause = ctx.broken.since(mark);
    if (cause) {
      ctx.broken.decls.set(key, cause);
      return undefined;
    }
    cache.set(name, info ?? null);
    return info;
  } finally {
    ctx.file = prevFile;
  }
}


/** `at ADDR` with an alignment and range check; reserves the range in the allocator. */
export function placeAt(ctx: LowerCtx, f: Field | undefined, size: bigint, align: bigint, what: string, alloc: Allocator = ctx.alloc): bigint | undefined {
  if (!f) return undefined;
  const a = fieldNum(ctx, f);
  if (a === undefined) return undefined;
  if (a % align !== 0n) {
    ctx.report(f, 'E_MISALIGNED', `${what} at ${hex(a)} must be ${hex(align)}-aligned (its size${size !== align ? ' or granule' : ''})`);
    return undefined;
  }
  // Structures live in physical memory, at most 52 bits wide (IHI 0070 §6.3 SMMU_IDR5.OAS).
  if (a + size > PA_LIMIT) {
    ctx.report(f, 'E_VALUE_RANGE', `${what} at ${hex(a)} does not fit below the 52-bit physical address space`);
    return undefined;
  }
  alloc.reserve(a, size);
  return a;
}
