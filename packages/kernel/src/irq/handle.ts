/**
 * Running the actions of an interrupt (kernel/irq/handle.c): every handler on
 * the line is called in hardirq context with its `dev_id`; a handler that
 * returns IRQ_WAKE_THREAD wakes its `irq/N-name` thread; the combined result
 * feeds the spurious-interrupt detector.
 *
 * @module
 */

import { EINVAL, EPERM } from '../errno.js';
import { WARN_ON_ONCE, WARN_ONCE } from '../panic.js';
import { pr_warn } from '../printk.js';
import { wake_up_process } from '../sched/core.js';
import { in_hardirq, irqs_disabled, local_irq_disable } from '../sched/preempt.js';
import {
  IRQ_NONE,
  IRQ_WAKE_THREAD,
  IRQS_PENDING,
  type irq_desc,
  irq_to_desc,
  type irqaction,
  type irqreturn_t,
} from './irqdesc.js';
import { noirqdebug, note_interrupt } from './spurious.js';

const warned_no_thread = new WeakSet<irqaction>();

function warn_no_thread(irq: number, action: irqaction): void {
  if (warned_no_thread.has(action)) return;
  warned_no_thread.add(action);
  pr_warn(
    'IRQ %d device %s returned IRQ_WAKE_THREAD but no thread function available.',
    irq,
    action.name,
  );
}

/** `__irq_wake_thread()`: lets the action's thread run its thread_fn once. */
export function __irq_wake_thread(desc: irq_desc, action: irqaction): void {
  const thread = action.thread;
  if (thread === undefined || thread.kthread_should_stop) return;
  if (action.runthread) return;
  action.runthread = true;
  desc.threads_oneshot |= action.thread_mask;
  wake_up_process(thread);
}

/** `__handle_irq_event_percpu()`: calls every action; returns their results ORed. */
function handle_irq_event_percpu(desc: irq_desc): irqreturn_t {
  const irq = desc.irq;
  let retval = IRQ_NONE;
  for (const action of [...desc.actions]) {
    const res = action.handler(irq, action.dev_id);
    if (
      WARN_ONCE(!irqs_disabled(), 'irq %u handler %pS enabled interrupts\n', irq, action.handler)
    ) {
      local_irq_disable();
    }
    if (res === IRQ_WAKE_THREAD) {
      if (action.thread_fn === undefined) warn_no_thread(irq, action);
      else __irq_wake_thread(desc, action);
    }
    retval |= res;
  }
  return retval;
}

/** `handle_irq_event()`: runs the actions with the line marked in progress. */
export function handle_irq_event(desc: irq_desc): irqreturn_t {
  desc.istate &= ~IRQS_PENDING;
  desc.irq_data.inprogress = true;
  let ret: irqreturn_t;
  try {
    ret = handle_irq_event_percpu(desc);
  } finally {
    desc.irq_data.inprogress = false;
  }
  if (!noirqdebug()) note_interrupt(desc, ret);
  return ret;
}

/**
 * `generic_handle_irq()`: runs the flow handler of Linux irq `irq`. Only in
 * hardirq context (a chained handler, the machine's interrupt entry); anywhere
 * else it warns and returns -EPERM. Returns -EINVAL for an unknown irq.
 */
export function generic_handle_irq(irq: number): number {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  if (WARN_ON_ONCE(!in_hardirq())) return -EPERM;
  desc.handle_irq(desc);
  return 0;
}
