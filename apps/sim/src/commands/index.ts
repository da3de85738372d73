/**
 * The programs of the machine, by name, and the builtins the shell runs in its own task.
 *
 * @module
 */

import { board } from './board.js';
import { cat } from './cat.js';
import { dd } from './dd.js';
import { cd, echo, false_, pwd, true_ } from './echo.js';
import { gpiodetect, gpioget, gpioinfo, gpiomon, gpionotify, gpioset } from './gpio.js';
import { head, tail } from './head-tail.js';
import { hexdump } from './hexdump.js';
import { ls } from './ls.js';
import { dmesg, mkdir, mknod, ps, rm, sleep, uname } from './misc.js';
import { insmod, lsmod, modinfo, modprobe, rmmod } from './modules.js';
import type { Command } from './proc.js';
import { stat } from './stat.js';
import { grep, wc } from './text.js';

/** Builtins (dash's): they run in the shell's task, without a child. */
export const BUILTINS: ReadonlyMap<string, Command> = new Map([
  ['cd', cd],
  ['echo', echo],
  ['pwd', pwd],
  ['true', true_],
  ['false', false_],
  [':', true_],
]);

/** Programs: each runs as its own task. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['board', board],
  ['cat', cat],
  ['dd', dd],
  ['dmesg', dmesg],
  ['gpiodetect', gpiodetect],
  ['gpioget', gpioget],
  ['gpioinfo', gpioinfo],
  ['gpiomon', gpiomon],
  ['gpionotify', gpionotify],
  ['gpioset', gpioset],
  ['grep', grep],
  ['head', head],
  ['hexdump', hexdump],
  ['insmod', insmod],
  ['ls', ls],
  ['lsmod', lsmod],
  ['mkdir', mkdir],
  ['mknod', mknod],
  ['modinfo', modinfo],
  ['modprobe', modprobe],
  ['ps', ps],
  ['rm', rm],
  ['rmmod', rmmod],
  ['sleep', sleep],
  ['stat', stat],
  ['tail', tail],
  ['uname', uname],
  ['wc', wc],
]);
