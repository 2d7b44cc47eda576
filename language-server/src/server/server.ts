// The language server: capabilities, document sync, diagnostics publishing and the handler table.
// Each feature lives in its own module; every handler runs inside `guard` (see guard.ts).
import {
  CodeActionKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from './codeActions';
import { didYouMeanFixes } from './quickFixes';
import { completion, COMPLETION_TRIGGERS } from './completion';
import type { ServerContext } from './context';
import { Analyzer, type Executed } from './documents';
import { checkedTextDocuments } from './editCheck';
import { includersOf, makeIncludeResolver } from './includes';
import { foldingRanges } from './folding';
import { formatDocument } from './formatting';
import { guard, type GuardContext } from './guard';
import { hover } from './hover';
import { definition, references } from './navigation';
import { decodeLogText } from '../engine/output/logScenario';
import {
  DECODE_LOG_REQUEST,
  RESULT_REQUEST,
  SCENARIO_RESULT_NOTIFICATION,
  STATE_REQUEST,
  type DecodeLogParams,
  type DecodeLogResponse,
  type ResultParams,
  type ResultResponse,
  type ScenarioResultParams,
  type StateParams,
  type StateResponse,
} from './protocol';
import { prepareRename, rename } from './rename';
import type { EngineRunner } from './runner';
import { codeLenses, inlayHints } from './runViews';
import { compareQemuRequest } from './qemu';
import { QEMU_REQUEST, type QemuParams, type QemuResponse } from './protocol';
import { LEGEND, semanticTokens, semanticTokensDelta, semanticTokensRange } from './semanticTokens';
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from './settings';
import { documentSymbols } from './symbols';
import { signatureHelp, SIGNATURE_TRIGGERS } from './signatureHelp';

export function startServer(connection: Connection, runner: EngineRunner): void {
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let shutdown = false;
  let workspaceFolders: string[] = [];
  let configPull = false;
  let refreshInlay = false;
  let refreshLens = false;
  let refreshTokens = false;
  const log = (m: string) => connection.console.error(m);
  const documents = new TextDocuments(checkedTextDocuments({
    malformed: (uri, why) => {
      log(`malformed edit of ${uri}: ${why}; the document is analysed again from scratch`);
      analyzer.distrust(uri);
    },
    edited: (uri, from, to, edits, map) => analyzer.edited(uri, from, to, edits, map),
  }));

  const analyzer = new Analyzer({
    settings: () => settings,
    log,
    runner,
    roots: () => workspaceFolders,
    openDocs: (uri) => {
      const out: Record<string, string> = {};
      for (const d of documents.all()) if (d.uri !== uri) out[d.uri] = d.getText();
      return out;
    },
    publish: (ex) => publish(ex),
    // Semantic tokens answered from part of a document's first parse: the client asks again.
    parsedLate: () => {
      if (refreshTokens) void connection.languages.semanticTokens.refresh().catch(() => undefined);
    },
  });
  const ctx: ServerContext = { analyzer, settings: () => settings, log };
  let initialized = false;
  const g: GuardContext = { isShutdown: () => shutdown, isInitialized: () => initialized, log };

  function publish(ex: Executed): void {
    void connection.sendDiagnostics({ uri: ex.source.uri, version: ex.version, diagnostics: ex.diagnostics });
    const r = ex.summary;
    const n: ScenarioResultParams = {
      uri: ex.source.uri,
      version: ex.version,
      passed: r.expectations.passed,
      failed: r.expectations.failed,
      faults: r.faults,
      hazards: r.hazards,
      errors: ex.diagnostics.filter((d) => d.severity === 1).length,
      partial: ex.source.partial,
    };
    void connection.sendNotification(SCENARIO_RESULT_NOTIFICATION, n);
    if (refreshInlay) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (refreshLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    // Once published, while the user has not typed again: the tree and names up to this version.
    setImmediate(() => {
      try {
        if (analyzer.document(ex.source.uri)?.version === ex.version) analyzer.warm(ex.source.uri);
      } catch (e) {
        log(`warming ${ex.source.uri}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    initialized = true;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders = [params.rootUri];
    const ws = params.capabilities.workspace;
    configPull = !!ws?.configuration;
    refreshInlay = !!ws?.inlayHint?.refreshSupport;
    refreshLens = !!ws?.codeLens?.refreshSupport;
    refreshTokens = !!ws?.semanticTokens?.refreshSupport;
    settings = readSettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: false },
        signatureHelpProvider: { triggerCharacters: SIGNATURE_TRIGGERS },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: true },
        documentFormattingProvider: true,
        foldingRangeProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'iommu-lens', version: '0.1.0' },
    };
  });

  /** Reads the settings from the client; true when they changed. */
  async function pullSettings(): Promise<boolean> {
    if (!configPull) return false;
    try {
      const [raw] = await connection.workspace.getConfiguration([{ section: 'iommuLens' }]);
      return setSettings(readSettings(raw));
    } catch (e) {
      log(`could not read settings: ${String(e)}`);
      return false;
    }
  }

  function setSettings(next: ServerSettings): boolean {
    const changed = JSON.stringify(next) !== JSON.stringify(settings);
    settings = next;
    return changed;
  }

  connection.onInitialized(() => {
    void pullSettings().then((changed) => changed && analyzer.refreshAll());
    if (workspaceFolders.length) {
      connection.workspace.onDidChangeWorkspaceFolders((ev) => {
        const removed = new Set(ev.removed.map((f) => f.uri));
        workspaceFolders = workspaceFolders.filter((u) => !removed.has(u)).concat(ev.added.map((f) => f.uri));
      });
    }
  });

  connection.onDidChangeConfiguration((p) => {
    const raw = (p?.settings as { iommuLens?: unknown } | null | undefined)?.iommuLens;
    const changed = raw !== undefined ? Promise.resolve(setSettings(readSettings(raw))) : pullSettings();
    void changed.then((c) => c && analyzer.refreshAll());
  });

  documents.onDidOpen((e) => analyzer.update(e.document));
  documents.onDidChangeContent((e) => {
    analyzer.update(e.document);
    // Documents that include this one read its text from the editor: they are analysed again.
    const open = documents.all().map((d) => ({ uri: d.uri, text: d.getText() }));
    for (const uri of includersOf(e.document.uri, open)) analyzer.dependencyChanged(uri);
  });
  documents.onDidClose((e) => {
    analyzer.close(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onShutdown(() => {
    shutdown = true;
    runner.dispose();
  });

  connection.onHover(guard(g, 'hover', null, (p, t) => hover(ctx, p, t), { position: true }));
  connection.onCompletion(guard(g, 'completion', [], (p, t) => completion(ctx, p, t), { position: true }));
  connection.onSignatureHelp(guard(g, 'signatureHelp', null, (p) => signatureHelp(ctx, p), { position: true }));
  connection.onDefinition(guard(g, 'definition', [], (p) => definition(ctx, p), { position: true }));
  connection.onReferences(guard(g, 'references', [], (p) => references(ctx, p), { position: true }));
  connection.onPrepareRename(guard(g, 'prepareRename', null, (p) => prepareRename(ctx, p), { position: true }));
  connection.onRenameRequest(guard(g, 'rename', null, (p) => rename(ctx, p), { position: true }));
  connection.onDocumentSymbol(guard(g, 'documentSymbol', [], (p) => documentSymbols(ctx, p)));
  connection.languages.semanticTokens.on(guard(g, 'semanticTokens', { data: [] }, (p) => semanticTokens(ctx, p)));
  connection.languages.semanticTokens.onDelta(guard(g, 'semanticTokens/delta', { data: [] }, (p) => semanticTokensDelta(ctx, p)));
  connection.languages.semanticTokens.onRange(guard(g, 'semanticTokens/range', { data: [] }, (p) => semanticTokensRange(ctx, p)));
  connection.onDocumentFormatting(guard(g, 'formatting', [], (p) => formatDocument(ctx, p)));
  connection.onFoldingRanges(guard(g, 'foldingRange', [], (p) => foldingRanges(ctx, p)));
  connection.languages.inlayHint.on(guard(g, 'inlayHint', [], (p) => inlayHints(ctx, p)));
  connection.onCodeLens(guard(g, 'codeLens', [], (p) => codeLenses(ctx, p)));
  connection.onCodeAction(guard(g, 'codeAction', [], async (p, t) => [...didYouMeanFixes(ctx, p), ...(await codeActions(ctx, p, t))]));

  connection.onRequest(
    STATE_REQUEST,
    guard<StateParams, StateResponse>(g, STATE_REQUEST, null, async (p, t) => {
      if (typeof p?.uri !== 'string' || !Number.isInteger(p.stepIndex)) return null;
      const ex = await analyzer.executedNow(p.uri, t);
      return ex ? await ex.state(p.stepIndex) : null;
    }, { document: false }),
  );
  connection.onRequest(
    RESULT_REQUEST,
    guard<ResultParams, ResultResponse>(g, RESULT_REQUEST, null, async (p, t) => {
      if (typeof p?.uri !== 'string') return null;
      const ex = await analyzer.executedNow(p.uri, t);
      if (!ex) return null;
      const r = await ex.full();
      return ex.source.partial ? { ...r, partial: true } : r;
    }, { document: false }),
  );
  connection.onRequest(
    QEMU_REQUEST,
    guard<QemuParams, QemuResponse>(g, QEMU_REQUEST, null, (p) => {
      if (typeof p?.uri !== 'string') return null;
      const readInclude = makeIncludeResolver({
        workspaceFolders: () => workspaceFolders, openText: (u) => documents.get(u)?.getText(), maxFileSize: () => settings.maxFileSize,
      });
      return compareQemuRequest(p, documents.get(p.uri)?.getText(), readInclude);
    }, { document: false }),
  );

  connection.onRequest(
    DECODE_LOG_REQUEST,
    guard<DecodeLogParams, DecodeLogResponse | null>(g, DECODE_LOG_REQUEST, null, (p) => {
      if (typeof p?.text !== 'string') return null;
      return decodeLogText(p.text, typeof p.source === 'string' ? p.source : undefined);
    }, { document: false }),
  );

  documents.listen(connection);
  connection.listen();
}
