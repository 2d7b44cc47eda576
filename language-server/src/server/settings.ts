// The `iommuLens.*` settings the server reads (declared in package.json by the extension).

export interface ServerSettings {
  /** Files above this many characters are analysed in part, with an information diagnostic. */
  maxFileSize: number;
  inlayHints: { enabled: boolean };
  /** Milliseconds of quiet after an edit before the document is analysed again. */
  debounceMs: number;
  /** "Show walk" above each transaction: always, never, or (auto) while the file has at most `maxTransactions`. */
  codeLens: { perTransaction: 'auto' | 'on' | 'off'; maxTransactions: number };
}

export const DEFAULT_SETTINGS: ServerSettings = {
  maxFileSize: 4 * 1024 * 1024,
  inlayHints: { enabled: true },
  debounceMs: 25,
  codeLens: { perTransaction: 'auto', maxTransactions: 100 },
};

/** Merge an untrusted `iommuLens` configuration object over the defaults; bad values are ignored. */
export function readSettings(raw: unknown): ServerSettings {
  const s: ServerSettings = { ...DEFAULT_SETTINGS, inlayHints: { ...DEFAULT_SETTINGS.inlayHints }, codeLens: { ...DEFAULT_SETTINGS.codeLens } };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.maxFileSize === 'number' && Number.isFinite(r.maxFileSize) && r.maxFileSize > 0) s.maxFileSize = Math.floor(r.maxFileSize);
  const ih = r.inlayHints as Record<string, unknown> | undefined;
  if (ih && typeof ih === 'object' && typeof ih.enabled === 'boolean') s.inlayHints.enabled = ih.enabled;
  const cl = r.codeLens as Record<string, unknown> | undefined;
  if (cl && typeof cl === 'object') {
    if (cl.perTransaction === 'auto' || cl.perTransaction === 'on' || cl.perTransaction === 'off') s.codeLens.perTransaction = cl.perTransaction;
    if (typeof cl.maxTransactions === 'number' && Number.isFinite(cl.maxTransactions) && cl.maxTransactions >= 0) s.codeLens.maxTransactions = Math.floor(cl.maxTransactions);
  }
  if (typeof r.debounceMs === 'number' && Number.isFinite(r.debounceMs) && r.debounceMs >= 0 && r.debounceMs <= 5000) s.debounceMs = r.debounceMs;
  return s;
}
