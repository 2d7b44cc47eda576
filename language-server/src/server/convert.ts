// Conversions between the engine's wire shapes (1-based lines and columns) and LSP (0-based).
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { Severity, WireDiagnostic, WireRange } from '../engine/api';

function wireRange(r: WireRange): Range {
  const line = Math.max(0, r.line - 1);
  const character = Math.max(0, r.col - 1);
  let endLine = Math.max(0, r.endLine - 1);
  let endChar = Math.max(0, r.endCol - 1);
  if (endLine < line || (endLine === line && endChar < character)) {
    endLine = line;
    endChar = character;
  }
  return { start: { line, character }, end: { line: endLine, character: endChar } };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function severity(s: Severity): DiagnosticSeverity {
  return SEVERITY[s] ?? DiagnosticSeverity.Error;
}

export function wireDiagnostic(d: WireDiagnostic, uri: string): Diagnostic {
  const out: Diagnostic = { range: wireRange(d), severity: severity(d.severity), code: d.code, source: 'iommu-lens', message: d.message };
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({
      location: { uri, range: wireRange({ line: r.line, col: r.col, endLine: r.line, endCol: r.col }) },
      message: r.message,
    }));
  }
  return out;
}

/** Escape text for inclusion in markdown (scenario names are untrusted): HTML is neutralised,
 *  markdown punctuation escaped; `_` inside a word (F_TRANSLATION) needs no escape. */
export function md(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*[\]|#{}]/g, '\\$&')
    .replace(/_/g, (m, i: number, s: string) => (/[A-Za-z0-9]/.test(s[i - 1] ?? '') && /[A-Za-z0-9]/.test(s[i + 1] ?? '') ? m : '\\_'));
}
