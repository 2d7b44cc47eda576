// One webview panel: creates it with the strict HTML shell, posts data to it, and hands on only
// validated messages from it.
import * as vscode from 'vscode';
import { renderPanelHtml } from './html';
import { newNonce } from './nonce';
import { PANEL_TITLES, parseWebviewMessage, type HostMessage, type PanelKind, type WebviewMessage } from './protocol';

export class PanelHost implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly subs: vscode.Disposable[] = [];
  /** The webview's script has started and listens (it sent `ready`). */
  private ready = false;
  private pending: HostMessage | undefined;

  constructor(
    readonly kind: PanelKind,
    extensionUri: vscode.Uri,
    onMessage: (host: PanelHost, m: WebviewMessage) => void,
    onDispose: (host: PanelHost) => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    this.panel = vscode.window.createWebviewPanel(
      `iommuLens.${kind}`,
      PANEL_TITLES[kind],
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        // Off: the webview re-asks with `ready` when shown again, and keeps its UI state with setState.
        retainContextWhenHidden: false,
        localResourceRoots: [media, vscode.Uri.joinPath(extensionUri, 'media')],
      },
    );
    const webview = this.panel.webview;
    webview.html = renderPanelHtml({
      kind,
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panels.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'panels.css')).toString(),
      nonce: newNonce(),
    });
    this.subs.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const m = parseWebviewMessage(raw);
        if (!m) return; // malformed or unknown: ignored
        if (m.type === 'ready') {
          this.ready = true;
          if (this.pending) void webview.postMessage(this.pending);
        }
        onMessage(this, m);
      }),
      this.panel.onDidChangeViewState((e) => {
        // A hidden webview without retained context is torn down; it sends `ready` again.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      this.panel.onDidDispose(() => {
        this.disposeSubs();
        onDispose(this);
      }),
    );
  }

  /** Sends the data now if the webview listens, else when it says `ready`. */
  post(m: HostMessage): void {
    this.pending = m;
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private disposeSubs(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
