/**
 * The type-checker's own thread. Checking a thousand examples takes seconds; on its own thread
 * it overlaps with vitest starting up and with the examples running, instead of holding up the
 * main thread that serves every module to the test workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckRequest, CheckResponse } from './checker.js';
import { BatchChecker } from './typecheck.js';

const checker = new BatchChecker(workerData as string);
parentPort!.on('message', (request: CheckRequest) => {
  const diagnostics = checker.check(request.entries);
  parentPort!.postMessage({
    id: request.id,
    diagnostics: [...diagnostics],
  } satisfies CheckResponse);
});
