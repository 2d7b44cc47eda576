// Custom Debug Adapter Protocol extensions of the `iommu-lens` adapter, shared with the extension.

/** Event sent after every stop; the extension's panels follow the debugger with it. */
export const STOPPED_EVENT = 'iommuLens/stopped';

export interface StoppedInfo {
  /** Absolute path of the scenario. */
  program: string;
  /** Steps executed; the panels show the state after step `position - 1`. */
  position: number;
  /** Step the editor shows. */
  focus: number;
}
