// What every provider gets: the document analyzer and the settings.
import type { Analyzer } from './documents';
import type { ServerSettings } from './settings';

export interface ServerContext {
  analyzer: Analyzer;
  settings(): ServerSettings;
  log(message: string): void;
}
