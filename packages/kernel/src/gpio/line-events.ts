import { ENXIO } from '../errno.js';
import {
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_WAKE_THREAD,
  IRQF_ONESHOT,
  IRQF_TRIGGER_FALLING,
  IRQF_TRIGGER_RISING,
} from '../irq/irqdesc.js';
import { free_irq, request_irq, request_threaded_irq } from '../irq/manage.js';
import { type DECLARE_WAIT_QUEUE_HEAD, wake_up_all } from '../locking/wait.js';
import { pr_debug } from '../printk.js';
import {
  cancel_delayed_work,
  delayed_work,
  INIT_DELAYED_WORK,
  mod_delayed_work,
  system_wq,
} from '../sched/workqueue.js';
import { ktime_get_ns } from '../time/clock.js';
import { usecs_to_jiffies } from '../time/jiffies.js';
import { gpiod_get_raw_value, gpiod_get_value, gpiod_to_irq } from './consumer.js';
import { FLAG_ACTIVE_LOW, type gpio_desc, type gpio_device } from './driver.js';
import { gpio_chip_hwgpio } from './gpiolib.js';
import {
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  type gpio_v2_line_event,
} from './uapi.js';

const GPIO_V2_LINE_EDGE_FLAGS = GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;

/** One requested line of a line request (`struct line`). */
export interface line {
  readonly desc: gpio_desc;
  readonly req: linereq;
  /** The GPIO_V2_LINE_FLAG_EDGE_* the line detects (`edflags`). */
  edflags: number;
  /** The irq of its edge detector, 0 when none. */
  irq: number;
  /** The hard handler's timestamp of the edge the thread is about to queue. */
  timestamp_ns: bigint;
  /** The hard handler's reading of the line for a both-edges detector (see edge_irq_handler). */
  level: number;
  req_seqno: number;
  line_seqno: number;
  debounce_period_us: number;
  /** The software debouncer runs the line (`sw_debounced`). */
  sw_debounced: boolean;
  /** The debounced physical level (`level`). */
  level_debounced: number;
  /** Fires once the line has been quiet for the period (`work`). */
  readonly work: delayed_work;
}

/** A line request and its file (`struct linereq`). */
export interface linereq {
  readonly gdev: gpio_device;
  readonly label: string | undefined;
  readonly lines: line[];
  readonly wait: ReturnType<typeof DECLARE_WAIT_QUEUE_HEAD>;
  readonly events: gpio_v2_line_event[];
  readonly event_buffer_size: number;
  seqno: number;
  readonly unregistered: () => void;
}

export function linereq_put_event(lr: linereq, le: gpio_v2_line_event): void {
  if (lr.events.length >= lr.event_buffer_size) {
    lr.events.shift();
    pr_debug('event FIFO is full - event dropped\n');
  }
  lr.events.push(le);
  wake_up_all(lr.wait);
}

/**
 * The hard handler of an edge detector (`edge_irq_handler()`): takes the
 * timestamp as close to the edge as possible and wakes the thread. A both-edges
 * detector also samples the line here — the kernel samples it in the thread,
 * where a press and release quicker than the thread can both read as released;
 * the simulated chips never sleep, so reading them in hard context is safe.
 */
function edge_irq_handler(_irq: number, p: unknown): number {
  const l = p as line;
  l.timestamp_ns = BigInt(ktime_get_ns());
  if ((l.edflags & GPIO_V2_LINE_EDGE_FLAGS) === GPIO_V2_LINE_EDGE_FLAGS) {
    l.level = gpiod_get_value(l.desc);
  }
  if (l.req.lines.length !== 1) l.req_seqno = ++l.req.seqno;
  return IRQ_WAKE_THREAD;
}

/** The thread of an edge detector (`edge_irq_thread()`): queues the event. */
function edge_irq_thread(_irq: number, p: unknown): number {
  const l = p as line;
  const lr = l.req;
  let timestamp_ns = l.timestamp_ns;
  if (!timestamp_ns) {
    timestamp_ns = BigInt(ktime_get_ns());
    if (lr.lines.length !== 1) l.req_seqno = ++lr.seqno;
  }
  l.timestamp_ns = 0n;
  let id: number;
  switch (l.edflags & GPIO_V2_LINE_EDGE_FLAGS) {
    case GPIO_V2_LINE_EDGE_FLAGS:
      id = l.level ? GPIO_V2_LINE_EVENT_RISING_EDGE : GPIO_V2_LINE_EVENT_FALLING_EDGE;
      break;
    case GPIO_V2_LINE_FLAG_EDGE_RISING:
      id = GPIO_V2_LINE_EVENT_RISING_EDGE;
      break;
    case GPIO_V2_LINE_FLAG_EDGE_FALLING:
      id = GPIO_V2_LINE_EVENT_FALLING_EDGE;
      break;
    default:
      return IRQ_NONE;
  }
  l.line_seqno += 1;
  linereq_put_event(lr, {
    timestamp_ns,
    id,
    offset: gpio_chip_hwgpio(l.desc),
    seqno: lr.lines.length === 1 ? l.line_seqno : l.req_seqno,
    line_seqno: l.line_seqno,
  });
  return IRQ_HANDLED;
}

export function edge_detector_stop(l: line): void {
  if (l.irq) {
    free_irq(l.irq, l);
    l.irq = 0;
  }
  cancel_delayed_work(l.work);
  l.sw_debounced = false;
  l.edflags = 0;
}

/** `debounce_irq_handler()`: every edge pushes the debouncer's deadline back. */
function debounce_irq_handler(_irq: number, p: unknown): number {
  const l = p as line;
  mod_delayed_work(system_wq, l.work, usecs_to_jiffies(l.debounce_period_us));
  return IRQ_HANDLED;
}

/**
 * `debounce_work_func()`: the line has been quiet for the period; report the
 * settled level if it changed and the requested edges cover it.
 */
function debounce_work_func(l: line): void {
  let level = gpiod_get_raw_value(l.desc);
  if (level < 0) {
    pr_debug('debouncer failed to read line value\n');
    return;
  }
  if (l.level_debounced === level) return;
  l.level_debounced = level;
  const eflags = l.edflags & GPIO_V2_LINE_EDGE_FLAGS;
  if (!eflags) return;
  if (l.edflags & GPIO_V2_LINE_FLAG_ACTIVE_LOW) level = level ? 0 : 1;
  if (
    (eflags === GPIO_V2_LINE_FLAG_EDGE_RISING && !level) ||
    (eflags === GPIO_V2_LINE_FLAG_EDGE_FALLING && level)
  ) {
    return;
  }
  const lr = l.req;
  l.line_seqno += 1;
  linereq_put_event(lr, {
    timestamp_ns: BigInt(ktime_get_ns()),
    id: level ? GPIO_V2_LINE_EVENT_RISING_EDGE : GPIO_V2_LINE_EVENT_FALLING_EDGE,
    offset: gpio_chip_hwgpio(l.desc),
    seqno: lr.lines.length === 1 ? l.line_seqno : ++lr.seqno,
    line_seqno: l.line_seqno,
  });
}

/**
 * `debounce_setup()`: no chip here debounces in hardware, so an interrupt on
 * both edges feeds the software debouncer.
 */
function debounce_setup(l: line, debounce_period_us: number): number {
  const level = gpiod_get_raw_value(l.desc);
  if (level < 0) return level;
  const irq = gpiod_to_irq(l.desc);
  if (irq < 0) return -ENXIO;
  const ret = request_irq(
    irq,
    debounce_irq_handler,
    IRQF_TRIGGER_FALLING | IRQF_TRIGGER_RISING,
    l.req.label ?? 'gpio-line',
    l,
  );
  if (ret) return ret;
  l.irq = irq;
  l.debounce_period_us = debounce_period_us;
  l.level_debounced = level;
  l.sw_debounced = true;
  return 0;
}

/**
 * `edge_detector_setup()`: a threaded irq on the line for the requested edges, or
 * the software debouncer when a debounce period is configured.
 */
export function edge_detector_setup(l: line, edflags: number, debounce_period_us: number): number {
  const eflags = edflags & GPIO_V2_LINE_EDGE_FLAGS;
  l.edflags = edflags;
  if (debounce_period_us) {
    const ret = debounce_setup(l, debounce_period_us);
    if (ret) return ret;
  }
  // Detection off, or the debouncer reports the edges.
  if (!eflags || l.sw_debounced) return 0;
  const irq = gpiod_to_irq(l.desc);
  if (irq < 0) return -ENXIO;
  const active_low = (l.desc.flags & FLAG_ACTIVE_LOW) !== 0;
  let irqflags = IRQF_ONESHOT;
  if (eflags & GPIO_V2_LINE_FLAG_EDGE_RISING) {
    irqflags |= active_low ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING;
  }
  if (eflags & GPIO_V2_LINE_FLAG_EDGE_FALLING) {
    irqflags |= active_low ? IRQF_TRIGGER_RISING : IRQF_TRIGGER_FALLING;
  }
  const ret = request_threaded_irq(
    irq,
    edge_irq_handler,
    edge_irq_thread,
    irqflags,
    l.req.label ?? 'gpio-line',
    l,
  );
  if (ret) return ret;
  l.irq = irq;
  return 0;
}

/** `edge_detector_update()`: restarts the detector when the edges or the period changed. */
export function edge_detector_update(l: line, edflags: number, debounce_period_us: number): number {
  if (l.edflags === edflags && l.debounce_period_us === debounce_period_us) return 0;
  edge_detector_stop(l);
  l.debounce_period_us = 0;
  return edge_detector_setup(l, edflags, debounce_period_us);
}

/** A new line of request `req` for `desc`, its detectors off (`struct line` in `linereq_create()`). */
export function line_alloc(desc: gpio_desc, req: linereq): line {
  const l: line = {
    desc,
    req,
    edflags: 0,
    irq: 0,
    timestamp_ns: 0n,
    level: 0,
    req_seqno: 0,
    line_seqno: 0,
    debounce_period_us: 0,
    sw_debounced: false,
    level_debounced: 0,
    work: new delayed_work(),
  };
  INIT_DELAYED_WORK(l.work, () => debounce_work_func(l), 'debounce_work_func');
  return l;
}
