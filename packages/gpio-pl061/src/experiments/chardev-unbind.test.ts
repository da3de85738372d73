/**
 * Experiment 1: open /dev/gpiochipN, request lines, remove the device while the files stay
 * open, use the files, close them. Run for the safe driver; the C-style driver's run is added
 * beside it in c-vs-safe-lifetimes.test.ts.
 */
import {
  decode_gpio_v2_line_request,
  decode_gpio_v2_line_values,
  dmesg,
  ENODEV,
  encode_gpio_v2_line_request,
  encode_gpio_v2_line_values,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_EVENT_SIZE,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  libc,
  mm_init,
  O_RDONLY,
  sim_run_until_idle,
  sysfs_write,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pl061_kernel_reset } from '../functional/kernel.js';
import { pl061_safe_bench } from '../functional/safe-bench.js';
import { type pl061_board, pl061_board_remove, pl061_board_unplug } from '../hw/board.js';
import type * as amba from '../safe/amba.js';

let board: pl061_board;
let reg: amba.Registration;

beforeEach(async () => {
  pl061_kernel_reset({ kasan: true });
  ({ reg, board } = await pl061_safe_bench());
});

afterEach(async () => {
  await reg.unregister();
  await pl061_board_remove(board);
  mm_init({ quiet: true });
});

async function requestLine(chip: number, offset: number, flags: number, out = 0n): Promise<number> {
  const buf = encode_gpio_v2_line_request({
    offsets: [offset],
    consumer: 'exp1',
    config: {
      flags: BigInt(flags),
      attrs:
        flags & GPIO_V2_LINE_FLAG_OUTPUT
          ? [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value: out }, mask: 1n }]
          : [],
    },
    event_buffer_size: 0,
    fd: 0,
  });
  const ret = await libc.ioctl(chip, GPIO_V2_GET_LINE_IOCTL, buf);
  return ret < 0 ? ret : decode_gpio_v2_line_request(buf).request!.fd;
}

async function getValue(fd: number): Promise<number | bigint> {
  const buf = encode_gpio_v2_line_values({ bits: 0n, mask: 1n });
  const ret = await libc.ioctl(fd, GPIO_V2_LINE_GET_VALUES_IOCTL, buf);
  return ret < 0 ? ret : decode_gpio_v2_line_values(buf).bits;
}

async function setValue(fd: number, v: bigint): Promise<number> {
  return libc.ioctl(
    fd,
    GPIO_V2_LINE_SET_VALUES_IOCTL,
    encode_gpio_v2_line_values({ bits: v, mask: 1n }),
  );
}

/** Opens the chip, requests the button (with edges) and the LED, checks they work. */
async function openLines(): Promise<{ chip: number; button: number; led: number }> {
  const chip = await libc.open('/dev/gpiochip0', O_RDONLY);
  expect(chip).toBeGreaterThanOrEqual(0);
  const button = await requestLine(
    chip,
    0,
    GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING,
  );
  const led = await requestLine(chip, 1, GPIO_V2_LINE_FLAG_OUTPUT, 1n);
  expect(button).toBeGreaterThan(0);
  expect(led).toBeGreaterThan(0);
  expect(board.led(1).on).toBe(true);
  board.button(0).press();
  expect(await getValue(button)).toBe(1n);
  await sim_run_until_idle();
  return { chip, button, led };
}

async function useAndClose(fds: { chip: number; button: number; led: number }): Promise<void> {
  expect(await getValue(fds.button)).toBe(-ENODEV);
  expect(await setValue(fds.led, 0n)).toBe(-ENODEV);
  expect(await libc.read(fds.button, GPIO_V2_LINE_EVENT_SIZE)).toBe(-ENODEV);
  expect(board.led(1).on).toBe(true);
  expect(await libc.close(fds.button)).toBe(0);
  expect(await libc.close(fds.led)).toBe(0);
  expect(await libc.close(fds.chip)).toBe(0);
  await sim_run_until_idle();
  expect(dmesg()).not.toMatch(/BUG|KASAN|Oops|WARNING/);
}

describe('experiment 1, safe driver', () => {
  it('unbind with the files open: ENODEV, then a clean close', async () => {
    const fds = await openLines();
    await sysfs_write('/sys/bus/amba/drivers/pl061_gpio/unbind', board.adev.dev.name);
    await useAndClose(fds);
  });

  it('hot-unplug with the files open: ENODEV, then a clean close', async () => {
    const fds = await openLines();
    await pl061_board_unplug(board);
    await useAndClose(fds);
  });
});
