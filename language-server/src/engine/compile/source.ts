// One source file of a scenario (the main file or an included one) as the compiler sees it.

import type { Script } from '../../dsl/ast';
import type { WireRange } from '../output/wire';

export interface SourceFile {
  uri: string;
  tree: Script;
  /** The file's text (a step's key holds its statement's text). */
  text: string;
  /** For an included file: the include statement's range in the main file. */
  via?: WireRange;
}
