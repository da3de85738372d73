import { beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, EINVAL } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import { cond_resched, kthread_run, sim_run_pending } from '../sched/core.js';
import { might_sleep } from '../sched/might-sleep.js';
import {
  in_hardirq,
  irqs_disabled,
  local_irq_restore,
  local_irq_save,
  sim_hardirq,
} from '../sched/preempt.js';
import { current } from '../sched/task.js';
import { clock_set_ns, ktime_get } from '../time/clock.js';
import {
  chained_irq_enter,
  chained_irq_exit,
  handle_edge_irq,
  handle_fasteoi_irq,
  handle_level_irq,
  handle_simple_irq,
  irq_set_chained_handler_and_data,
  irq_set_chip_and_handler,
  irq_set_chip_data,
  irq_set_irq_type,
  irq_set_status_flags,
} from './chip.js';
import { generic_handle_irq } from './handle.js';
import { irq_init } from './init.js';
import {
  IRQ_HANDLED,
  IRQ_LEVEL,
  IRQ_NONE,
  IRQ_TYPE_EDGE_RISING,
  IRQ_WAKE_THREAD,
  IRQF_NO_AUTOEN,
  IRQF_ONESHOT,
  IRQF_SHARED,
  IRQF_TRIGGER_HIGH,
  IRQF_TRIGGER_RISING,
  IRQS_PENDING,
  type irq_chip,
  type irq_desc,
  irq_desc_get_chip,
  irq_desc_get_handler_data,
  irq_to_desc,
  kstat_irqs,
} from './irqdesc.js';
import {
  generic_handle_domain_irq,
  irq_create_mapping,
  type irq_domain,
  irq_domain_create_linear,
  irq_find_mapping,
} from './irqdomain.js';
import {
  disable_irq,
  disable_irq_nosync,
  disable_irq_wake,
  enable_irq,
  enable_irq_wake,
  free_irq,
  request_irq,
  request_threaded_irq,
} from './manage.js';
import { sim_irq, sim_irq_line, sim_lower_irq, sim_pulse_irq, sim_raise_irq } from './sim-intc.js';

beforeEach(() => {
  irq_init();
  printk_reset();
  panic_reset();
});

/** A chip that records the core's calls, in order, into `log`. */
function recording_chip(log: string[], extra: Partial<irq_chip> = {}): irq_chip {
  return {
    name: 'REC',
    irq_mask: (d) => log.push(`mask ${d.hwirq}`),
    irq_unmask: (d) => log.push(`unmask ${d.hwirq}`),
    irq_ack: (d) => log.push(`ack ${d.hwirq}`),
    irq_set_type: (d, type) => {
      log.push(`set_type ${d.hwirq} ${type}`);
      return 0;
    },
    ...extra,
  };
}

function recording_domain(chip: irq_chip, size = 8): irq_domain {
  return irq_domain_create_linear('rec', size, {
    map(_d, virq) {
      irq_set_chip_and_handler(virq, chip, handle_level_irq);
      irq_set_status_flags(virq, IRQ_LEVEL);
      return 0;
    },
  });
}

function fire(domain: irq_domain, hw: number): void {
  sim_hardirq(() => generic_handle_domain_irq(domain, hw));
}

describe('flow handlers', () => {
  it('mask and ack a level line, run the handler in hardirq context, then unmask', () => {
    const log: string[] = [];
    const domain = recording_domain(recording_chip(log));
    const irq = irq_create_mapping(domain, 3);
    expect(
      request_irq(
        irq,
        (n, dev) => {
          log.push(
            `handler ${n} ${String(dev)} hardirq=${in_hardirq()} irqs_off=${irqs_disabled()}`,
          );
          return IRQ_HANDLED;
        },
        0,
        'rec',
        'dev',
      ),
    ).toBe(0);
    expect(log).toEqual(['unmask 3']);
    log.length = 0;
    fire(domain, 3);
    expect(log).toEqual([
      'mask 3',
      'ack 3',
      `handler ${irq} dev hardirq=true irqs_off=true`,
      'unmask 3',
    ]);
    expect(kstat_irqs(irq)).toBe(1);
  });

  it('use irq_mask_ack when the chip has it', () => {
    const log: string[] = [];
    const chip = recording_chip(log, { irq_mask_ack: (d) => log.push(`mask_ack ${d.hwirq}`) });
    const domain = recording_domain(chip);
    const irq = irq_create_mapping(domain, 1);
    request_irq(irq, () => IRQ_HANDLED, 0, 'rec', null);
    log.length = 0;
    fire(domain, 1);
    expect(log).toEqual(['mask_ack 1', 'unmask 1']);
  });

  it('ack an edge line without masking it', () => {
    const log: string[] = [];
    const domain = recording_domain(recording_chip(log));
    const irq = irq_create_mapping(domain, 2);
    irq_set_chip_and_handler(irq, irq_desc_get_chip(irq_to_desc(irq)!), handle_edge_irq);
    request_irq(
      irq,
      () => {
        log.push('handler');
        return IRQ_HANDLED;
      },
      IRQF_TRIGGER_RISING,
      'rec',
      null,
    );
    expect(log).toEqual([`set_type 2 ${IRQ_TYPE_EDGE_RISING}`, 'unmask 2']);
    log.length = 0;
    fire(domain, 2);
    expect(log).toEqual(['ack 2', 'handler']);
  });

  it('mask a lazily disabled line when it fires, and record the interrupt pending', () => {
    const log: string[] = [];
    const domain = recording_domain(recording_chip(log));
    const irq = irq_create_mapping(domain, 4);
    let calls = 0;
    request_irq(
      irq,
      () => {
        calls += 1;
        return IRQ_HANDLED;
      },
      0,
      'rec',
      null,
    );
    log.length = 0;
    disable_irq_nosync(irq);
    disable_irq(irq);
    expect(log).toEqual([]);
    fire(domain, 4);
    expect(log).toEqual(['mask 4', 'ack 4']);
    expect(calls).toBe(0);
    expect(irq_to_desc(irq)!.istate & IRQS_PENDING).toBe(IRQS_PENDING);
    enable_irq(irq);
    expect(log).toEqual(['mask 4', 'ack 4']);
    enable_irq(irq);
    expect(log).toEqual(['mask 4', 'ack 4', 'unmask 4']);
  });

  it('signal end-of-interrupt after the handlers with handle_fasteoi_irq', () => {
    const log: string[] = [];
    const chip = recording_chip(log, { irq_eoi: (d) => log.push(`eoi ${d.hwirq}`) });
    const domain = recording_domain(chip);
    const irq = irq_create_mapping(domain, 5);
    irq_set_chip_and_handler(irq, chip, handle_fasteoi_irq);
    request_irq(
      irq,
      () => {
        log.push('handler');
        return IRQ_HANDLED;
      },
      0,
      'eoi',
      null,
    );
    log.length = 0;
    fire(domain, 5);
    expect(log).toEqual(['handler', 'eoi 5']);
  });

  it('leave a line requested with IRQF_NO_AUTOEN disabled until enable_irq', () => {
    const irq = sim_irq(10);
    let calls = 0;
    request_irq(
      irq,
      () => {
        calls += 1;
        sim_lower_irq(10);
        return IRQ_HANDLED;
      },
      IRQF_NO_AUTOEN,
      'late',
      null,
    );
    sim_raise_irq(10);
    expect(calls).toBe(0);
    expect(sim_irq_line(10)).toEqual({ level: true, latched: false, masked: true });
    enable_irq(irq);
    expect(calls).toBe(1);
  });

  it('replay an edge that came while the line was disabled', () => {
    const irq = sim_irq(9);
    irq_set_irq_type(irq, IRQ_TYPE_EDGE_RISING);
    let calls = 0;
    request_irq(
      irq,
      () => {
        calls += 1;
        return IRQ_HANDLED;
      },
      0,
      'edge',
      null,
    );
    sim_pulse_irq(9);
    expect(calls).toBe(1);
    disable_irq_nosync(irq);
    sim_pulse_irq(9);
    expect(calls).toBe(0 + 1);
    enable_irq(irq);
    expect(calls).toBe(2);
    expect(sim_irq_line(9)).toEqual({ level: false, latched: false, masked: false });
  });
});

describe('request_irq and free_irq', () => {
  it('share a line only among IRQF_SHARED actions with a dev_id', () => {
    const irq = sim_irq(3);
    const h = () => IRQ_NONE;
    expect(request_irq(irq, h, IRQF_SHARED, 'a', null)).toBe(-EINVAL);
    expect(request_irq(irq, h, IRQF_SHARED, 'a', 'a')).toBe(0);
    expect(request_irq(irq, h, IRQF_SHARED, 'b', 'b')).toBe(0);
    expect(request_irq(irq, h, 0, 'c', 'c')).toBe(-EBUSY);
    expect(dmesg()).toContain(`Flags mismatch irq ${irq}. 00000000 (c) vs. 00000080 (a)`);
    expect(request_irq(irq, h, IRQF_SHARED | IRQF_TRIGGER_HIGH, 'd', 'd')).toBe(-EBUSY);
    expect(free_irq(irq, 'b')).toBe('b');
    expect(free_irq(irq, 'a')).toBe('a');
    expect(request_irq(irq, h, 0, 'c', 'c')).toBe(0);
  });

  it('warn when freeing an already-free irq', () => {
    const irq = sim_irq(4);
    request_irq(irq, () => IRQ_HANDLED, 0, 'once', 'dev');
    expect(free_irq(irq, 'dev')).toBe('once');
    expect(free_irq(irq, 'dev')).toBeUndefined();
    expect(dmesg()).toContain(`Trying to free already-free IRQ ${irq}`);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at');
    expect(sim_irq_line(4).masked).toBe(true);
  });

  it('refuse a threaded irq without a primary handler unless IRQF_ONESHOT', () => {
    const irq = sim_irq(5);
    expect(request_threaded_irq(irq, null, () => IRQ_HANDLED, 0, 'nothread', null)).toBe(-EINVAL);
    expect(dmesg()).toContain(
      `Threaded irq requested with handler=NULL and !ONESHOT for nothread (irq ${irq})`,
    );
    expect(request_threaded_irq(irq, null, null, 0, 'none', null)).toBe(-EINVAL);
  });

  it('warn on an unbalanced enable_irq and an unbalanced wake disable', () => {
    const irq = sim_irq(6);
    request_irq(irq, () => IRQ_HANDLED, 0, 'bal', null);
    enable_irq(irq);
    expect(dmesg()).toContain(`Unbalanced enable for IRQ ${irq}`);
    expect(enable_irq_wake(irq)).toBe(0);
    expect(disable_irq_wake(irq)).toBe(0);
    disable_irq_wake(irq);
    expect(dmesg()).toContain(`Unbalanced IRQ ${irq} wake disable`);
  });
});

describe('the root controller', () => {
  it('interrupts again while a level line stays asserted', () => {
    const irq = sim_irq(2);
    let calls = 0;
    request_irq(
      irq,
      () => {
        calls += 1;
        if (calls === 3) sim_lower_irq(2);
        return IRQ_HANDLED;
      },
      0,
      'lvl',
      null,
    );
    sim_raise_irq(2);
    expect(calls).toBe(3);
    expect(kstat_irqs(irq)).toBe(3);
  });

  it('holds an interrupt while interrupts are disabled and takes it on the idle task', async () => {
    const irq = sim_irq(8);
    const seen: string[] = [];
    request_irq(
      irq,
      () => {
        seen.push(`${current().comm}/${current().pid}`);
        sim_lower_irq(8);
        return IRQ_HANDLED;
      },
      0,
      'held',
      null,
    );
    const flags = local_irq_save();
    sim_raise_irq(8);
    local_irq_restore(flags);
    expect(seen).toEqual([]);
    await sim_run_pending();
    expect(seen).toEqual(['swapper/0/0']);
  });

  it('reports a handler that sleeps', () => {
    clock_set_ns(ktime_get() + 2_000_000_000);
    const irq = sim_irq(11);
    request_irq(
      irq,
      () => {
        might_sleep();
        sim_lower_irq(11);
        return IRQ_HANDLED;
      },
      0,
      'sleepy',
      null,
    );
    sim_raise_irq(11);
    expect(dmesg()).toContain('BUG: sleeping function called from invalid context at ');
    expect(dmesg()).toContain(
      'in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 1, name: swapper/0',
    );
    expect(dmesg()).toContain('preempt_count: 10000, expected: 0');
  });

  it('disables a line nobody handles after 99,900 of 100,000 interrupts', () => {
    const irq = sim_irq(12);
    let calls = 0;
    function stuck_handler(): number {
      calls += 1;
      return IRQ_NONE;
    }
    request_irq(irq, stuck_handler, IRQF_SHARED, 'stuck', 'a');
    sim_raise_irq(12);
    expect(calls).toBe(100000);
    const log = dmesg();
    expect(log).toContain(`irq ${irq}: nobody cared (try booting with the "irqpoll" option)`);
    expect(log).toContain('Call Trace:');
    expect(log).toMatch(/handlers:\n(\[[^\]]*\] )?\[<[0-9a-f]{16}>\] stuck_handler\n/);
    expect(log).toContain(`Disabling IRQ #${irq}`);
    expect(sim_irq_line(12)).toEqual({ level: true, latched: false, masked: true });
    const desc = irq_to_desc(irq)!;
    expect(desc.depth).toBe(1);
    // A new handler on the shared line gives it another chance.
    request_irq(
      irq,
      () => {
        sim_lower_irq(12);
        return IRQ_HANDLED;
      },
      IRQF_SHARED,
      'fixed',
      'b',
    );
    expect(desc.depth).toBe(0);
    expect(sim_irq_line(12).level).toBe(false);
  });

  it('does not count the odd unhandled interrupt', () => {
    const irq = sim_irq(13);
    let n = 0;
    request_irq(
      irq,
      () => {
        n += 1;
        sim_lower_irq(13);
        return n % 1000 === 0 ? IRQ_NONE : IRQ_HANDLED;
      },
      0,
      'odd',
      null,
    );
    for (let i = 0; i < 100000; i++) sim_raise_irq(13);
    expect(dmesg()).not.toContain('nobody cared');
  });
});

describe('threaded handlers', () => {
  it('run the thread in its own task with the oneshot line masked until it returns', async () => {
    const irq = sim_irq(14);
    const seen: string[] = [];
    request_threaded_irq(
      irq,
      () => {
        seen.push('primary');
        sim_lower_irq(14);
        return IRQ_WAKE_THREAD;
      },
      async () => {
        seen.push(`thread ${current().comm} masked=${sim_irq_line(14).masked}`);
        might_sleep();
        await cond_resched();
        return IRQ_HANDLED;
      },
      IRQF_ONESHOT,
      'thr',
      null,
    );
    sim_raise_irq(14);
    expect(seen).toEqual(['primary']);
    expect(sim_irq_line(14).masked).toBe(true);
    await sim_run_pending();
    expect(seen).toEqual(['primary', `thread irq/${irq}-thr masked=true`]);
    for (let i = 0; i < 5 && sim_irq_line(14).masked; i++) await sim_run_pending();
    expect(sim_irq_line(14).masked).toBe(false);
    free_irq(irq, null);
    await sim_run_pending();
  });
});

describe('chained handlers', () => {
  it('demultiplex a parent line through a linear domain', () => {
    // A GPIO-like block on root line 20 with 8 inputs and a pending register.
    const log: string[] = [];
    const block = { pending: 0 };
    const child_chip = recording_chip(log);
    const domain = irq_domain_create_linear('gpio-demo', 8, {
      map(_d, virq) {
        irq_set_chip_and_handler(virq, child_chip, handle_simple_irq);
        irq_set_chip_data(virq, block);
        return 0;
      },
    });
    const parent = sim_irq(20);
    irq_set_chained_handler_and_data(
      parent,
      (desc: irq_desc) => {
        const chip = irq_desc_get_chip(desc);
        const gpio = irq_desc_get_handler_data(desc) as irq_domain;
        chained_irq_enter(chip, desc);
        log.push(`parent pending=${block.pending.toString(2)}`);
        for (let hw = 0; hw < 8; hw++) {
          if (block.pending & (1 << hw)) generic_handle_domain_irq(gpio, hw);
        }
        block.pending = 0;
        sim_lower_irq(20);
        chained_irq_exit(chip, desc);
      },
      domain,
    );
    // The parent line is started by the chained handler and cannot be requested.
    expect(request_irq(parent, () => IRQ_HANDLED, 0, 'steal', null)).toBe(-EINVAL);
    expect(sim_irq_line(20).masked).toBe(false);

    const child3 = irq_create_mapping(domain, 3);
    const child5 = irq_create_mapping(domain, 5);
    expect(irq_find_mapping(domain, 5)).toBe(child5);
    for (const child of [child3, child5]) {
      request_irq(
        child,
        (n) => {
          log.push(`child ${n - child3 === 0 ? 3 : 5} hardirq=${in_hardirq()}`);
          return IRQ_HANDLED;
        },
        0,
        'gpio-key',
        null,
      );
    }
    log.length = 0;
    block.pending = (1 << 3) | (1 << 5);
    sim_raise_irq(20);
    expect(log).toEqual(['parent pending=101000', 'child 3 hardirq=true', 'child 5 hardirq=true']);
    expect(sim_irq_line(20).masked).toBe(false);
    expect(kstat_irqs(child3)).toBe(1);
    expect(generic_handle_domain_irq(domain, 7)).toBe(-EINVAL);
  });

  it('refuse generic_handle_irq outside hardirq context', () => {
    const irq = sim_irq(21);
    expect(generic_handle_irq(irq)).toBeLessThan(0);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at');
  });
});

describe('kthreads and irqs', () => {
  it('take an interrupt on the task that was running', async () => {
    const irq = sim_irq(22);
    const seen: string[] = [];
    request_irq(
      irq,
      () => {
        seen.push(current().comm);
        sim_lower_irq(22);
        return IRQ_HANDLED;
      },
      0,
      'k',
      null,
    );
    const k = kthread_run(
      async () => {
        sim_raise_irq(22);
        return 0;
      },
      null,
      'raiser',
    );
    await k.exited;
    expect(seen).toEqual(['raiser']);
  });
});
