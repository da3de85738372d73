/**
 * The GPIO tools of libgpiod 2.x over `/dev/gpiochipN` (the v2 character-device ABI):
 * `gpiodetect`, `gpioinfo`, `gpioget`, `gpioset`, `gpiomon` and `gpionotify`, with libgpiod's options,
 * output formats and messages (`gpioget: unable to request lines: Device or resource
 * busy`, `gpiomon: error reading line events: No such device`).
 *
 * Lines are named by offset when `-c CHIP` is given (a number, `gpiochipN` or a path),
 * else by line name across every chip.
 *
 * As in libgpiod, `gpioset` keeps its lines requested until it is killed (or its chip goes
 * away): run it in the background (`gpioset -c 0 3=1 &`, then `kill $!`), or give it
 * `-t 0` to set the values and exit, or `-t PERIOD[,PERIOD...]` to toggle. `-z`
 * (daemonize) is refused: a process of the simulated machine cannot detach, and `&` does
 * the job. `gpiomon` prints one line per edge and stops after `-n N` events.
 *
 * @module
 */

import {
  decode_gpio_v2_line_event,
  decode_gpio_v2_line_info_changed,
  decode_gpio_v2_line_values,
  encode_gpio_v2_line_info,
  encode_gpio_v2_line_values,
  GPIO_V2_GET_LINEINFO_WATCH_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_EVENT_SIZE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE,
  GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OPEN_DRAIN,
  GPIO_V2_LINE_FLAG_OPEN_SOURCE,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_FLAG_USED,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_INFO_CHANGED_SIZE,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  type gpio_v2_line_config_attribute,
  type gpio_v2_line_info,
} from '@rfl/kernel';
import { strerror } from '../strerror.js';
import {
  allChipPaths,
  byChip,
  chipPaths,
  closeAll,
  die,
  lineInfo,
  openChip,
  parseBiasOrDie,
  parseOptions,
  parsePeriodOrDie,
  type ResolvedLine,
  requestLines,
  resolveLines,
  tool,
} from './gpio-common.js';

const EINTR = 4;

/** `gpiodetect [chip]...`: `gpiochip0 [label] (8 lines)` per chip. */
export const gpiodetect = tool(async (proc, argv) => {
  const { operands } = await parseOptions(proc, argv, [{ long: 'help', short: 'h' }]);
  const paths = operands.length
    ? (await Promise.all(operands.map((id) => chipPaths(proc, id)))).flat()
    : await allChipPaths(proc);
  for (const path of paths) {
    const chip = await openChip(proc, path);
    if (typeof chip === 'number') return die(proc, `unable to open chip '${path}'`, chip);
    await proc.out(`${chip.info.name} [${chip.info.label}] (${chip.info.lines} lines)\n`);
    await proc.sys.close(chip.fd);
  }
  return 0;
});

/** `print_line_attributes()` of tools-common.c. */
function lineAttributes(info: gpio_v2_line_info, unquoted: boolean): string {
  const f = Number(info.flags);
  let s = f & GPIO_V2_LINE_FLAG_OUTPUT ? 'output' : 'input';
  if (f & GPIO_V2_LINE_FLAG_ACTIVE_LOW) s += ' active-low';
  if (f & GPIO_V2_LINE_FLAG_OPEN_DRAIN) s += ' drive=open-drain';
  else if (f & GPIO_V2_LINE_FLAG_OPEN_SOURCE) s += ' drive=open-source';
  if (f & GPIO_V2_LINE_FLAG_BIAS_PULL_UP) s += ' bias=pull-up';
  else if (f & GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN) s += ' bias=pull-down';
  else if (f & GPIO_V2_LINE_FLAG_BIAS_DISABLED) s += ' bias=disabled';
  const edges = f & (GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING);
  if (edges === (GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING))
    s += ' edges=both';
  else if (edges === GPIO_V2_LINE_FLAG_EDGE_RISING) s += ' edges=rising';
  else if (edges === GPIO_V2_LINE_FLAG_EDGE_FALLING) s += ' edges=falling';
  if (f & GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME) s += ' event-clock=realtime';
  else if (f & GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE) s += ' event-clock=hte';
  const debounce = info.attrs.find((a) => a.id === GPIO_V2_LINE_ATTR_ID_DEBOUNCE);
  if (debounce && debounce.value > 0n) {
    const us = Number(debounce.value);
    s += ` debounce-period=${us % 1_000_000 === 0 ? `${us / 1_000_000}s` : us % 1000 === 0 ? `${us / 1000}ms` : `${us}us`}`;
  }
  if (f & GPIO_V2_LINE_FLAG_USED) {
    const consumer = info.consumer || 'kernel';
    s += unquoted ? ` consumer=${consumer}` : ` consumer="${consumer}"`;
  }
  return s;
}

/** `print_line_info()` of gpioinfo.c: the name padded to 16, then the attributes. */
function lineInfoText(info: gpio_v2_line_info, unquoted: boolean): string {
  let name: string;
  if (info.name === '') name = 'unnamed'.padEnd(16);
  else if (unquoted) name = info.name.padEnd(16);
  else if (info.name.length <= 14) name = `"${info.name}"`.padEnd(16);
  else name = `"${info.name}"`;
  return `${name}\t${lineAttributes(info, unquoted)}`;
}

/** `gpioinfo [-c chip] [line]...`: every line of every chip, or the lines named. */
export const gpioinfo = tool(async (proc, argv) => {
  const { opts, operands } = await parseOptions(proc, argv, [
    { long: 'by-name' },
    { long: 'chip', short: 'c', arg: true },
    { long: 'help', short: 'h' },
    { long: 'strict', short: 's' },
    { long: 'unquoted' },
  ]);
  const chipId = opts.get('chip');
  const unquoted = opts.has('unquoted');
  if (operands.length > 0) {
    const lines = await resolveLines(proc, operands, chipId, opts.has('by-name') || !chipId);
    for (const l of lines) {
      const info = await lineInfo(proc, l.chip!, l.offset);
      await proc.out(`${l.chip!.info.name} ${l.offset}\t${lineInfoText(info, unquoted)}\n`);
    }
    await closeAll(proc, lines);
    return 0;
  }
  for (const path of await chipPaths(proc, chipId)) {
    const chip = await openChip(proc, path);
    if (typeof chip === 'number') return die(proc, `unable to open chip '${path}'`, chip);
    await proc.out(`${chip.info.name} - ${chip.info.lines} lines:\n`);
    for (let offset = 0; offset < chip.info.lines; offset++) {
      const info = await lineInfo(proc, chip, offset);
      await proc.out(`\tline ${String(offset).padStart(3)}:\t${lineInfoText(info, unquoted)}\n`);
    }
    await proc.sys.close(chip.fd);
  }
  return 0;
});

/** `print_line_vals()`: `"id"=active` (or `id=`, or `1` with `--numeric`), space-separated. */
function lineValues(
  lines: ResolvedLine[],
  values: number[],
  unquoted: boolean,
  numeric: boolean,
): string {
  return `${lines
    .map((l, i) => {
      const v = values[i]!;
      if (numeric) return String(v);
      return `${unquoted ? l.id : `"${l.id}"`}=${v ? 'active' : 'inactive'}`;
    })
    .join(' ')}\n`;
}

/** `gpioget [options] <line>...`: requests the lines as inputs and prints their values. */
export const gpioget = tool(async (proc, argv) => {
  const { opts, operands } = await parseOptions(proc, argv, [
    { long: 'as-is', short: 'a' },
    { long: 'bias', short: 'b', arg: true },
    { long: 'by-name' },
    { long: 'chip', short: 'c', arg: true },
    { long: 'consumer', short: 'C', arg: true },
    { long: 'help', short: 'h' },
    { long: 'active-low', short: 'l' },
    { long: 'numeric' },
    { long: 'hold-period', short: 'p', arg: true },
    { long: 'strict', short: 's' },
    { long: 'unquoted' },
  ]);
  if (operands.length < 1) await die(proc, 'at least one GPIO line must be specified');
  let flags = opts.has('as-is') ? 0 : GPIO_V2_LINE_FLAG_INPUT;
  if (opts.has('bias')) flags |= await parseBiasOrDie(proc, opts.get('bias')!);
  if (opts.has('active-low')) flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
  const hold = opts.has('hold-period') ? await parsePeriodOrDie(proc, opts.get('hold-period')!) : 0;
  const lines = await resolveLines(proc, operands, opts.get('chip'), opts.has('by-name'));
  const values = new Array<number>(lines.length).fill(0);
  for (const [chip, group] of byChip(lines)) {
    const lfd = await requestLines(
      proc,
      chip,
      group.map((l) => l.offset),
      opts.get('consumer') ?? 'gpioget',
      flags,
      [],
    );
    if (hold) await proc.sys.nanosleep(hold * 1000);
    const mask = (1n << BigInt(group.length)) - 1n;
    const buf = encode_gpio_v2_line_values({ bits: 0n, mask });
    const ret = await proc.sys.ioctl(lfd, GPIO_V2_LINE_GET_VALUES_IOCTL, buf);
    if (ret < 0) await die(proc, 'unable to read GPIO line values', ret);
    const { bits } = decode_gpio_v2_line_values(buf);
    group.forEach((l, i) => {
      values[lines.indexOf(l)] = Number((bits >> BigInt(i)) & 1n);
    });
    await proc.sys.close(lfd);
  }
  await closeAll(proc, lines);
  await proc.out(lineValues(lines, values, opts.has('unquoted'), opts.has('numeric')));
  return 0;
});

/** `parse_value()` of gpioset.c. */
function parseValue(option: string): number {
  if (['0', 'inactive', 'off', 'false'].includes(option)) return 0;
  if (['1', 'active', 'on', 'true'].includes(option)) return 1;
  return -1;
}

/**
 * `gpioset [options] <line=value>...`: drives the lines and keeps them requested until
 * killed or their chip goes away; `-t` toggles them (exiting after a final period of 0).
 */
export const gpioset = tool(async (proc, argv) => {
  const { opts, operands } = await parseOptions(proc, argv, [
    { long: 'banner' },
    { long: 'bias', short: 'b', arg: true },
    { long: 'by-name' },
    { long: 'chip', short: 'c', arg: true },
    { long: 'consumer', short: 'C', arg: true },
    { long: 'drive', short: 'd', arg: true },
    { long: 'help', short: 'h' },
    { long: 'active-low', short: 'l' },
    { long: 'hold-period', short: 'p', arg: true },
    { long: 'strict', short: 's' },
    { long: 'toggle', short: 't', arg: true },
    { long: 'unquoted' },
    { long: 'daemonize', short: 'z' },
  ]);
  if (opts.has('daemonize')) {
    await die(proc, "can't daemonize on the simulated machine: run it in the background with '&'");
  }
  if (operands.length < 1) await die(proc, 'at least one GPIO line value must be specified');
  const ids: string[] = [];
  const wanted: number[] = [];
  for (const lv of operands) {
    const quoted = lv.startsWith('"');
    const at = quoted ? lv.indexOf('"=') : lv.indexOf('=');
    if (at < 0) await die(proc, `invalid line value: '${lv}'`);
    const value = lv.slice(at + (quoted ? 2 : 1));
    const v = parseValue(value);
    if (v < 0) await die(proc, `invalid line value: '${value}'`);
    ids.push(quoted ? lv.slice(1, at) : lv.slice(0, at));
    wanted.push(v);
  }
  let flags = GPIO_V2_LINE_FLAG_OUTPUT;
  if (opts.has('bias')) flags |= await parseBiasOrDie(proc, opts.get('bias')!);
  if (opts.has('active-low')) flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
  const drive = opts.get('drive');
  if (drive === 'open-drain') flags |= GPIO_V2_LINE_FLAG_OPEN_DRAIN;
  else if (drive === 'open-source') flags |= GPIO_V2_LINE_FLAG_OPEN_SOURCE;
  else if (drive !== undefined && drive !== 'push-pull') await die(proc, `invalid drive: ${drive}`);
  const hold = opts.has('hold-period') ? await parsePeriodOrDie(proc, opts.get('hold-period')!) : 0;
  const toggles: number[] = [];
  for (const p of opts.get('toggle')?.split(',') ?? [])
    toggles.push(await parsePeriodOrDie(proc, p));

  const lines = await resolveLines(proc, ids, opts.get('chip'), opts.has('by-name'));
  const requests: { fd: number; group: ResolvedLine[] }[] = [];
  for (const [chip, group] of byChip(lines)) {
    let bits = 0n;
    group.forEach((l, i) => {
      if (wanted[lines.indexOf(l)]) bits |= 1n << BigInt(i);
    });
    const mask = (1n << BigInt(group.length)) - 1n;
    const fd = await requestLines(
      proc,
      chip,
      group.map((l) => l.offset),
      opts.get('consumer') ?? 'gpioset',
      flags,
      [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value: bits }, mask }],
    );
    requests.push({ fd, group });
  }
  await closeAll(proc, lines);
  if (opts.has('banner')) {
    const names = ids.map((id) => `'${id}'`);
    await proc.out(
      names.length > 1
        ? `Setting lines ${names.slice(0, -1).join(', ')} and ${names.at(-1)}...\n`
        : `Setting line ${names[0]}...\n`,
    );
    await proc.flush();
  }
  if (hold) await proc.sys.nanosleep(hold * 1000);
  if (toggles.length > 0) {
    if (toggles.length === 1 && toggles[0] === 0) return 0;
    for (let i = 0; ; ) {
      await proc.sys.nanosleep(toggles[i]! * 1000);
      for (let j = 0; j < wanted.length; j++) wanted[j] = wanted[j] ? 0 : 1;
      for (const { fd, group } of requests) {
        let bits = 0n;
        group.forEach((l, k) => {
          if (wanted[lines.indexOf(l)]) bits |= 1n << BigInt(k);
        });
        const buf = encode_gpio_v2_line_values({ bits, mask: (1n << BigInt(group.length)) - 1n });
        const ret = await proc.sys.ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, buf);
        if (ret < 0)
          await proc.err(
            `${proc.name}: unable to set values on '${group[0]!.chip!.info.name}': ${strerror(ret)}\n`,
          );
      }
      i++;
      if (i === toggles.length - 1 && toggles[i] === 0) return 0;
      if (i === toggles.length) i = 0;
    }
  }
  // Hold the lines until the request ends: a read of a request without edge detection
  // sleeps until the chip goes away (or a signal ends the process).
  const buf = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE);
  for (;;) {
    const n = await proc.sys.read(requests[0]!.fd, buf);
    if (n !== -EINTR) return 0;
  }
});

/** `print_event_time()` in its raw form: seconds and nine digits of nanoseconds. */
function eventTime(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/** `gpiomon [options] <line>...`: one line per edge, until `-n` events or forever. */
export const gpiomon = tool(async (proc, argv) => {
  const { opts, operands } = await parseOptions(proc, argv, [
    { long: 'active-low', short: 'l' },
    { long: 'banner' },
    { long: 'bias', short: 'b', arg: true },
    { long: 'by-name' },
    { long: 'chip', short: 'c', arg: true },
    { long: 'consumer', short: 'C', arg: true },
    { long: 'debounce-period', short: 'p', arg: true },
    { long: 'edges', short: 'e', arg: true },
    { long: 'format', short: 'F', arg: true },
    { long: 'help', short: 'h' },
    { long: 'num-events', short: 'n', arg: true },
    { long: 'quiet', short: 'q' },
    { long: 'silent' },
    { long: 'strict', short: 's' },
    { long: 'unquoted' },
  ]);
  let flags = GPIO_V2_LINE_FLAG_INPUT;
  const edges = opts.get('edges') ?? 'both';
  if (edges === 'rising') flags |= GPIO_V2_LINE_FLAG_EDGE_RISING;
  else if (edges === 'falling') flags |= GPIO_V2_LINE_FLAG_EDGE_FALLING;
  else if (edges === 'both')
    flags |= GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
  else await die(proc, `invalid edges: ${edges}`);
  if (opts.has('bias')) flags |= await parseBiasOrDie(proc, opts.get('bias')!);
  if (opts.has('active-low')) flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
  let wanted = 0;
  if (opts.has('num-events')) {
    const n = opts.get('num-events')!;
    if (!/^\d+$/.test(n) || Number(n) > 0x7fffffff) await die(proc, `invalid number: '${n}'`);
    wanted = Number(n);
  }
  const attrs: gpio_v2_line_config_attribute[] = [];
  if (opts.has('debounce-period')) {
    const us = await parsePeriodOrDie(proc, opts.get('debounce-period')!);
    if (us)
      attrs.push({
        attr: { id: GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value: BigInt(us) },
        mask: (1n << 64n) - 1n,
      });
  }
  if (operands.length < 1) await die(proc, 'at least one GPIO line must be specified');
  if (operands.length > 64) await die(proc, 'too many lines given');
  const chipId = opts.get('chip');
  const lines = await resolveLines(proc, operands, chipId, opts.has('by-name'));
  const groups = byChip(lines);
  if (groups.length > 1) await die(proc, 'monitoring lines of several chips is not supported here');
  const [chip, group] = groups[0]!;
  const mask = attrs.length ? (1n << BigInt(group.length)) - 1n : 0n;
  for (const a of attrs) a.mask = mask;
  const fd = await requestLines(
    proc,
    chip,
    group.map((l) => l.offset),
    opts.get('consumer') ?? 'gpiomon',
    flags,
    attrs,
    `unable to request lines on chip ${chip.path}`,
  );
  await closeAll(proc, lines);
  if (opts.has('banner')) {
    const names = operands.map((id) => `'${id}'`);
    await proc.out(
      names.length > 1
        ? `Monitoring lines ${names.slice(0, -1).join(', ')} and ${names.at(-1)}...\n`
        : `Monitoring line ${names[0]}...\n`,
    );
  }
  const quiet = opts.has('quiet') || opts.has('silent');
  const fmt = opts.get('format');
  const unquoted = opts.has('unquoted');
  const lineOf = (offset: number) => group.find((l) => l.offset === offset);
  const buf = new Uint8Array(GPIO_V2_LINE_EVENT_SIZE * 32);
  let done = 0;
  for (;;) {
    await proc.flush();
    const n = await proc.sys.read(fd, buf);
    if (n === -EINTR) continue;
    if (n < 0) await die(proc, 'error reading line events', n);
    for (let at = 0; at + GPIO_V2_LINE_EVENT_SIZE <= n; at += GPIO_V2_LINE_EVENT_SIZE) {
      const ev = decode_gpio_v2_line_event(buf.subarray(at, at + GPIO_V2_LINE_EVENT_SIZE));
      const rising = ev.id === GPIO_V2_LINE_EVENT_RISING_EDGE;
      const l = lineOf(ev.offset);
      if (!quiet && fmt !== undefined) {
        await proc.out(
          `${formatEvent(fmt, ev.offset, l?.name || 'unnamed', chip.info.name, ev.id, ev.timestamp_ns)}\n`,
        );
      } else if (!quiet) {
        let id = `${chip.info.name} ${ev.offset}`;
        if (l?.name)
          id =
            chipId !== undefined
              ? `${id} ${unquoted ? l.name : `"${l.name}"`}`
              : unquoted
                ? l.name
                : `"${l.name}"`;
        await proc.out(`${eventTime(ev.timestamp_ns)}\t${rising ? 'rising' : 'falling'}\t${id}\n`);
      }
      done += 1;
      if (wanted && done >= wanted) {
        await proc.sys.close(fd);
        return 0;
      }
    }
  }
});

/** `event_print_formatted()`: `%o %l %c %e %E %S %%` of gpiomon's `--format`. */
function formatEvent(
  fmt: string,
  offset: number,
  name: string,
  chip: string,
  id: number,
  ns: bigint,
): string {
  return fmt.replace(/%(.?)/gs, (all, c: string) => {
    switch (c) {
      case 'o':
        return String(offset);
      case 'l':
        return name;
      case 'c':
        return chip;
      case 'e':
        return String(id);
      case 'E':
        return id === GPIO_V2_LINE_EVENT_RISING_EDGE ? 'rising' : 'falling';
      case 'S':
        return eventTime(ns);
      case '%':
        return '%';
      case '':
        return '%';
      default:
        return all;
    }
  });
}

const INFO_EVENTS = ['requested', 'released', 'reconfigured'];

/**
 * `gpionotify [options] <line>...`: watches the lines' info and prints one line per
 * request, release or reconfiguration, until `-n` events or forever.
 */
export const gpionotify = tool(async (proc, argv) => {
  const { opts, operands } = await parseOptions(proc, argv, [
    { long: 'banner' },
    { long: 'by-name' },
    { long: 'chip', short: 'c', arg: true },
    { long: 'event', short: 'e', arg: true },
    { long: 'format', short: 'F', arg: true },
    { long: 'help', short: 'h' },
    { long: 'num-events', short: 'n', arg: true },
    { long: 'quiet', short: 'q' },
    { long: 'strict', short: 's' },
    { long: 'unquoted' },
  ]);
  const only = opts.get('event');
  if (only !== undefined && !INFO_EVENTS.includes(only)) await die(proc, `invalid event: ${only}`);
  let wanted = 0;
  if (opts.has('num-events')) {
    const n = opts.get('num-events')!;
    if (!/^\d+$/.test(n) || Number(n) > 0x7fffffff) await die(proc, `invalid number: '${n}'`);
    wanted = Number(n);
  }
  if (operands.length < 1) await die(proc, 'at least one GPIO line must be specified');
  const chipId = opts.get('chip');
  const lines = await resolveLines(proc, operands, chipId, opts.has('by-name'));
  const groups = byChip(lines);
  if (groups.length > 1) await die(proc, 'watching lines of several chips is not supported here');
  const [chip, group] = groups[0]!;
  for (const l of group) {
    const buf = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: l.offset,
      flags: 0n,
      attrs: [],
    });
    const ret = await proc.sys.ioctl(chip.fd, GPIO_V2_GET_LINEINFO_WATCH_IOCTL, buf);
    if (ret < 0) await die(proc, `unable to watch line on chip '${chip.path}'`, ret);
  }
  if (opts.has('banner')) {
    const names = operands.map((id) => `'${id}'`);
    await proc.out(
      names.length > 1
        ? `Watching lines ${names.slice(0, -1).join(', ')} and ${names.at(-1)}...\n`
        : `Watching line ${names[0]}...\n`,
    );
  }
  const quiet = opts.has('quiet');
  const fmt = opts.get('format');
  const unquoted = opts.has('unquoted');
  const buf = new Uint8Array(GPIO_V2_LINE_INFO_CHANGED_SIZE * 16);
  let done = 0;
  for (;;) {
    await proc.flush();
    const n = await proc.sys.read(chip.fd, buf);
    if (n === -EINTR) continue;
    if (n < 0) await die(proc, 'error reading info events', n);
    for (
      let at = 0;
      at + GPIO_V2_LINE_INFO_CHANGED_SIZE <= n;
      at += GPIO_V2_LINE_INFO_CHANGED_SIZE
    ) {
      const chg = decode_gpio_v2_line_info_changed(
        buf.subarray(at, at + GPIO_V2_LINE_INFO_CHANGED_SIZE),
      );
      const evname = INFO_EVENTS[chg.event_type - 1] ?? 'unknown';
      if (only !== undefined && evname !== only) continue;
      const l = group.find((g) => g.offset === chg.info.offset);
      if (!quiet && fmt !== undefined) {
        await proc.out(
          `${fmt.replace(/%(.?)/gs, (all, c: string) => {
            if (c === 'o') return String(chg.info.offset);
            if (c === 'l') return chg.info.name || 'unnamed';
            if (c === 'c') return chip.info.name;
            if (c === 'e') return String(chg.event_type);
            if (c === 'E') return evname;
            if (c === 'S') return eventTime(chg.timestamp_ns);
            if (c === '%' || c === '') return '%';
            return all;
          })}\n`,
        );
      } else if (!quiet) {
        let id = `${chip.info.name} ${chg.info.offset}`;
        if (l?.name) {
          const name = unquoted ? l.name : `"${l.name}"`;
          id = chipId !== undefined ? `${id} ${name}` : name;
        }
        await proc.out(`${eventTime(chg.timestamp_ns)}\t${evname}\t${id}\n`);
      }
      done += 1;
      if (wanted && done >= wanted) {
        await closeAll(proc, lines);
        return 0;
      }
    }
  }
});
