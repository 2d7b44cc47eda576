// Entry point of the debug adapter (bundled to dist/debugAdapter.js), speaking DAP over stdio.
import { ScenarioDebugSession } from './session';
import { nodeFiles } from './files';

const session = new ScenarioDebugSession(nodeFiles);
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);
