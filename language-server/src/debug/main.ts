// Entry point of the debug adapter (bundled to dist/debugAdapter.js), speaking DAP over stdio.
import { ScenarioDebugAdapter } from './adapter';
import { nodeFiles } from './files';

const adapter = new ScenarioDebugAdapter(nodeFiles);
process.on('SIGTERM', () => adapter.shutdown());
adapter.start(process.stdin, process.stdout);
