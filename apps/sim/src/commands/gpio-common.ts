/**
 * What libgpiod's tools share (tools/tools-common.c): `die()` and its messages,
 * `getopt_long()`-style options, finding chips under /dev by number, name or path,
 * resolving line offsets and names (`resolve_lines()`), and requesting lines
 * through the v2 character-device ABI.
 *
 * @module
 */

import {
  decode_gpio_v2_line_info,
  decode_gpio_v2_line_request,
  decode_gpiochip_info,
  encode_gpio_v2_line_info,
  encode_gpio_v2_line_request,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIOCHIP_INFO_SIZE,
  type gpio_v2_line_config_attribute,
  type gpio_v2_line_info,
  type gpiochip_info,
} from '@rfl/kernel';
import { strerror } from '../strerror.js';
import { O_RDWR, S_IFCHR, S_IFMT } from '../sys.js';
import type { Command, Proc } from './proc.js';

/** Thrown by `die()`: the tool's message was printed, it exits with status 1. */
export class Die extends Error {}

/** `die()`/`die_perror()` of tools-common.c. */
export async function die(proc: Proc, message: string, errno?: number): Promise<never> {
  await proc.err(`${proc.name}: ${message}${errno === undefined ? '' : `: ${strerror(errno)}`}\n`);
  throw new Die(message);
}

/** One option of a tool: its long name, short letter and whether it takes an argument. */
interface OptSpec {
  readonly long: string;
  readonly short?: string;
  readonly arg?: boolean;
}

/**
 * `getopt_long()` with a `+` optstring: options until the first operand, `--name=value`
 * or `--name value`, grouped short options. Unknown ones die with `try TOOL --help`.
 */
export async function parseOptions(
  proc: Proc,
  argv: string[],
  specs: readonly OptSpec[],
): Promise<{ opts: Map<string, string>; operands: string[] }> {
  const opts = new Map<string, string>();
  let i = 0;
  const fail = async (text: string): Promise<never> => {
    await proc.err(`${proc.name}: ${text}\n`);
    return die(proc, `try ${proc.name} --help`);
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const spec = specs.find((s) => s.long === name);
      if (!spec) await fail(`unrecognized option '${a}'`);
      let value = inline ?? '';
      if (spec!.arg && inline === undefined) {
        const next = argv[++i];
        if (next === undefined) await fail(`option '--${name}' requires an argument`);
        value = next!;
      }
      opts.set(spec!.long, value);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const spec = specs.find((s) => s.short === c);
      if (!spec) await fail(`invalid option -- '${c}'`);
      if (spec!.arg) {
        const value = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (value === undefined) await fail(`option requires an argument -- '${c}'`);
        opts.set(spec!.long, value!);
        break;
      }
      opts.set(spec!.long, '');
    }
  }
  return { opts, operands: argv.slice(i) };
}

/** `parse_period()`: milliseconds unless `us`/`ms`/`s` follows; microseconds, or -1. */
export function parsePeriod(option: string): number {
  const m = /^(\d+)(us|ms|s)?$/.exec(option);
  if (!m) return -1;
  const scale = m[2] === 'us' ? 1 : m[2] === 's' ? 1_000_000 : 1000;
  const p = Number(m[1]) * scale;
  return p > 0x7fffffff ? -1 : p;
}

export async function parsePeriodOrDie(proc: Proc, option: string): Promise<number> {
  const p = parsePeriod(option);
  if (p < 0) await die(proc, `invalid period: ${option}`);
  return p;
}

export async function parseBiasOrDie(proc: Proc, option: string): Promise<number> {
  if (option === 'pull-down') return GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN;
  if (option === 'pull-up') return GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
  if (option !== 'disabled') await die(proc, `invalid bias: ${option}`);
  return GPIO_V2_LINE_FLAG_BIAS_DISABLED;
}

/** An open chip: its path, descriptor and `struct gpiochip_info`. */
export interface Chip {
  readonly path: string;
  readonly fd: number;
  readonly info: gpiochip_info;
}

/** `gpiod_chip_open()` + `gpiod_chip_get_info()`; a negative errno when it is no GPIO chip. */
export async function openChip(proc: Proc, path: string): Promise<Chip | number> {
  const st = await proc.sys.stat(path);
  if (typeof st === 'number') return st;
  if ((st.st_mode & S_IFMT) !== S_IFCHR) return -25;
  const fd = await proc.sys.open(path, O_RDWR);
  if (fd < 0) return fd;
  const buf = new Uint8Array(GPIOCHIP_INFO_SIZE);
  const ret = await proc.sys.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, buf);
  if (ret < 0) {
    await proc.sys.close(fd);
    return ret;
  }
  return { path, fd, info: decode_gpiochip_info(buf) };
}

export async function lineInfo(proc: Proc, chip: Chip, offset: number): Promise<gpio_v2_line_info> {
  const buf = encode_gpio_v2_line_info({ name: '', consumer: '', offset, flags: 0n, attrs: [] });
  const ret = await proc.sys.ioctl(chip.fd, GPIO_V2_GET_LINEINFO_IOCTL, buf);
  if (ret < 0) {
    await die(proc, `unable to read the info for line ${offset} from ${chip.info.name}`, ret);
  }
  return decode_gpio_v2_line_info(buf);
}

/** `chip_path_lookup()`: a number, a path, or a name under /dev. */
function chipPath(id: string): string {
  if (/^\d+$/.test(id)) return `/dev/gpiochip${id}`;
  if (id.includes('/')) return id;
  return `/dev/${id}`;
}

/** `all_chip_paths()`: the GPIO chips under /dev, in `alphasort` order. */
export async function allChipPaths(proc: Proc): Promise<string[]> {
  const entries = await proc.sys.readdir('/dev');
  if (typeof entries === 'number') return die(proc, 'unable to scan /dev', entries);
  const paths: string[] = [];
  for (const e of entries.map((d) => d.d_name).sort()) {
    if (!e.startsWith('gpiochip')) continue;
    const chip = await openChip(proc, `/dev/${e}`);
    if (typeof chip === 'number') continue;
    await proc.sys.close(chip.fd);
    paths.push(chip.path);
  }
  return paths;
}

/** The chips a tool works on: the one `-c` names (dying if it is none), or all. */
export async function chipPaths(proc: Proc, id: string | undefined): Promise<string[]> {
  if (id === undefined) return allChipPaths(proc);
  const chip = await openChip(proc, chipPath(id));
  if (typeof chip === 'number') {
    return die(proc, `cannot find GPIO chip character device '${id}'`);
  }
  await proc.sys.close(chip.fd);
  return [chip.path];
}

/** A line a tool was asked for, once found (`struct resolved_line`). */
export interface ResolvedLine {
  readonly id: string;
  chip?: Chip;
  offset: number;
  name: string;
}

/**
 * `resolve_lines()` + `validate_resolution()`: each id is an offset on the `-c` chip
 * (unless `by_name`) or a line name. Dies with libgpiod's messages when one is missing or
 * two are the same line. The chips stay open for the caller.
 */
export async function resolveLines(
  proc: Proc,
  ids: string[],
  chipId: string | undefined,
  byName: boolean,
): Promise<ResolvedLine[]> {
  const lines: ResolvedLine[] = ids.map((id) => ({ id, offset: -1, name: '' }));
  const paths = await chipPaths(proc, chipId);
  for (const [i, path] of paths.entries()) {
    const chip = await openChip(proc, path);
    if (typeof chip === 'number') return die(proc, `unable to open chip '${path}'`, chip);
    let used = false;
    if (i === 0 && chipId !== undefined && !byName) {
      for (const l of lines) {
        if (/^\d+$/.test(l.id) && Number(l.id) < chip.info.lines) {
          l.chip = chip;
          l.offset = Number(l.id);
          used = true;
        }
      }
    }
    for (let offset = 0; offset < chip.info.lines; offset++) {
      const info = await lineInfo(proc, chip, offset);
      for (const l of lines) {
        if (l.chip === chip && l.offset === offset) l.name = info.name;
        else if (!l.chip && info.name !== '' && info.name === l.id) {
          l.chip = chip;
          l.offset = offset;
          l.name = info.name;
          used = true;
        }
      }
    }
    if (!used) await proc.sys.close(chip.fd);
  }
  let valid = true;
  for (const [i, l] of lines.entries()) {
    if (!l.chip) {
      valid = false;
      if (chipId !== undefined && /^\d+$/.test(l.id)) {
        await proc.err(`${proc.name}: offset ${l.id} is out of range on chip '${chipId}'\n`);
      } else {
        await proc.err(`${proc.name}: cannot find line '${l.id}'\n`);
      }
      continue;
    }
    const prev = lines.slice(0, i).find((p) => p.chip === l.chip && p.offset === l.offset);
    if (prev) {
      valid = false;
      await proc.err(`${proc.name}: lines '${prev.id}' and '${l.id}' are the same line\n`);
    }
  }
  if (!valid) throw new Die('unresolved lines');
  return lines;
}

/** Groups resolved lines by chip, in the order the chips were found. */
export function byChip(lines: ResolvedLine[]): [Chip, ResolvedLine[]][] {
  const groups = new Map<Chip, ResolvedLine[]>();
  for (const l of lines) {
    const g = groups.get(l.chip!) ?? [];
    g.push(l);
    groups.set(l.chip!, g);
  }
  return [...groups];
}

/** `gpiod_chip_request_lines()`: the line request's descriptor, or die. */
export async function requestLines(
  proc: Proc,
  chip: Chip,
  offsets: number[],
  consumer: string,
  flags: number,
  attrs: gpio_v2_line_config_attribute[],
  what = 'unable to request lines',
): Promise<number> {
  const buf = encode_gpio_v2_line_request({
    offsets,
    consumer,
    config: { flags: BigInt(flags), attrs },
    event_buffer_size: 0,
    fd: 0,
  });
  const ret = await proc.sys.ioctl(chip.fd, GPIO_V2_GET_LINE_IOCTL, buf);
  if (ret < 0) return die(proc, what, ret);
  return decode_gpio_v2_line_request(buf).request!.fd;
}

export async function closeAll(proc: Proc, lines: ResolvedLine[]): Promise<void> {
  for (const chip of new Set(lines.map((l) => l.chip!))) await proc.sys.close(chip.fd);
}

/** Runs a tool body, turning a `die()` into exit status 1. */
export function tool(body: (proc: Proc, argv: string[]) => Promise<number>): Command {
  return async (proc, argv) => {
    try {
      return await body(proc, argv);
    } catch (err) {
      if (err instanceof Die) return 1;
      throw err;
    }
  };
}
