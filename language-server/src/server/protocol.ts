// Custom protocol extensions of the IOMMU Lens language server, both directions, in one module.
// Standard LSP is not listed here; everything with an `iommuLens/` method name is.
//
// Client -> server (requests)
//   iommuLens/state   StateParams  -> StateResponse   model state after one step (panels, debugger)
//   iommuLens/result  ResultParams -> ResultResponse  the whole run of a document (panels, status)
//   iommuLens/decodeLog  DecodeLogParams -> DecodeLogResponse  log text decoded + a starting scenario
// Server -> client (notifications)
//   iommuLens/scenarioResult  ScenarioResultParams  sent after every completed run (status bar)
//   iommuLens/compareQemu QemuParams -> QemuResponse  the scenario through QEMU's SMMUv3 (trusted workspaces only)
// Client commands the server names in code lenses (contributed by the extension):
//   iommuLens.runScenario [uri], iommuLens.showWalk [uri, stepIndex], iommuLens.debugScenario [uri],
//   iommuLens.compareQemu [uri]
export {
  STATE_REQUEST,
  RESULT_REQUEST,
  DECODE_LOG_REQUEST,
  type DecodeLogParams,
  type DecodeLogResponse,
  type StateParams,
  type StateResponse,
  type ResultParams,
  type ResultResponse,
} from '../engine/output/requests';
import type { QemuSummary } from '../qemu/report';
export type { QemuSummary, QemuRow } from '../qemu/report';

/** `iommuLens/scenarioResult` (server -> client notification): counts for the status bar. */
export const SCENARIO_RESULT_NOTIFICATION = 'iommuLens/scenarioResult' as const;
export interface ScenarioResultParams {
  uri: string;
  /** Document version the run belongs to. */
  version: number;
  passed: number;
  failed: number;
  faults: number;
  hazards: number;
  /** Error diagnostics (syntax, semantic, faults, failed expectations). */
  errors: number;
  /** True when the file exceeded `iommuLens.maxFileSize` and was analysed in part. */
  partial: boolean;
}

/** Client-side command ids the server puts in code lenses (see package.json contributes.commands). */
export const Commands = {
  runScenario: 'iommuLens.runScenario',
  showWalk: 'iommuLens.showWalk',
  debugScenario: 'iommuLens.debugScenario',
  compareQemu: 'iommuLens.compareQemu',
} as const;

/** `iommuLens/compareQemu` (client -> server): the scenario through QEMU's SMMUv3 and the model (server/qemu.ts). */
export const QEMU_REQUEST = 'iommuLens/compareQemu' as const;
export interface QemuParams {
  uri: string;
  /** `iommuLens.qemu.path` (empty: the default search). */
  qemuPath?: string;
  /** `vscode.workspace.isTrusted`: nothing is run otherwise. */
  trusted: boolean;
  timeoutSeconds?: number;
}
/** null when the server does not know the document. */
export type QemuResponse = QemuSummary | null;
