/**
 * Background jobs, as dash keeps them without job control: each `cmd &` is a job with a
 * number, the pids of its processes and the text of its command. `jobs` lists them in
 * dash's format (`[1] + Running` padded to column 33, then the command), an interactive
 * shell reports the ones that ended before it reads the next line, and `wait` collects
 * them.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import type { WaitStatus } from '../sys.js';
import type { AndOr, Pipeline, SimpleCommand, Word } from './ast.js';

/** What `strsignal()` says for the signals a job may die of. */
const STRSIGNAL = new Map([
  [1, 'Hangup'],
  [2, 'Interrupt'],
  [9, 'Killed'],
  [11, 'Segmentation fault'],
  [13, 'Broken pipe'],
  [15, 'Terminated'],
]);

/** One background job. */
export interface Job {
  readonly number: number;
  /** The process ids of its commands; the last one is `$!`. */
  readonly pids: number[];
  readonly text: string;
  /** Resolves with the status of its last process. */
  readonly done: Promise<WaitStatus>;
  /** Set once it ended. */
  status?: WaitStatus;
}

function wordText(word: Word): string {
  return word.map((s) => (s.kind === 'lit' ? s.text : `$${s.name}`)).join('');
}

function commandText(cmd: SimpleCommand): string {
  const parts = cmd.words.map(wordText);
  for (const r of cmd.redirects)
    parts.push(`${r.fd === (r.op.includes('<') ? 0 : 1) ? '' : r.fd}${r.op} ${wordText(r.target)}`);
  return parts.join(' ');
}

function pipelineText(p: Pipeline): string {
  return `${p.bang ? '! ' : ''}${p.commands.map(commandText).join(' | ')}`;
}

/** The command text dash shows for a job (`commandtext()`). */
export function andOrText(andOr: AndOr): string {
  return [
    pipelineText(andOr.first),
    ...andOr.rest.map((r) => `${r.op} ${pipelineText(r.pipeline)}`),
  ].join(' ');
}

/** `sprint_status()`: `Done`, `Done(N)` or the signal's name. */
function statusText(status: WaitStatus): string {
  if (status.signal !== undefined) return STRSIGNAL.get(status.signal) ?? `Signal ${status.signal}`;
  return status.status === 0 ? 'Done' : `Done(${status.status})`;
}

/** The shell's job table. */
export class JobTable {
  readonly #jobs: Job[] = [];

  /** Adds a job: the lowest free number, as dash reuses them. */
  add(pids: number[], text: string, done: Promise<WaitStatus>): Job {
    let number = 1;
    while (this.#jobs.some((j) => j.number === number)) number++;
    const job: Job = { number, pids, text, done };
    void done.then((s) => {
      job.status = s;
    });
    this.#jobs.push(job);
    this.#jobs.sort((a, b) => a.number - b.number);
    return job;
  }

  /** The job `spec` names: `%N`, `%%`/`%+` (the newest), or one of its pids. */
  find(spec: string): Job | undefined {
    if (spec === '%%' || spec === '%+') return this.#jobs.at(-1);
    if (spec.startsWith('%')) return this.#jobs.find((j) => String(j.number) === spec.slice(1));
    return this.#jobs.find((j) => j.pids.includes(Number(spec)));
  }

  all(): readonly Job[] {
    return this.#jobs;
  }

  remove(job: Job): void {
    const i = this.#jobs.indexOf(job);
    if (i >= 0) this.#jobs.splice(i, 1);
  }

  /** `showjob()`: `[1] + Running` padded to column 33, then the command. */
  format(job: Job): string {
    const newest = this.#jobs.at(-1) === job;
    const prev = this.#jobs.at(-2) === job;
    const head = `[${job.number}] ${newest ? '+' : prev ? '-' : ' '} ${job.status ? statusText(job.status) : 'Running'}`;
    return `${head}${' '.repeat(Math.max(33 - head.length, 1))}${job.text}\n`;
  }

  /** The lines of `jobs`, forgetting the jobs that ended (they were reported). */
  list(): string {
    const out = this.#jobs.map((j) => this.format(j)).join('');
    for (const j of [...this.#jobs]) if (j.status) this.remove(j);
    return out;
  }

  /** What an interactive shell reports before reading a line: the jobs that ended. */
  reportDone(): string {
    const ended = this.#jobs.filter((j) => j.status);
    const out = ended.map((j) => this.format(j)).join('');
    for (const j of ended) this.remove(j);
    return out;
  }
}

/** `kill`'s signal names and numbers. */
const SIGNALS = new Map([
  ['HUP', 1],
  ['INT', 2],
  ['KILL', 9],
  ['TERM', 15],
]);

/** Parses `kill`'s `-N`, `-NAME`, `-s NAME`; the signal and the operands, or an error text. */
export function parseKill(args: string[]): { sig: number; operands: string[] } | string {
  let sig = 15;
  let rest = args;
  const first = rest[0];
  if (first === '-s') {
    const name = rest[1];
    if (name === undefined) return 'kill: option requires an argument -- s';
    const n = SIGNALS.get(name.replace(/^SIG/, '')) ?? Number(name);
    if (!Number.isInteger(n)) return `kill: invalid signal number or name: ${name}`;
    sig = n;
    rest = rest.slice(2);
  } else if (first?.startsWith('-') && first !== '--' && first.length > 1) {
    const name = first.slice(1);
    const n = /^\d+$/.test(name) ? Number(name) : SIGNALS.get(name.replace(/^SIG/, ''));
    if (n === undefined) return `kill: invalid signal number or name: ${name}`;
    sig = n;
    rest = rest.slice(1);
  }
  if (rest[0] === '--') rest = rest.slice(1);
  if (rest.length === 0) return 'kill: usage: kill [-s sigspec | -signum | -sigspec] pid | job...';
  return { sig, operands: rest };
}

/** What dash's `kill` says when kill(2) fails: `kill: No such process`. */
export function killError(errno: number): string {
  return `kill: ${strerror(errno)}`;
}
