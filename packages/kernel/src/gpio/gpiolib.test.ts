import { beforeEach, describe, expect, it } from 'vitest';
import { device_refcount } from '../base/device.js';
import { devm_kzalloc } from '../base/devres.js';
import {
  platform_device_add,
  platform_device_alloc,
  platform_device_unregister,
  platform_driver_register,
} from '../base/platform.js';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EBUSY, EIO, ENODEV } from '../errno.js';
import { vfs_init } from '../fs/init.js';
import { sysfs_readdir, sysfs_readlink } from '../fs/sysfs/access.js';
import { irq_init } from '../irq/init.js';
import { IRQ_HANDLED, IRQF_TRIGGER_RISING } from '../irq/irqdesc.js';
import { free_irq, request_irq } from '../irq/manage.js';
import { sim_irq_line } from '../irq/sim-intc.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import {
  gpio_device_get_desc,
  gpio_to_desc,
  gpiod_direction_input,
  gpiod_direction_output,
  gpiod_free,
  gpiod_get_array_value,
  gpiod_get_direction,
  gpiod_get_raw_value,
  gpiod_get_value,
  gpiod_request,
  gpiod_set_array_value,
  gpiod_set_value,
  gpiod_to_irq,
  gpiod_toggle_active_low,
} from './consumer.js';
import {
  FLAG_USED_AS_IRQ,
  GPIO_LINE_DIRECTION_IN,
  GPIO_LINE_DIRECTION_OUT,
  gpio_chip,
} from './driver.js';
import { gpio_sim_add, gpio_sim_remove } from './gpio-sim.js';
import {
  desc_to_gpio,
  devm_gpiochip_add_data,
  gpio_device_list,
  gpio_init,
  gpiochip_add_data,
  gpiochip_get_data,
  gpiochip_remove,
} from './gpiolib.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  irq_init();
  gpio_init();
  panic_reset();
  dmesg_clear();
});

function array_chip(
  label: string,
  ngpio: number,
  base = -1,
): { gc: gpio_chip; lines: number[]; out: boolean[] } {
  const lines = new Array<number>(ngpio).fill(0);
  const out = new Array<boolean>(ngpio).fill(false);
  const gc = new gpio_chip();
  gc.label = label;
  gc.ngpio = ngpio;
  gc.base = base;
  gc.get_direction = (_gc, o) => (out[o] ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN);
  gc.direction_input = (_gc, o) => {
    out[o] = false;
    return 0;
  };
  gc.direction_output = (_gc, o, v) => {
    out[o] = true;
    lines[o] = v;
    return 0;
  };
  gc.get = (_gc, o) => lines[o]!;
  gc.set = (_gc, o, v) => {
    lines[o] = v;
    return 0;
  };
  return { gc, lines, out };
}

describe('registering chips', () => {
  it('numbers dynamic chips from 512 in the first free range and names them gpiochipN', () => {
    const a = array_chip('a', 8);
    const b = array_chip('b', 4);
    expect(gpiochip_add_data(a.gc, 'data-a')).toBe(0);
    expect(gpiochip_add_data(b.gc, null)).toBe(0);
    expect(a.gc.gpiodev!.base).toBe(512);
    expect(b.gc.gpiodev!.base).toBe(520);
    expect(gpiochip_get_data(a.gc)).toBe('data-a');
    expect(sysfs_readdir('/sys/bus/gpio/devices')).toEqual(['gpiochip0', 'gpiochip1']);
    expect(sysfs_readlink('/sys/bus/gpio/devices/gpiochip1')).toBe('../../../devices/gpiochip1');
    gpiochip_remove(a.gc);
    const c = array_chip('c', 8);
    expect(gpiochip_add_data(c.gc, null)).toBe(0);
    // The freed id and range are reused.
    expect(c.gc.gpiodev!.id).toBe(0);
    expect(c.gc.gpiodev!.base).toBe(512);
    expect(gpio_device_list().map((g) => g.label)).toEqual(['c', 'b']);
  });

  it('warns about a static base and refuses an overlapping one', () => {
    const a = array_chip('a', 8, 0);
    expect(gpiochip_add_data(a.gc, null)).toBe(0);
    expect(dmesg()).toContain(
      'gpio gpiochip0: Static allocation of GPIO base is deprecated, use dynamic allocation.',
    );
    const b = array_chip('b', 8, 4);
    expect(gpiochip_add_data(b.gc, null)).toBe(-EBUSY);
    expect(dmesg()).toContain('gpio gpiochip1: GPIO integer space overlap, cannot add chip');
    expect(dmesg()).toContain(
      'gpiochip_add_data_with_key: GPIOs 4..11 (b) failed to register, -16',
    );
    expect(gpio_to_desc(3)).toBe(a.gc.gpiodev!.descs[3]);
  });
});

describe('consumers', () => {
  it('drive lines through descriptors, logical and raw', () => {
    const { gc, lines } = array_chip('a', 4);
    gpiochip_add_data(gc, null);
    const led = gpio_device_get_desc(gc.gpiodev!, 2);
    expect(desc_to_gpio(led)).toBe(514);
    expect(gpiod_request(led, 'led')).toBe(0);
    expect(gpiod_request(led, 'again')).toBe(-EBUSY);
    expect(gpiod_direction_output(led, 1)).toBe(0);
    expect(gpiod_get_direction(led)).toBe(GPIO_LINE_DIRECTION_OUT);
    expect(lines).toEqual([0, 0, 1, 0]);
    gpiod_toggle_active_low(led);
    expect(gpiod_get_value(led)).toBe(0);
    expect(gpiod_set_value(led, 1)).toBe(0);
    expect(lines[2]).toBe(0);
    expect(gpiod_get_raw_value(led)).toBe(0);
    expect(gpiod_direction_input(led)).toBe(0);
    expect(gpiod_get_direction(led)).toBe(GPIO_LINE_DIRECTION_IN);
    gpiod_free(led);
    gpiochip_remove(gc);
    expect(dmesg()).not.toContain('REMOVING');
  });

  it('read and drive several lines with one get_multiple/set_multiple call per chip', () => {
    const { gc, lines } = array_chip('a', 40);
    const calls: string[] = [];
    gc.get_multiple = (_gc, mask, bits) => {
      calls.push(`get ${[...mask].map((w) => w.toString(16)).join(',')}`);
      lines.forEach((v, i) => {
        if (v && (mask[i >> 5]! >>> (i & 31)) & 1) bits[i >> 5]! |= 1 << (i & 31);
      });
      return 0;
    };
    gc.set_multiple = (_gc, mask, bits) => {
      calls.push(`set ${[...mask].map((w) => w.toString(16)).join(',')}`);
      lines.forEach((_v, i) => {
        if ((mask[i >> 5]! >>> (i & 31)) & 1) lines[i] = (bits[i >> 5]! >>> (i & 31)) & 1;
      });
      return 0;
    };
    gpiochip_add_data(gc, null);
    const descs = [1, 33, 4].map((o) => gpio_device_get_desc(gc.gpiodev!, o));
    gpiod_toggle_active_low(descs[2]!);
    expect(gpiod_set_array_value(descs, [1, 1, 1])).toBe(0);
    expect([lines[1], lines[33], lines[4]]).toEqual([1, 1, 0]);
    const values: number[] = [];
    expect(gpiod_get_array_value(descs, values)).toBe(0);
    expect(values).toEqual([1, 1, 1]);
    expect(calls).toEqual(['set 12,2', 'get 12,2']);
    gpiochip_remove(gc);
    expect(gpiod_get_array_value(descs, values)).toBe(-ENODEV);
  });

  it('a requested line keeps the gpio_device; after removal calls fail with ENODEV', () => {
    const { gc } = array_chip('a', 4);
    gpiochip_add_data(gc, null);
    const gdev = gc.gpiodev!;
    const desc = gpio_device_get_desc(gdev, 0);
    const refs = device_refcount(gdev.dev);
    gpiod_request(desc, 'user');
    expect(device_refcount(gdev.dev)).toBe(refs + 1);
    gpiochip_remove(gc);
    expect(dmesg()).toContain('gpio gpiochip0: REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED');
    expect(gdev.chip).toBe(null);
    expect(gdev.dev.released).toBe(false);
    expect(gpiod_get_value(desc)).toBe(-ENODEV);
    expect(gpiod_set_value(desc, 1)).toBe(-ENODEV);
    expect(gpiod_direction_output(desc, 1)).toBe(-ENODEV);
    expect(gpiod_to_irq(desc)).toBe(-ENODEV);
    gpiod_free(desc);
    expect(gdev.dev.released).toBe(true);
  });

  it('devm_gpiochip_add_data removes the chip when the driver is unbound', async () => {
    let chip: gpio_chip | null = null;
    await platform_driver_register({
      driver: { name: 'gpio-demo' },
      probe: (pdev) => {
        const { gc } = array_chip('demo', 8);
        gc.parent = pdev.dev;
        chip = gc;
        devm_kzalloc(pdev.dev, 16, GFP_KERNEL);
        return devm_gpiochip_add_data(pdev.dev, gc, null);
      },
    });
    const pdev = platform_device_alloc('gpio-demo', 0);
    expect(await platform_device_add(pdev)).toBe(0);
    expect(sysfs_readlink('/sys/bus/gpio/devices/gpiochip0')).toBe(
      '../../../devices/platform/gpio-demo.0/gpiochip0',
    );
    await platform_device_unregister(pdev);
    expect(chip!.gpiodev).toBe(null);
    expect(gpio_device_list()).toEqual([]);
    expect(sysfs_readdir('/sys/bus/gpio/devices')).toEqual([]);
  });
});

describe('gpio irq chips', () => {
  it('map lines in a domain, demultiplex the parent and lock requested lines as inputs', () => {
    const sim = gpio_sim_add({ label: 'sim', ngpio: 8, hwirq: 30 });
    const gc = sim.chip;
    const btn = gpio_device_get_desc(gc.gpiodev!, 3);
    const irq = gpiod_to_irq(btn);
    expect(irq).toBeGreaterThan(0);
    const seen: number[] = [];
    expect(
      request_irq(
        irq,
        (n) => {
          seen.push(n);
          return IRQ_HANDLED;
        },
        IRQF_TRIGGER_RISING,
        'button',
        null,
      ),
    ).toBe(0);
    expect(btn.flags & FLAG_USED_AS_IRQ).toBeTruthy();
    expect(btn.label).toBe('interrupt');
    // The line is an interrupt: it cannot be turned into an output.
    gpiod_request(btn, 'btn');
    expect(gpiod_direction_output(btn, 1)).toBe(-EIO);
    expect(dmesg()).toContain(
      'gpio-515 (btn): gpiod_direction_output: tried to set a GPIO tied to an IRQ as output',
    );
    sim.set_pull(3, 1);
    sim.set_pull(3, 0);
    sim.set_pull(3, 1);
    expect(seen).toEqual([irq, irq]);
    expect(sim_irq_line(30).level).toBe(false);
    free_irq(irq, null);
    expect(btn.flags & FLAG_USED_AS_IRQ).toBe(0);
    gpiod_free(btn);
    gpio_sim_remove(sim);
  });

  it('an output line cannot be an interrupt', () => {
    const sim = gpio_sim_add({ label: 'sim', ngpio: 8, hwirq: 31 });
    const led = gpio_device_get_desc(sim.chip.gpiodev!, 0);
    gpiod_request(led, 'led');
    gpiod_direction_output(led, 0);
    const irq = gpiod_to_irq(led);
    expect(request_irq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'x', null)).toBe(-EIO);
    expect(dmesg()).toContain(
      'gpio gpiochip0: (sim): gpiochip_lock_as_irq: tried to flag a GPIO set as output for IRQ',
    );
    expect(dmesg()).toContain('gpio gpiochip0: (sim): unable to lock HW IRQ 0 for IRQ');
    expect(dmesg()).toContain('Failed to request resources for x (irq');
    gpiod_free(led);
    gpio_sim_remove(sim);
    expect(gpiod_to_irq(led)).toBe(-ENODEV);
  });
});
