// Entry point of the bundled language server (dist/server.js). The transport comes from the
// command line: `--stdio`, `--node-ipc` (what the extension uses) or `--socket=N`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// A bug must never take the server down: log it and keep serving.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
startServer(connection);
