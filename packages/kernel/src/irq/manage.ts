/**
 * Requesting, freeing, enabling and disabling interrupts (kernel/irq/manage.c).
 *
 * `request_irq(irq, handler, flags, name, dev_id)` installs a handler that runs in
 * hardirq context: it must not sleep (might_sleep() in it reports `BUG: sleeping
 * function called from invalid context`). `request_threaded_irq()` adds a
 * `thread_fn` that runs in a kthread named `irq/<irq>-<name>` whenever the
 * primary handler returns IRQ_WAKE_THREAD; with IRQF_ONESHOT the line stays
 * masked until the thread function returns.
 *
 * Sharing follows the kernel's rules: every action on a line must have
 * IRQF_SHARED and agree on the trigger type and on IRQF_ONESHOT, and a shared
 * action needs a `dev_id`, which is also how free_irq() finds it.
 *
 * @example
 * ```ts
 * import { IRQ_HANDLED, free_irq, request_irq, sim_hardirq, generic_handle_irq, sim_irq } from '@rfl/kernel';
 * # import { irq_init } from '@rfl/kernel';
 * # irq_init();
 * const irq = sim_irq(5);
 * let seen = 0;
 * request_irq(irq, () => { seen += 1; return IRQ_HANDLED; }, 0, 'demo', null) // => 0
 * sim_hardirq(() => generic_handle_irq(irq));
 * seen // => 1
 * free_irq(irq, null) // => 'demo'
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL, ENOSYS, ENOTCONN, ENXIO } from '../errno.js';
import { WARN, WARN_ON_ONCE } from '../panic.js';
import { pr_err, pr_warn } from '../printk.js';
import {
  __set_current_state,
  kthread_create,
  kthread_should_stop,
  kthread_stop,
  schedule,
  set_current_state,
  wake_up_process,
} from '../sched/core.js';
import { might_sleep } from '../sched/might-sleep.js';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../sched/task.js';
import { __irq_set_trigger, irq_disable, irq_shutdown, irq_startup, unmask_irq } from './chip.js';
import {
  IRQ_DISABLE_UNLAZY,
  IRQ_NOAUTOEN,
  IRQ_NOREQUEST,
  IRQ_WAKE_THREAD,
  IRQCHIP_ONESHOT_SAFE,
  IRQCHIP_SKIP_SET_WAKE,
  IRQF_COND_SUSPEND,
  IRQF_NO_AUTOEN,
  IRQF_NO_SUSPEND,
  IRQF_ONESHOT,
  IRQF_PROBE_SHARED,
  IRQF_SHARED,
  IRQF_TRIGGER_MASK,
  IRQS_AUTODETECT,
  IRQS_ONESHOT,
  IRQS_SPURIOUS_DISABLED,
  IRQS_WAITING,
  type irq_desc,
  irq_desc_locked,
  type irq_handler_t,
  type irq_thread_fn_t,
  irq_to_desc,
  type irqaction,
  type irqreturn_t,
  no_irq_chip,
} from './irqdesc.js';

/** `IRQ_NOTCONNECTED`: the irq number of a line wired to nothing. */
export const IRQ_NOTCONNECTED = 0x80000000;

/** The primary handler of a threaded irq requested without one: wake the thread. */
export function irq_default_primary_handler(_irq: number, _dev_id: unknown): irqreturn_t {
  return IRQ_WAKE_THREAD;
}

/** `irq_finalize_oneshot()`: unmasks a oneshot line once its last thread is done. */
function irq_finalize_oneshot(desc: irq_desc, action: irqaction): void {
  if ((desc.istate & IRQS_ONESHOT) === 0) return;
  irq_desc_locked(() => {
    // The primary handler woke the thread again meanwhile: keep the line masked.
    if (action.runthread) return;
    desc.threads_oneshot &= ~action.thread_mask;
    const d = desc.irq_data;
    if (desc.threads_oneshot === 0 && !d.disabled && d.masked) unmask_irq(desc);
  });
}

/** The body of an `irq/N-name` thread (`irq_thread`). */
async function irq_thread(action: irqaction): Promise<number> {
  const thread_fn = action.thread_fn!;
  for (;;) {
    // irq_wait_for_interrupt()
    for (;;) {
      set_current_state(TASK_INTERRUPTIBLE);
      if (kthread_should_stop()) {
        __set_current_state(TASK_RUNNING);
        return 0;
      }
      if (action.runthread) {
        action.runthread = false;
        __set_current_state(TASK_RUNNING);
        break;
      }
      await schedule();
    }
    await thread_fn(action.irq, action.dev_id);
    const desc = irq_to_desc(action.irq);
    if (desc !== undefined) irq_finalize_oneshot(desc, action);
  }
}

function mismatch(irq: number, action: irqaction, old: irqaction): number {
  if ((action.flags & IRQF_PROBE_SHARED) === 0) {
    pr_err(
      'Flags mismatch irq %d. %08x (%s) vs. %08x (%s)\n',
      irq,
      action.flags,
      action.name,
      old.flags,
      old.name,
    );
  }
  return -EBUSY;
}

/** `__setup_irq()`: validates and installs `action` on `desc`. */
function __setup_irq(irq: number, desc: irq_desc, action: irqaction): number {
  const d = desc.irq_data;
  if (d.chip === no_irq_chip) return -ENOSYS;
  let flags = action.flags;
  if (d.chip.flags !== undefined && d.chip.flags & IRQCHIP_ONESHOT_SAFE) flags &= ~IRQF_ONESHOT;
  const old = desc.actions[0];
  let shared = false;
  let thread_mask = 0;
  if (old !== undefined) {
    let oldtype = d.trigger;
    if (!d.trigger_set) {
      oldtype = flags & IRQF_TRIGGER_MASK;
      d.trigger = oldtype;
      d.trigger_set = true;
    }
    if ((old.flags & flags & IRQF_SHARED) === 0 || oldtype !== (flags & IRQF_TRIGGER_MASK)) {
      return mismatch(irq, action, old);
    }
    if ((old.flags ^ flags) & IRQF_ONESHOT) return mismatch(irq, action, old);
    shared = true;
    for (const a of desc.actions) thread_mask |= a.thread_mask;
  }
  if (flags & IRQF_ONESHOT) {
    if (thread_mask === -1) return -EBUSY;
    // The first free bit of thread_mask (ffz).
    action.thread_mask = ~thread_mask & (thread_mask + 1);
  } else if (
    action.handler === irq_default_primary_handler &&
    ((d.chip.flags ?? 0) & IRQCHIP_ONESHOT_SAFE) === 0
  ) {
    pr_err(
      'Threaded irq requested with handler=NULL and !ONESHOT for %s (irq %d)\n',
      action.name,
      irq,
    );
    return -EINVAL;
  }

  if (!shared && d.chip.irq_request_resources) {
    const ret = d.chip.irq_request_resources(d);
    if (ret) {
      pr_err(
        'Failed to request resources for %s (irq %d) on irqchip %s\n',
        action.name,
        irq,
        d.chip.name,
      );
      return ret;
    }
  }

  return irq_desc_locked(() => {
    if (!shared) {
      if (flags & IRQF_TRIGGER_MASK) {
        const ret = __irq_set_trigger(desc, flags & IRQF_TRIGGER_MASK);
        if (ret !== 0) {
          d.chip.irq_release_resources?.(d);
          return ret;
        }
      }
      desc.istate &= ~(IRQS_AUTODETECT | IRQS_SPURIOUS_DISABLED | IRQS_ONESHOT | IRQS_WAITING);
      d.inprogress = false;
      if (flags & IRQF_ONESHOT) desc.istate |= IRQS_ONESHOT;
      if ((flags & IRQF_NO_AUTOEN) === 0 && (desc.status & IRQ_NOAUTOEN) === 0) {
        irq_startup(desc, true);
      } else {
        WARN_ON_ONCE(flags & IRQF_SHARED);
        desc.depth = 1;
      }
    } else if (flags & IRQF_TRIGGER_MASK) {
      const nmsk = flags & IRQF_TRIGGER_MASK;
      if (nmsk !== d.trigger) {
        pr_warn('irq %d uses trigger mode %u; requested %u\n', irq, d.trigger, nmsk);
      }
    }
    if (action.thread_fn !== undefined) {
      action.thread = kthread_create(irq_thread, action, 'irq/%d-%s', irq, action.name);
    }
    desc.actions.push(action);
    desc.irq_count = 0;
    desc.irqs_unhandled = 0;
    // A shared line the spurious detector disabled gets another chance with a new handler.
    if (shared && desc.istate & IRQS_SPURIOUS_DISABLED) {
      desc.istate &= ~IRQS_SPURIOUS_DISABLED;
      __enable_irq(desc);
    }
    if (action.thread !== undefined) wake_up_process(action.thread);
    return 0;
  });
}

/**
 * `request_threaded_irq()`: installs `handler` (hardirq context) and
 * `thread_fn` (its own kthread) on `irq`. Either may be omitted, not both: a
 * missing handler wakes the thread, and then IRQF_ONESHOT is required.
 * Returns 0 or a negative errno.
 */
export function request_threaded_irq(
  irq: number,
  handler: irq_handler_t | null | undefined,
  thread_fn: irq_thread_fn_t | null | undefined,
  irqflags: number,
  devname: string,
  dev_id: unknown,
): number {
  if (irq === IRQ_NOTCONNECTED) return -ENOTCONN;
  if (
    (irqflags & IRQF_SHARED && (dev_id === null || dev_id === undefined)) ||
    ((irqflags & IRQF_SHARED) === 0 && irqflags & IRQF_COND_SUSPEND) ||
    (irqflags & IRQF_NO_SUSPEND && irqflags & IRQF_COND_SUSPEND)
  ) {
    return -EINVAL;
  }
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  if (desc.status & IRQ_NOREQUEST) return -EINVAL;
  let primary = handler ?? undefined;
  if (primary === undefined) {
    if (thread_fn === null || thread_fn === undefined) return -EINVAL;
    primary = irq_default_primary_handler;
  }
  // The kernel allocates the irqaction with GFP_KERNEL.
  might_sleep();
  const action: irqaction = {
    handler: primary,
    thread_fn: thread_fn ?? undefined,
    flags: irqflags,
    name: devname,
    dev_id,
    irq,
    thread: undefined,
    runthread: false,
    thread_mask: 0,
  };
  return __setup_irq(irq, desc, action);
}

/** `request_irq()`: {@link request_threaded_irq} without a thread. */
export function request_irq(
  irq: number,
  handler: irq_handler_t,
  flags: number,
  name: string,
  dev_id: unknown,
): number {
  return request_threaded_irq(irq, handler, undefined, flags, name, dev_id);
}

/**
 * `free_irq()`: removes the action of `dev_id` from `irq` and returns its name;
 * the line is shut down with its last action, and a thread is stopped. Freeing
 * an action that is not there warns `Trying to free already-free IRQ N`.
 */
export function free_irq(irq: number, dev_id: unknown): string | undefined {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return undefined;
  might_sleep();
  const action = irq_desc_locked(() => {
    const i = desc.actions.findIndex((a) => a.dev_id === dev_id);
    if (i < 0) return undefined;
    const [a] = desc.actions.splice(i, 1);
    if (desc.actions.length === 0) {
      irq_shutdown(desc);
      desc.irq_data.chip.irq_release_resources?.(desc.irq_data);
    }
    desc.threads_oneshot &= ~a!.thread_mask;
    return a;
  });
  if (action === undefined) {
    WARN(true, 'Trying to free already-free IRQ %d\n', irq);
    return undefined;
  }
  if (action.thread !== undefined) void kthread_stop(action.thread);
  return action.name;
}

/** `__enable_irq()`: undoes one disable; warns on an enable without a disable. */
function __enable_irq(desc: irq_desc): void {
  switch (desc.depth) {
    case 0:
      WARN(true, 'Unbalanced enable for IRQ %d\n', desc.irq);
      break;
    case 1:
      irq_startup(desc, true);
      break;
    default:
      desc.depth -= 1;
  }
}

/** `enable_irq()`: undoes one disable_irq(); the line runs again at depth 0. */
export function enable_irq(irq: number): void {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return;
  if (
    WARN(desc.irq_data.chip === no_irq_chip, 'enable_irq before setup/request_irq: irq %u\n', irq)
  ) {
    return;
  }
  irq_desc_locked(() => __enable_irq(desc));
}

function __disable_irq(desc: irq_desc): void {
  if (desc.depth++ === 0) irq_disable(desc, (desc.status & IRQ_DISABLE_UNLAZY) !== 0);
}

/** `disable_irq_nosync()`: disables a line (nesting) without waiting for handlers. */
export function disable_irq_nosync(irq: number): void {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return;
  irq_desc_locked(() => __disable_irq(desc));
}

/**
 * `synchronize_irq()`: waits until no handler of `irq` runs. On the one
 * simulated CPU a handler never runs beside task code, so it only checks that
 * the caller may sleep.
 */
export function synchronize_irq(_irq: number): void {
  might_sleep();
}

/** `disable_irq()`: disables a line and waits for running handlers; may sleep. */
export function disable_irq(irq: number): void {
  might_sleep();
  disable_irq_nosync(irq);
  synchronize_irq(irq);
}

function set_irq_wake_real(desc: irq_desc, on: number): number {
  const d = desc.irq_data;
  if ((d.chip.flags ?? 0) & IRQCHIP_SKIP_SET_WAKE) return 0;
  if (d.chip.irq_set_wake === undefined) return -ENXIO;
  return d.chip.irq_set_wake(d, on);
}

/**
 * `irq_set_irq_wake()`: arms (`on` non-zero) or disarms a line as a wake-up
 * source, nesting; disarming more often than arming warns
 * `Unbalanced IRQ N wake disable`.
 */
export function irq_set_irq_wake(irq: number, on: number): number {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  const d = desc.irq_data;
  let ret = 0;
  if (on) {
    if (desc.wake_depth++ === 0) {
      ret = set_irq_wake_real(desc, on);
      if (ret !== 0) desc.wake_depth = 0;
      else d.wakeup = true;
    }
  } else if (desc.wake_depth === 0) {
    WARN(true, 'Unbalanced IRQ %d wake disable\n', irq);
  } else if (--desc.wake_depth === 0) {
    ret = set_irq_wake_real(desc, on);
    if (ret !== 0) desc.wake_depth = 1;
    else d.wakeup = false;
  }
  return ret;
}

export function enable_irq_wake(irq: number): number {
  return irq_set_irq_wake(irq, 1);
}

export function disable_irq_wake(irq: number): number {
  return irq_set_irq_wake(irq, 0);
}

/** `irq_has_action()`: whether a handler is installed on `irq`. */
export function irq_has_action(irq: number): boolean {
  return (irq_to_desc(irq)?.actions.length ?? 0) > 0;
}

/** `irq_get_trigger_type()`: the IRQ_TYPE_* of a line. */
export function irq_get_trigger_type(irq: number): number {
  return irq_to_desc(irq)?.irq_data.trigger ?? 0;
}
