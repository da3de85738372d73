/**
 * Experiment 1 on both drivers. Through /dev/gpiochipN both are safe: gpiolib numbs its
 * device on removal, so an open file gets ENODEV and never reaches either driver. The
 * use-after-free the thread describes needs a call that gpiolib let through before the removal
 * and that reaches the driver after it — the window Wedson pointed at ("there is no
 * synchronisation that guarantees that the pointer will remain valid during a call"). The
 * simulation has one CPU, so the call on the other CPU is made explicit: it resumes after the
 * unbind with what it had loaded before it, the chip and `gc->gpiodev->data`.
 */
import {
  amba_driver_register,
  amba_driver_unregister,
  decode_gpio_v2_line_request,
  dmesg,
  ENODEV,
  ENXIO,
  encode_gpio_v2_line_request,
  encode_gpio_v2_line_values,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  type gpio_chip,
  gpio_device_find_by_label,
  gpiochip_get_data,
  libc,
  mm_init,
  O_RDONLY,
  panic_reset,
  sim_run_until_idle,
  sim_spawn,
  sysfs_write,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pl061_gpio_driver } from '../c/gpio-pl061.js';
import { pl061Driver } from '../driver.js';
import { pl061_kernel_reset } from '../functional/kernel.js';
import {
  type pl061_board,
  pl061_board_add,
  pl061_board_remove,
  pl061_board_unplug,
} from '../hw/board.js';
import * as amba from '../safe/amba.js';

interface Dut {
  bind(): Promise<void>;
  unbind(): Promise<void>;
}

const drivers: Record<'C-style' | 'safe', () => Dut> = {
  'C-style': () => ({
    async bind() {
      expect(await amba_driver_register(pl061_gpio_driver)).toBe(0);
    },
    unbind: () => amba_driver_unregister(pl061_gpio_driver),
  }),
  safe: () => {
    let reg: amba.Registration | null = null;
    return {
      async bind() {
        reg = await amba.Registration.new(pl061Driver);
      },
      async unbind() {
        await reg?.unregister();
      },
    };
  },
};

let board: pl061_board;
let dut: Dut;

async function setup(kind: keyof typeof drivers): Promise<void> {
  pl061_kernel_reset({ kasan: true });
  dut = drivers[kind]();
  await dut.bind();
  const b = await pl061_board_add();
  if (typeof b === 'number') throw new Error(`pl061_board_add: ${b}`);
  board = b;
}

afterEach(async () => {
  await dut.unbind();
  await pl061_board_remove(board);
  panic_reset();
  mm_init({ quiet: true });
});

async function openLed(): Promise<{ chip: number; led: number }> {
  const chip = await libc.open('/dev/gpiochip0', O_RDONLY);
  const req = encode_gpio_v2_line_request({
    offsets: [1],
    consumer: 'led',
    config: {
      flags: BigInt(GPIO_V2_LINE_FLAG_OUTPUT),
      attrs: [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value: 1n }, mask: 1n }],
    },
    event_buffer_size: 0,
    fd: 0,
  });
  expect(await libc.ioctl(chip, GPIO_V2_GET_LINE_IOCTL, req)).toBe(0);
  return { chip, led: decode_gpio_v2_line_request(req).request!.fd };
}

const setLed = (fd: number, on: boolean) =>
  libc.ioctl(
    fd,
    GPIO_V2_LINE_SET_VALUES_IOCTL,
    encode_gpio_v2_line_values({ bits: on ? 1n : 0n, mask: 1n }),
  );

for (const kind of ['C-style', 'safe'] as const) {
  describe(`experiment 1 through the chardev, ${kind} driver`, () => {
    beforeEach(() => setup(kind));

    for (const removal of ['unbind', 'hot-unplug'] as const) {
      it(`${removal}: gpiolib's numbing gives ENODEV and a clean close`, async () => {
        const fds = await openLed();
        expect(board.led(1).on).toBe(true);
        if (removal === 'unbind') {
          await sysfs_write('/sys/bus/amba/drivers/pl061_gpio/unbind', board.adev.dev.name);
        } else {
          await pl061_board_unplug(board);
        }
        expect(await setLed(fds.led, false)).toBe(-ENODEV);
        expect(await libc.close(fds.led)).toBe(0);
        expect(await libc.close(fds.chip)).toBe(0);
        await sim_run_until_idle();
        expect(dmesg()).not.toMatch(/BUG|KASAN|Oops/);
      });
    }
  });
}

/**
 * A SET_VALUES that gpiolib let through before the unbind: it had checked the chip and loaded
 * `gc` and `gc->gpiodev->data`, and reaches the driver's `set` after the unbind.
 */
async function inflightSet(): Promise<{ exited: number; ret: number | undefined }> {
  const gc = gpio_device_find_by_label(board.adev.dev.name)?.chip as gpio_chip;
  const loaded = Object.create(gc, {
    gpiodev: { value: { data: gpiochip_get_data(gc) } },
  }) as gpio_chip;
  await sysfs_write('/sys/bus/amba/drivers/pl061_gpio/unbind', board.adev.dev.name);
  let ret: number | undefined;
  const cpu1 = sim_spawn('gpioset', async () => {
    ret = gc.set?.(loaded, 1, 0);
    return 0;
  });
  const exited = await cpu1.exited;
  await sim_run_until_idle();
  return { exited, ret };
}

describe('experiment 1, the call in flight across the unbind', () => {
  it('C-style: the driver reads its devm-freed struct, and KASAN reports it', async () => {
    await setup('C-style');
    const { exited } = await inflightSet();
    const log = dmesg();
    expect(log).toContain('BUG: KASAN: slab-use-after-free in pl061_base');
    expect(log).toMatch(/Read of size 8 at addr [0-9a-f]{16} by task gpioset\//);
    expect(log).toMatch(/Freed by task 1:\n.*devres_release_all/);
    // The stale pointer in the freed struct is the unmapped register window: a page fault.
    expect(log).toContain('BUG: unable to handle page fault for address');
    expect(exited).toBe(-1);
  });

  it('safe: the call finds the registration gone and returns ENXIO, with no report', async () => {
    await setup('safe');
    const { exited, ret } = await inflightSet();
    expect(ret).toBe(-ENXIO);
    expect(exited).toBe(0);
    expect(dmesg()).not.toMatch(/BUG|KASAN|Oops/);
  });
});
