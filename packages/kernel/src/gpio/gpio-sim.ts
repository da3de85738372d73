/**
 * A simulated GPIO controller (after drivers/gpio/gpio-sim.c): a `gpio_chip`
 * whose lines are JavaScript state, for tests, examples and the shell. Each
 * line has a pull (what the outside world drives when the line is an input)
 * and an output value; an input line follows its pull. Edge and level
 * interrupts are latched per line and reported on a root interrupt line of
 * the machine through gpiolib's chained handler, the way a real SoC GPIO
 * block (the PL061) does.
 *
 * @example
 * ```ts
 * import { gpio_init, gpio_sim_add, gpio_sim_remove, gpio_device_get_desc, gpiod_get_value, gpiod_request, gpiod_free } from '@rfl/kernel';
 * # gpio_init();
 * const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 4 });
 * const button = gpio_device_get_desc(sim.chip.gpiodev!, 1);
 * gpiod_request(button, 'button') // => 0
 * gpiod_get_value(button) // => 0
 * sim.set_pull(1, 1);
 * gpiod_get_value(button) // => 1
 * gpiod_free(button);
 * gpio_sim_remove(sim);
 * ```
 *
 * @module
 */

import type { device } from '../base/device.js';
import { EINVAL } from '../errno.js';
import {
  chained_irq_enter,
  chained_irq_exit,
  handle_edge_irq,
  handle_level_irq,
  irq_set_handler_locked,
} from '../irq/chip.js';
import {
  handle_bad_irq,
  IRQ_TYPE_EDGE_BOTH,
  IRQ_TYPE_EDGE_FALLING,
  IRQ_TYPE_EDGE_RISING,
  IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_NONE,
  IRQCHIP_IMMUTABLE,
  type irq_chip,
  type irq_data,
  irq_desc_get_chip,
  irq_desc_get_handler_data,
} from '../irq/irqdesc.js';
import { generic_handle_domain_irq } from '../irq/irqdomain.js';
import { sim_irq, sim_lower_irq, sim_raise_irq } from '../irq/sim-intc.js';
import { GPIO_LINE_DIRECTION_IN, GPIO_LINE_DIRECTION_OUT, gpio_chip } from './driver.js';
import { gpiochip_add_data, gpiochip_get_data, gpiochip_remove } from './gpiolib.js';
import {
  GPIOCHIP_IRQ_RESOURCE_HELPERS,
  gpiochip_disable_irq,
  gpiochip_enable_irq,
} from './gpiolib-irqchip.js';

/** Options of {@link gpio_sim_add}. */
export interface gpio_sim_options {
  readonly label: string;
  readonly ngpio: number;
  /** Line names (`gpio-line-names`). */
  readonly names?: readonly string[];
  /** The root interrupt line (SIMINTC) the bank signals on; no interrupts when absent. */
  readonly hwirq?: number;
  /** The device the chip belongs to. */
  readonly parent?: device | null;
}

/** A simulated bank: its chip and the outside world's side of its pins. */
export interface gpio_sim {
  readonly chip: gpio_chip;
  /** Drives what the outside world puts on input line `offset` (a button, a jumper). */
  set_pull(offset: number, level: number): void;
  /** The level of line `offset` as the outside world sees it (an LED). */
  level(offset: number): number;
}

interface sim_state {
  readonly ngpio: number;
  readonly pull: number[];
  readonly out: number[];
  readonly dir_out: boolean[];
  readonly type: number[];
  readonly enabled: boolean[];
  /** Latched edges / asserted levels, per line. */
  readonly pending: boolean[];
  readonly hwirq: number | undefined;
}

function level_of(s: sim_state, offset: number): number {
  return s.dir_out[offset] ? s.out[offset]! : s.pull[offset]!;
}

function update_irq(s: sim_state): void {
  if (s.hwirq === undefined) return;
  const any = s.pending.some((p, i) => p && s.enabled[i]);
  if (any) sim_raise_irq(s.hwirq);
  else sim_lower_irq(s.hwirq);
}

function level_active(s: sim_state, i: number): boolean {
  const lvl = level_of(s, i);
  return (
    (s.type[i] === IRQ_TYPE_LEVEL_HIGH && lvl === 1) ||
    (s.type[i] === IRQ_TYPE_LEVEL_LOW && lvl === 0)
  );
}

function sim_state_of(d: irq_data): sim_state {
  return gpiochip_get_data<sim_state>(d.chip_data as gpio_chip);
}

const gpio_sim_irqchip: irq_chip = {
  name: 'gpio-sim',
  flags: IRQCHIP_IMMUTABLE,
  irq_ack: (d) => {
    const s = sim_state_of(d);
    if (!(s.type[d.hwirq]! & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW)))
      s.pending[d.hwirq] = false;
    update_irq(s);
  },
  irq_mask: (d) => {
    const s = sim_state_of(d);
    s.enabled[d.hwirq] = false;
    gpiochip_disable_irq(d.chip_data as gpio_chip, d.hwirq);
    update_irq(s);
  },
  irq_unmask: (d) => {
    const s = sim_state_of(d);
    gpiochip_enable_irq(d.chip_data as gpio_chip, d.hwirq);
    s.enabled[d.hwirq] = true;
    if (level_active(s, d.hwirq)) s.pending[d.hwirq] = true;
    update_irq(s);
  },
  irq_set_type: (d, type) => {
    const s = sim_state_of(d);
    if (type === IRQ_TYPE_NONE) {
      irq_set_handler_locked(d, handle_bad_irq);
    } else if (type & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW)) {
      irq_set_handler_locked(d, handle_level_irq);
    } else if (type & IRQ_TYPE_EDGE_BOTH) {
      irq_set_handler_locked(d, handle_edge_irq);
    } else {
      return -EINVAL;
    }
    s.type[d.hwirq] = type;
    s.pending[d.hwirq] = level_active(s, d.hwirq);
    return 0;
  },
  ...GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

function gpio_sim_irq_handler(desc: Parameters<typeof handle_level_irq>[0]): void {
  const gc = irq_desc_get_handler_data(desc) as gpio_chip;
  const s = gpiochip_get_data<sim_state>(gc);
  const chip = irq_desc_get_chip(desc);
  chained_irq_enter(chip, desc);
  for (let i = 0; i < s.ngpio; i++) {
    if (s.pending[i] && s.enabled[i] && gc.irq.domain) {
      if (level_active(s, i)) s.pending[i] = false;
      generic_handle_domain_irq(gc.irq.domain, i);
    }
  }
  update_irq(s);
  chained_irq_exit(chip, desc);
}

/** Creates and registers a simulated bank; throws when gpiolib refuses it. */
export function gpio_sim_add(opts: gpio_sim_options): gpio_sim {
  const n = opts.ngpio;
  const s: sim_state = {
    ngpio: n,
    pull: new Array(n).fill(0),
    out: new Array(n).fill(0),
    dir_out: new Array(n).fill(false),
    type: new Array(n).fill(IRQ_TYPE_NONE),
    enabled: new Array(n).fill(false),
    pending: new Array(n).fill(false),
    hwirq: opts.hwirq,
  };
  const gc = new gpio_chip();
  gc.label = opts.label;
  gc.ngpio = n;
  gc.parent = opts.parent ?? null;
  gc.names = opts.names;
  gc.get_direction = (_gc, off) =>
    s.dir_out[off] ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
  gc.direction_input = (_gc, off) => {
    s.dir_out[off] = false;
    return 0;
  };
  gc.direction_output = (_gc, off, v) => {
    s.out[off] = v ? 1 : 0;
    s.dir_out[off] = true;
    return 0;
  };
  gc.get = (_gc, off) => level_of(s, off);
  gc.set = (_gc, off, v) => {
    s.out[off] = v ? 1 : 0;
    return 0;
  };
  if (opts.hwirq !== undefined) {
    gc.irq.chip = gpio_sim_irqchip;
    gc.irq.handler = handle_bad_irq;
    gc.irq.default_type = IRQ_TYPE_NONE;
    gc.irq.parent_handler = gpio_sim_irq_handler;
    gc.irq.num_parents = 1;
    gc.irq.parents = [sim_irq(opts.hwirq)];
  }
  const ret = gpiochip_add_data(gc, s);
  if (ret) throw Object.assign(new Error(`gpio-sim: gpiochip_add_data: ${ret}`), { errno: ret });
  return {
    chip: gc,
    set_pull(offset, level) {
      const before = level_of(s, offset);
      s.pull[offset] = level ? 1 : 0;
      const after = level_of(s, offset);
      const t = s.type[offset]!;
      if (before !== after) {
        if ((after && t & IRQ_TYPE_EDGE_RISING) || (!after && t & IRQ_TYPE_EDGE_FALLING)) {
          s.pending[offset] = true;
        }
      }
      if (level_active(s, offset)) s.pending[offset] = true;
      update_irq(s);
    },
    level: (offset) => level_of(s, offset),
  };
}

/** Unregisters a simulated bank (`gpiochip_remove()`). */
export function gpio_sim_remove(sim: gpio_sim): void {
  gpiochip_remove(sim.chip);
}
