export {
  type crashtype,
  lkdtm_direct_read,
  lkdtm_direct_write,
  lkdtm_exit,
  lkdtm_init,
  lkdtm_run,
  lkdtm_tests,
} from './core.js';
export { lkdtm_module } from './module.js';
