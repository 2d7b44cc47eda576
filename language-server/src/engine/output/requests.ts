// Custom LSP requests the language server answers for the panels (and anyone else who wants the
// engine's results as JSON). Types and method names only: the server implements them, the
// extension calls them. Results use the wire shapes of `./wire`.
import type { WireScenarioResult, WireState } from './wire';
import type { WireLogResult } from '../../model/logs/wire';

/** `iommuLens/state`: the whole model state after step `stepIndex` (0-based) of the run of `uri`. */
export const STATE_REQUEST = 'iommuLens/state' as const;
export interface StateParams {
  /** Document URI as the client knows it (`TextDocument.uri.toString()`). */
  uri: string;
  /** 0-based index into `WireScenarioResult.steps`. */
  stepIndex: number;
}
/** null when the server does not know the document or the step is out of range. */
export type StateResponse = WireState | null;

/** `iommuLens/result`: the result of running the whole scenario of `uri` (steps, diagnostics). */
export const RESULT_REQUEST = 'iommuLens/result' as const;
export interface ResultParams {
  uri: string;
}
/** null when the server does not know the document. */
export type ResultResponse = WireScenarioResult | null;

/**
 * `iommuLens/decodeLog`: log text (kernel `dmesg`, QEMU `-trace 'smmu*'`, STE/CD dumps) -> its
 * records decoded by field (model/logs) and the `.smmu` scenario "Open as Scenario" starts from.
 */
export const DECODE_LOG_REQUEST = 'iommuLens/decodeLog' as const;
export interface DecodeLogParams {
  text: string;
  /** What the text is (a file name, "selection"), named in the scenario's first comment. */
  source?: string;
}
export interface DecodeLogResponse {
  log: WireLogResult;
  scenario: string;
}
