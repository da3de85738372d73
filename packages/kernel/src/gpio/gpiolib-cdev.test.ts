import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EAGAIN, EBUSY, EINVAL, ENODEV, EPERM } from '../errno.js';
import { O_NONBLOCK, O_RDONLY } from '../fs/fcntl.js';
import { vfs_init } from '../fs/init.js';
import { EPOLLERR, EPOLLHUP, EPOLLIN } from '../fs/select.js';
import { irq_init } from '../irq/init.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_run_pending } from '../sched/core.js';
import { sim_advance } from '../time/timer.js';
import { libc } from '../user/libc.js';
import { gpio_sim_add, gpio_sim_remove } from './gpio-sim.js';
import { gpio_init } from './gpiolib.js';
import {
  decode_gpio_v2_line_event,
  decode_gpio_v2_line_info,
  decode_gpio_v2_line_info_changed,
  decode_gpio_v2_line_request,
  decode_gpio_v2_line_values,
  decode_gpiochip_info,
  encode_gpio_v2_line_config,
  encode_gpio_v2_line_info,
  encode_gpio_v2_line_request,
  encode_gpio_v2_line_values,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_GET_LINEINFO_UNWATCH_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_GET_LINEINFO_IOCTL,
  GPIO_V2_GET_LINEINFO_WATCH_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_CHANGED_CONFIG,
  GPIO_V2_LINE_CHANGED_RELEASED,
  GPIO_V2_LINE_CHANGED_REQUESTED,
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_FLAG_USED,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOCHIP_INFO_SIZE,
  type gpio_v2_line_config,
} from './uapi.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  irq_init();
  gpio_init();
  panic_reset();
  dmesg_clear();
});

async function request(
  chip_fd: number,
  offsets: number[],
  config: gpio_v2_line_config,
  consumer = 'test',
): Promise<number> {
  const buf = encode_gpio_v2_line_request({
    offsets,
    consumer,
    config,
    event_buffer_size: 0,
    fd: 0,
  });
  const ret = await libc.ioctl(chip_fd, GPIO_V2_GET_LINE_IOCTL, buf);
  return ret < 0 ? ret : decode_gpio_v2_line_request(buf).request!.fd;
}

async function get_values(line_fd: number, mask: bigint): Promise<bigint | number> {
  const buf = encode_gpio_v2_line_values({ bits: 0n, mask });
  const ret = await libc.ioctl(line_fd, GPIO_V2_LINE_GET_VALUES_IOCTL, buf);
  return ret < 0 ? ret : decode_gpio_v2_line_values(buf).bits;
}

const input_both = {
  flags: BigInt(
    GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING,
  ),
  attrs: [],
};

describe('/dev/gpiochipN', () => {
  it('describes the chip and its lines', async () => {
    gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, names: ['', 'button', '', 'led'] });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    expect(fd).toBeGreaterThanOrEqual(0);
    const info = new Uint8Array(GPIOCHIP_INFO_SIZE);
    expect(await libc.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info)).toBe(0);
    expect(decode_gpiochip_info(info)).toEqual({
      name: 'gpiochip0',
      label: 'gpio-sim.0',
      lines: 8,
    });
    const li = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: 3,
      flags: 0n,
      attrs: [],
    });
    expect(await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, li)).toBe(0);
    expect(decode_gpio_v2_line_info(li)).toEqual({
      name: 'led',
      consumer: '',
      offset: 3,
      flags: BigInt(GPIO_V2_LINE_FLAG_INPUT),
      attrs: [],
    });
    const bad = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: 8,
      flags: 0n,
      attrs: [],
    });
    expect(await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, bad)).toBe(-EINVAL);
    expect(await libc.ioctl(fd, 0xb401, 0)).toBe(-EINVAL);
    expect(await libc.close(fd)).toBe(0);
  });

  it('requests output lines, drives them and reads them back', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(
      fd,
      [3, 5],
      {
        flags: BigInt(GPIO_V2_LINE_FLAG_OUTPUT),
        attrs: [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, value: 0b01n }, mask: 0b11n }],
      },
      'leds',
    );
    expect(lfd).toBeGreaterThan(fd);
    expect([sim.level(3), sim.level(5)]).toEqual([1, 0]);
    const li = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: 5,
      flags: 0n,
      attrs: [],
    });
    await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, li);
    expect(decode_gpio_v2_line_info(li).consumer).toBe('leds');
    expect(decode_gpio_v2_line_info(li).flags).toBe(
      BigInt(GPIO_V2_LINE_FLAG_USED | GPIO_V2_LINE_FLAG_OUTPUT),
    );
    const set = encode_gpio_v2_line_values({ bits: 0b10n, mask: 0b11n });
    expect(await libc.ioctl(lfd, GPIO_V2_LINE_SET_VALUES_IOCTL, set)).toBe(0);
    expect([sim.level(3), sim.level(5)]).toEqual([0, 1]);
    expect(await get_values(lfd, 0b11n)).toBe(0b10n);
    expect(await get_values(lfd, 0n)).toBe(-EINVAL);
    // The lines are taken.
    expect(await request(fd, [5], { flags: 0n, attrs: [] })).toBe(-EBUSY);
    // Back to input: setting values is refused.
    const cfg = encode_gpio_v2_line_config({ flags: BigInt(GPIO_V2_LINE_FLAG_INPUT), attrs: [] });
    expect(await libc.ioctl(lfd, GPIO_V2_LINE_SET_CONFIG_IOCTL, cfg)).toBe(0);
    expect(await libc.ioctl(lfd, GPIO_V2_LINE_SET_VALUES_IOCTL, set)).toBe(-EPERM);
    await libc.close(lfd);
    expect(await request(fd, [5], { flags: 0n, attrs: [] })).toBeGreaterThan(0);
  });

  it('rejects contradictory flags', async () => {
    gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const both = BigInt(GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT);
    expect(await request(fd, [0], { flags: both, attrs: [] })).toBe(-EINVAL);
    const edge_out = BigInt(GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_EDGE_RISING);
    expect(await request(fd, [0], { flags: edge_out, attrs: [] })).toBe(-EINVAL);
    expect(await request(fd, [], { flags: 0n, attrs: [] })).toBe(-EINVAL);
  });

  it('reads edge events as 48-byte gpio_v2_line_event records', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 40 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(fd, [2], input_both, 'gpiomon');
    expect(lfd).toBeGreaterThan(0);
    const pfd = [{ fd: lfd, events: EPOLLIN, revents: 0 }];
    expect(await libc.poll(pfd, 0)).toBe(0);
    sim.set_pull(2, 1);
    await sim_run_pending();
    sim.set_pull(2, 0);
    await sim_run_pending();
    expect(await libc.poll(pfd, 0)).toBe(1);
    expect(pfd[0]!.revents).toBe(EPOLLIN);
    const raw = await libc.read(lfd, 96);
    if (typeof raw === 'number') throw new Error(`read ${raw}`);
    expect(raw.length).toBe(96);
    const events = [
      decode_gpio_v2_line_event(raw.subarray(0, 48)),
      decode_gpio_v2_line_event(raw.subarray(48)),
    ];
    expect(
      events.map(({ id, offset, seqno, line_seqno }) => ({ id, offset, seqno, line_seqno })),
    ).toEqual([
      { id: GPIO_V2_LINE_EVENT_RISING_EDGE, offset: 2, seqno: 1, line_seqno: 1 },
      { id: GPIO_V2_LINE_EVENT_FALLING_EDGE, offset: 2, seqno: 2, line_seqno: 2 },
    ]);
    expect(await libc.read(lfd, 47)).toBe(-EINVAL);
    await libc.close(lfd);
    // A falling-only detector reports nothing on a rising edge.
    const fall = await request(fd, [2], {
      flags: BigInt(GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_FALLING),
      attrs: [],
    });
    sim.set_pull(2, 1);
    await sim_run_pending();
    expect(await libc.poll([{ fd: fall, events: EPOLLIN, revents: 0 }], 0)).toBe(0);
    expect(await libc.fcntl(fall, 4, O_NONBLOCK)).toBe(0);
    expect(await libc.read(fall, 48)).toBe(-EAGAIN);
    sim.set_pull(2, 0);
    await sim_run_pending();
    const ev = await libc.read(fall, 48);
    if (typeof ev === 'number') throw new Error(`read ${ev}`);
    expect(decode_gpio_v2_line_event(ev).id).toBe(GPIO_V2_LINE_EVENT_FALLING_EDGE);
  });
});

describe('watching line info', () => {
  it('reports requests, reconfigurations and releases of watched lines', async () => {
    gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const watch = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: 3,
      flags: 0n,
      attrs: [],
    });
    expect(await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_WATCH_IOCTL, watch)).toBe(0);
    expect(decode_gpio_v2_line_info(watch).flags).toBe(BigInt(GPIO_V2_LINE_FLAG_INPUT));
    expect(await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_WATCH_IOCTL, watch)).toBe(-EBUSY);
    const other = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(
      other,
      [3, 4],
      { flags: BigInt(GPIO_V2_LINE_FLAG_OUTPUT), attrs: [] },
      'leds',
    );
    const cfg = encode_gpio_v2_line_config({ flags: BigInt(GPIO_V2_LINE_FLAG_INPUT), attrs: [] });
    await libc.ioctl(lfd, GPIO_V2_LINE_SET_CONFIG_IOCTL, cfg);
    await libc.close(lfd);
    const pfd = [{ fd, events: EPOLLIN, revents: 0 }];
    expect(await libc.poll(pfd, 0)).toBe(1);
    const raw = await libc.read(fd, 288 * 4);
    if (typeof raw === 'number') throw new Error(`read ${raw}`);
    expect(raw.length).toBe(288 * 3);
    const changes = [0, 1, 2].map((i) =>
      decode_gpio_v2_line_info_changed(raw.subarray(i * 288, (i + 1) * 288)),
    );
    expect(
      changes.map((c) => [c.event_type, c.info.offset, c.info.consumer, Number(c.info.flags)]),
    ).toEqual([
      [
        GPIO_V2_LINE_CHANGED_REQUESTED,
        3,
        'leds',
        GPIO_V2_LINE_FLAG_USED | GPIO_V2_LINE_FLAG_OUTPUT,
      ],
      [GPIO_V2_LINE_CHANGED_CONFIG, 3, 'leds', GPIO_V2_LINE_FLAG_USED | GPIO_V2_LINE_FLAG_INPUT],
      [GPIO_V2_LINE_CHANGED_RELEASED, 3, '', GPIO_V2_LINE_FLAG_INPUT],
    ]);
    const offset = new Uint8Array(new Uint32Array([3]).buffer);
    expect(await libc.ioctl(fd, GPIO_GET_LINEINFO_UNWATCH_IOCTL, offset)).toBe(0);
    expect(await libc.ioctl(fd, GPIO_GET_LINEINFO_UNWATCH_IOCTL, offset)).toBe(-EBUSY);
    await libc.close(await request(other, [3], { flags: 0n, attrs: [] }));
    expect(await libc.poll(pfd, 0)).toBe(0);
    await libc.close(other);
    await libc.close(fd);
  });
});

describe('debouncing', () => {
  it('reports one edge for a bouncing press once the line has been quiet for the period', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 43 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(fd, [4], {
      ...input_both,
      attrs: [{ attr: { id: GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value: 10_000n }, mask: 1n }],
    });
    const li = encode_gpio_v2_line_info({
      name: '',
      consumer: '',
      offset: 4,
      flags: 0n,
      attrs: [],
    });
    await libc.ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, li);
    expect(decode_gpio_v2_line_info(li).attrs).toEqual([
      { id: GPIO_V2_LINE_ATTR_ID_DEBOUNCE, value: 10_000n },
    ]);
    for (const level of [1, 0, 1, 0, 1]) sim.set_pull(4, level);
    await sim_advance(5);
    expect(await libc.poll([{ fd: lfd, events: EPOLLIN, revents: 0 }], 0)).toBe(0);
    // The debounced value is still the old one.
    expect(await get_values(lfd, 1n)).toBe(0n);
    await sim_advance(10);
    const raw = await libc.read(lfd, 96);
    if (typeof raw === 'number') throw new Error(`read ${raw}`);
    expect(raw.length).toBe(48);
    const ev = decode_gpio_v2_line_event(raw);
    expect([ev.id, ev.offset, ev.seqno]).toEqual([GPIO_V2_LINE_EVENT_RISING_EDGE, 4, 1]);
    expect(await get_values(lfd, 1n)).toBe(1n);
    await libc.close(lfd);
    await libc.close(fd);
  });
});

describe('after the chip is removed', () => {
  it('open files get ENODEV and EPOLLHUP|EPOLLERR, close still works and frees the device', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 41 });
    const gdev = sim.chip.gpiodev!;
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(fd, [2], input_both, 'gpiomon');
    gpio_sim_remove(sim);
    expect(dmesg()).toContain('gpio gpiochip0: REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED');
    expect(await libc.open('/dev/gpiochip0', O_RDONLY)).toBe(-2);
    expect(await libc.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, new Uint8Array(GPIOCHIP_INFO_SIZE))).toBe(
      -ENODEV,
    );
    expect(await get_values(lfd, 1n)).toBe(-ENODEV);
    expect(await libc.read(lfd, 48)).toBe(-ENODEV);
    const pfd = [{ fd: lfd, events: EPOLLIN, revents: 0 }];
    expect(await libc.poll(pfd, 0)).toBe(1);
    expect(pfd[0]!.revents).toBe(EPOLLHUP | EPOLLERR);
    expect(gdev.dev.released).toBe(false);
    expect(await libc.close(lfd)).toBe(0);
    expect(await libc.close(fd)).toBe(0);
    expect(gdev.dev.released).toBe(true);
    expect(dmesg()).not.toContain('WARNING');
  });

  it('wakes a reader waiting for an event with ENODEV', async () => {
    const sim = gpio_sim_add({ label: 'gpio-sim.0', ngpio: 8, hwirq: 42 });
    const fd = await libc.open('/dev/gpiochip0', O_RDONLY);
    const lfd = await request(fd, [1], input_both);
    const pending = libc.read(lfd, 48);
    await sim_run_pending();
    gpio_sim_remove(sim);
    expect(await pending).toBe(-ENODEV);
    await libc.close(lfd);
    await libc.close(fd);
  });
});
