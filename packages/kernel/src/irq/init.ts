/**
 * Booting the interrupt subsystem.
 *
 * @module
 */

import { irq_desc_init } from './irqdesc.js';
import { irq_domain_init } from './irqdomain.js';
import { sim_intc_init } from './sim-intc.js';
import { spurious_init } from './spurious.js';

/**
 * (Re)boots interrupts: no descriptors, no domains but the root controller's,
 * every line low and masked, the spurious detector on. Idempotent; every irq
 * number handed out before is invalid afterwards.
 */
export function irq_init(): void {
  irq_desc_init();
  irq_domain_init();
  spurious_init();
  sim_intc_init();
}
