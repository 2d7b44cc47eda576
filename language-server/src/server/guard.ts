// Every request handler runs inside `guard`: bad params get InvalidParams, requests after
// `shutdown` get InvalidRequest, requests before `initialize` ServerNotInitialized, a cancelled request gets RequestCancelled, and an exception is
// logged and answered with the handler's empty result, so one bad request never kills the server.
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';

export interface GuardContext {
  isShutdown(): boolean;
  /** False until `initialize` was received: requests before it get ServerNotInitialized (LSP 3.17 §initialize). */
  isInitialized?(): boolean;
  log(message: string): void;
}

export type Handler<P, R> = (params: P, token: CancellationToken) => R | Promise<R>;

function hasDocument(p: unknown): boolean {
  if (!p || typeof p !== 'object') return false;
  const td = (p as { textDocument?: { uri?: unknown } }).textDocument;
  return !!td && typeof td === 'object' && typeof td.uri === 'string';
}

function hasPosition(p: unknown): boolean {
  const pos = (p as { position?: { line?: unknown; character?: unknown } }).position;
  return !!pos && typeof pos === 'object' && Number.isInteger(pos.line) && Number.isInteger(pos.character) &&
    (pos.line as number) >= 0 && (pos.character as number) >= 0;
}

export interface GuardOptions {
  /** Params must carry `textDocument.uri` (default true). */
  document?: boolean;
  /** Params must carry a valid `position`. */
  position?: boolean;
}

export function guard<P, R>(ctx: GuardContext, name: string, empty: R, fn: Handler<P, R>, opts: GuardOptions = {}) {
  return async (params: P, token: CancellationToken): Promise<R | ResponseError<void>> => {
    if (ctx.isInitialized && !ctx.isInitialized()) return new ResponseError(ErrorCodes.ServerNotInitialized, `${name}: the server is not initialized`);
    if (ctx.isShutdown()) return new ResponseError(ErrorCodes.InvalidRequest, `${name}: the server is shutting down`);
    if ((opts.document ?? true) && !hasDocument(params)) return new ResponseError(ErrorCodes.InvalidParams, `${name}: missing textDocument.uri`);
    if (opts.position && !hasPosition(params)) return new ResponseError(ErrorCodes.InvalidParams, `${name}: missing or invalid position`);
    try {
      const r = await fn(params, token);
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name}: cancelled`);
      return r;
    } catch (e) {
      ctx.log(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return empty;
    }
  };
}
