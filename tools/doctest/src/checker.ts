import { Worker } from 'node:worker_threads';
import type { Example } from './example.js';
import type { ExampleModule } from './transform.js';
import type { Diagnostic } from './typecheck.js';

export interface CheckRequest {
  id: number;
  entries: { example: Example; module: ExampleModule }[];
}

export interface CheckResponse {
  id: number;
  diagnostics: [string, Diagnostic[]][];
}

/**
 * Runs batched type-checks on a thread of their own; the newest request wins, and the thread
 * keeps its previous program so a re-check after an edit reuses what did not change.
 */
export class CheckerThread {
  readonly #root: string;
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #waiting = new Map<
    number,
    { resolve: (d: Map<string, Diagnostic[]>) => void; reject: (e: Error) => void }
  >();

  constructor(root: string) {
    this.#root = root;
  }

  check(entries: CheckRequest['entries']): Promise<Map<string, Diagnostic[]>> {
    const worker = this.#start();
    const id = this.#nextId++;
    const done = new Promise<Map<string, Diagnostic[]>>((resolve, reject) =>
      this.#waiting.set(id, { resolve, reject }),
    );
    worker.postMessage({ id, entries } satisfies CheckRequest);
    worker.ref();
    return done;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./checker-thread.js', import.meta.url), {
      workerData: this.#root,
    });
    worker.on('message', (response: CheckResponse) => {
      this.#waiting.get(response.id)?.resolve(new Map(response.diagnostics));
      this.#waiting.delete(response.id);
      if (this.#waiting.size === 0) worker.unref();
    });
    worker.on('error', (error) => {
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
      this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }
}
