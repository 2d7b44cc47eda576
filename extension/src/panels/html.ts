// The panels' HTML shell (pure: no vscode import, so the rendering test uses the same generator).
// Strict CSP: scripts only with this render's nonce, styles only from the extension or with the
// nonce, no inline handlers, no remote content. The document carries no scenario data at all:
// data arrives later by postMessage and is rendered as text nodes.
import type { PanelKind } from './protocol';
import { PANEL_TITLES } from './protocol';

/** Escapes text for HTML text and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface PanelHtmlOptions {
  kind: PanelKind;
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(...)` of dist/media/panels.js and panels.css, as strings. */
  scriptUri: string;
  styleUri: string;
  /** Fresh per render (see newNonce). */
  nonce: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('nonce must be 16+ base64 characters');
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(o.styleUri)}" nonce="${e(o.nonce)}">
<title>${e(PANEL_TITLES[o.kind])}</title>
</head>
<body data-panel="${e(o.kind)}">
<main id="root" aria-live="polite"><p class="empty">Waiting for the scenario…</p></main>
<script nonce="${e(o.nonce)}" src="${e(o.scriptUri)}"></script>
</body>
</html>
`;
}
