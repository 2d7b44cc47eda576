// Entry point of the bundled language server (dist/server.js). The transport comes from the
// command line: `--stdio`, `--node-ipc` (what the extension uses) or `--socket=N`. The same file,
// started as a worker thread, is the engine worker (see runner.ts); `--inline-engine` (or
// IOMMU_LENS_INLINE_ENGINE=1) runs the engine on the server's thread instead.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { engineWorkerMain } from './engineWorker';
import { InlineRunner, type EngineRunner } from './runner';
import { WorkerRunner } from './workerRunner';
import { startServer } from './server';

if (!isMainThread && parentPort && (workerData as { iommuLensEngineWorker?: boolean } | null)?.iommuLensEngineWorker) {
  engineWorkerMain(parentPort);
} else {
  const connection = createConnection(ProposedFeatures.all);
  const log = (m: string) => connection.console.error(m);
  // A bug must never take the server down: log it and keep serving.
  process.on('uncaughtException', (e) => log(`uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  const inline = process.argv.includes('--inline-engine') || process.env.IOMMU_LENS_INLINE_ENGINE === '1';
  const runner: EngineRunner = inline ? new InlineRunner() : new WorkerRunner(__filename, log);
  startServer(connection, runner);
}
