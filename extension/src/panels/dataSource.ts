// Where the panels get their data: the language server's custom requests (IHI-free plumbing).
import {
  RESULT_REQUEST, STATE_REQUEST, type ResultParams, type ResultResponse, type StateParams, type StateResponse,
} from '../../../language-server/src/server/protocol';

/** What the panels need from the language server; a LanguageClient satisfies it. */
export interface RequestClient {
  sendRequest<R>(method: string, param: unknown): Promise<R>;
}

export interface PanelDataSource {
  result(uri: string): Promise<ResultResponse>;
  state(uri: string, stepIndex: number): Promise<StateResponse>;
}

export function lspDataSource(client: RequestClient): PanelDataSource {
  return {
    result: (uri) => client.sendRequest<ResultResponse>(RESULT_REQUEST, { uri } satisfies ResultParams),
    state: (uri, stepIndex) => client.sendRequest<StateResponse>(STATE_REQUEST, { uri, stepIndex } satisfies StateParams),
  };
}
