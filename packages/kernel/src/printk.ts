/**
 * `printk` and the kernel log buffer (`kernel/printk/printk.c`).
 *
 * Every message becomes a record in a ring buffer of `log_buf_len` bytes
 * (default 128 KiB, `CONFIG_LOG_BUF_SHIFT=17`); the oldest records are dropped
 * when it is full. {@link dmesg} prints the buffer the way `dmesg` does, each
 * line prefixed with the time since boot: `[    1.234567] foxes: ...`.
 *
 * The timestamp comes from {@link local_clock}, which by default is the
 * monotonic time since this module was loaded; the scheduler's virtual clock
 * replaces it with {@link set_local_clock} so that tests get deterministic
 * times.
 *
 * A record is also written to the console when its level is below
 * `console_loglevel` and a console is registered ({@link register_console});
 * none is by default, so tests stay quiet.
 *
 * @example
 * ```ts
 * import { dmesg, pr_info, print_time } from '@rfl/kernel';
 * pr_info('foxes: %d foxes registered\n', 3);
 * dmesg().endsWith('] foxes: 3 foxes registered\n') // => true
 * print_time(1_234_567_000) // => '[    1.234567] '
 * ```
 *
 * @module
 */

import { sprintf } from './vsprintf.js';

/** The start-of-header byte that introduces a level in a printk format. */
export const KERN_SOH = '\x01';
export const KERN_EMERG = `${KERN_SOH}0`;
export const KERN_ALERT = `${KERN_SOH}1`;
export const KERN_CRIT = `${KERN_SOH}2`;
export const KERN_ERR = `${KERN_SOH}3`;
export const KERN_WARNING = `${KERN_SOH}4`;
export const KERN_NOTICE = `${KERN_SOH}5`;
export const KERN_INFO = `${KERN_SOH}6`;
export const KERN_DEBUG = `${KERN_SOH}7`;
/** The default level (`MESSAGE_LOGLEVEL_DEFAULT`, 4 = warning). */
export const KERN_DEFAULT = '';
/** Continues the previous record instead of starting a new one. */
export const KERN_CONT = `${KERN_SOH}c`;

/** `CONFIG_MESSAGE_LOGLEVEL_DEFAULT`: the level of a printk without one. */
export const MESSAGE_LOGLEVEL_DEFAULT = 4;
/** `CONFIG_CONSOLE_LOGLEVEL_DEFAULT`. */
export const CONSOLE_LOGLEVEL_DEFAULT = 7;

/** One record of the log buffer (`struct printk_info` plus its text). */
export interface printk_record {
  /** Sequence number, counting from 0 since boot; never reused. */
  readonly seq: number;
  /** Nanoseconds since boot, from {@link local_clock}. */
  readonly ts_nsec: number;
  /** 0 (emerg) … 7 (debug). */
  readonly level: number;
  /** The message without its trailing newline; may span several lines. */
  text: string;
  /** Whether the message ended with a newline (a KERN_CONT cannot extend it). */
  newline: boolean;
}

const boot_time = performance.now();
let clock_source: (() => number) | null = null;

/**
 * Nanoseconds since boot: the scheduler's virtual clock once it has called
 * {@link set_local_clock}, the monotonic time since this module loaded before.
 */
export function local_clock(): number {
  return clock_source ? clock_source() : Math.floor((performance.now() - boot_time) * 1e6);
}

/**
 * Replaces the clock printk timestamps come from (`null` restores the
 * monotonic default). The source returns nanoseconds since boot.
 */
export function set_local_clock(source: (() => number) | null): void {
  clock_source = source;
}

/** `CONFIG_LOG_BUF_SHIFT=17`: a 128 KiB log buffer. */
const LOG_BUF_LEN_DEFAULT = 1 << 17;

const log = {
  records: [] as printk_record[],
  bytes: 0,
  next_seq: 0,
  log_buf_len: LOG_BUF_LEN_DEFAULT,
  console_loglevel: CONSOLE_LOGLEVEL_DEFAULT,
  console: null as ((line: string) => void) | null,
};

function drop_oldest(): void {
  while (log.bytes > log.log_buf_len && log.records.length > 1) {
    const dropped = log.records.shift()!;
    log.bytes -= dropped.text.length;
  }
}

/** The `[    1.234567] ` prefix of a record, as `print_time()` makes it. */
export function print_time(ts_nsec: number): string {
  const sec = Math.floor(ts_nsec / 1e9);
  const usec = Math.floor((ts_nsec % 1e9) / 1000);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}] `;
}

function record_lines(r: printk_record): string {
  const prefix = print_time(r.ts_nsec);
  return `${r.text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n')}\n`;
}

function emit_console(r: printk_record, text: string): void {
  if (log.console && r.level < log.console_loglevel) {
    const prefix = print_time(r.ts_nsec);
    for (const line of text.split('\n')) log.console(prefix + line);
  }
}

/**
 * Stores a message at `level`, or extends the previous one for KERN_CONT.
 * Returns the number of characters logged, as printk does.
 */
function vprintk_store(level: number, cont: boolean, text: string): number {
  const newline = text.endsWith('\n');
  const body = newline ? text.slice(0, -1) : text;
  const last = log.records[log.records.length - 1];
  if (cont && last && !last.newline) {
    last.text += body;
    last.newline = newline;
    log.bytes += body.length;
    emit_console(last, body);
    drop_oldest();
    return text.length;
  }
  const r: printk_record = {
    seq: log.next_seq++,
    ts_nsec: local_clock(),
    level,
    text: body,
    newline,
  };
  log.records.push(r);
  log.bytes += body.length;
  emit_console(r, body);
  drop_oldest();
  return text.length;
}

/**
 * Logs a message. The format may start with a `KERN_*` level (`KERN_DEFAULT`
 * means level 4); the rest is formatted by {@link sprintf}.
 *
 * @example
 * ```ts
 * import { KERN_ERR, dmesg_records, printk } from '@rfl/kernel';
 * printk(`${KERN_ERR}pl061: probe failed: %pe\n`, -19);
 * dmesg_records().at(-1)?.text // => 'pl061: probe failed: -ENODEV'
 * dmesg_records().at(-1)?.level // => 3
 * ```
 */
export function printk(fmt: string, ...args: unknown[]): number {
  let level = MESSAGE_LOGLEVEL_DEFAULT;
  let cont = false;
  while (fmt.charCodeAt(0) === 1 && fmt.length >= 2) {
    const c = fmt[1]!;
    if (c >= '0' && c <= '7') level = c.charCodeAt(0) - 48;
    else if (c === 'c') cont = true;
    fmt = fmt.slice(2);
  }
  return vprintk_store(level, cont, sprintf(fmt, ...args));
}

export function pr_emerg(fmt: string, ...args: unknown[]): number {
  return printk(KERN_EMERG + fmt, ...args);
}
export function pr_alert(fmt: string, ...args: unknown[]): number {
  return printk(KERN_ALERT + fmt, ...args);
}
export function pr_crit(fmt: string, ...args: unknown[]): number {
  return printk(KERN_CRIT + fmt, ...args);
}
export function pr_err(fmt: string, ...args: unknown[]): number {
  return printk(KERN_ERR + fmt, ...args);
}
export function pr_warn(fmt: string, ...args: unknown[]): number {
  return printk(KERN_WARNING + fmt, ...args);
}
export function pr_notice(fmt: string, ...args: unknown[]): number {
  return printk(KERN_NOTICE + fmt, ...args);
}
export function pr_info(fmt: string, ...args: unknown[]): number {
  return printk(KERN_INFO + fmt, ...args);
}
/**
 * Logs at KERN_DEBUG. The kernel compiles `pr_debug` out unless the file
 * defines `DEBUG` or dynamic debug enables the call site; the simulation
 * always logs it, as if `DEBUG` were defined.
 */
export function pr_debug(fmt: string, ...args: unknown[]): number {
  return printk(KERN_DEBUG + fmt, ...args);
}
/** Continues the previous record (KERN_CONT). */
export function pr_cont(fmt: string, ...args: unknown[]): number {
  return printk(KERN_CONT + fmt, ...args);
}

/**
 * What dev_printk needs of a device: its name (`dev_name()`) and the name of
 * its driver, bus or class (`dev_driver_string()`), empty when none.
 */
export interface dev_printk_target {
  readonly name: string;
  readonly driver_string?: string;
}

/**
 * `dev_printk`: prefixes the message with `"<driver> <device>: "`.
 *
 * @example
 * ```ts
 * import { dev_info, dmesg_records } from '@rfl/kernel';
 * dev_info({ name: '9000000.gpio', driver_string: 'pl061_gpio' }, 'PL061 GPIO chip registered\n');
 * dmesg_records().at(-1)?.text // => 'pl061_gpio 9000000.gpio: PL061 GPIO chip registered'
 * ```
 */
export function dev_printk(
  level: string,
  dev: dev_printk_target,
  fmt: string,
  ...args: unknown[]
): number {
  const prefix = `${dev.driver_string ?? ''} ${dev.name}: `;
  return printk(level + prefix.replaceAll('%', '%%') + fmt, ...args);
}

export function dev_emerg(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_EMERG, dev, fmt, ...args);
}
export function dev_crit(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_CRIT, dev, fmt, ...args);
}
export function dev_alert(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_ALERT, dev, fmt, ...args);
}
export function dev_err(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_ERR, dev, fmt, ...args);
}
export function dev_warn(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_WARNING, dev, fmt, ...args);
}
export function dev_notice(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_NOTICE, dev, fmt, ...args);
}
export function dev_info(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_INFO, dev, fmt, ...args);
}
export function dev_dbg(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return dev_printk(KERN_DEBUG, dev, fmt, ...args);
}

/**
 * The log buffer as `dmesg` prints it: every line of every record, each with
 * its record's timestamp. `level` keeps only records at that level or more
 * urgent (`dmesg --level`); `notime` leaves the timestamps out (`dmesg -t`).
 *
 * @example
 * ```ts
 * import { dmesg, dmesg_clear, pr_info } from '@rfl/kernel';
 * dmesg_clear();
 * pr_info('foxes: %d loaded\n', 3);
 * dmesg({ notime: true }) // => 'foxes: 3 loaded\n'
 * dmesg().startsWith('[') && dmesg().endsWith('] foxes: 3 loaded\n') // => true
 * ```
 */
export function dmesg(
  options: { level?: number; since_seq?: number; notime?: boolean } = {},
): string {
  let out = '';
  for (const r of log.records) {
    if (options.level !== undefined && r.level > options.level) continue;
    if (options.since_seq !== undefined && r.seq < options.since_seq) continue;
    out += options.notime ? `${r.text}\n` : record_lines(r);
  }
  return out;
}

/** The records still in the buffer, oldest first. */
export function dmesg_records(): readonly printk_record[] {
  return log.records;
}

/** The sequence number the next record will get (a bookmark for {@link dmesg}). */
export function dmesg_next_seq(): number {
  return log.next_seq;
}

/** Empties the buffer (`dmesg -C`); sequence numbers keep counting. */
export function dmesg_clear(): void {
  log.records = [];
  log.bytes = 0;
}

/**
 * Registers the console: a sink that receives each line (with its timestamp)
 * of every record below `console_loglevel`; `null` unregisters it.
 */
export function register_console(sink: ((line: string) => void) | null): void {
  log.console = sink;
}

/** Sets `console_loglevel` (`dmesg -n`); returns the previous value. */
export function set_console_loglevel(level: number): number {
  const old = log.console_loglevel;
  log.console_loglevel = level;
  return old;
}

/** Sets the buffer size in bytes (the `log_buf_len=` boot parameter). */
export function set_log_buf_len(bytes: number): void {
  log.log_buf_len = bytes;
  drop_oldest();
}

/**
 * Restores printk to its boot state: an empty 128 KiB buffer starting at
 * sequence 0, the default console level and no console. The clock source is
 * left alone: it belongs to timekeeping. For tests.
 */
export function printk_reset(): void {
  dmesg_clear();
  log.next_seq = 0;
  log.log_buf_len = LOG_BUF_LEN_DEFAULT;
  log.console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
  log.console = null;
}
