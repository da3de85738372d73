/**
 * The `lkdtm` module (`drivers/misc/lkdtm/core.c`'s `module_init`,
 * `module_exit` and parameters), installed in the module repository when
 * this package is imported: `modprobe lkdtm` loads it, creating the
 * debugfs files; `modprobe lkdtm cpoint_name=DIRECT cpoint_type=BUG`
 * crashes at load, as on Linux.
 *
 * @module
 */

import { declare_module, EINVAL } from '@rfl/kernel';
import { find_crashtype, lkdtm_do_action, lkdtm_exit, lkdtm_init } from './core.js';
import { lkdtm_debugfs_exit, lkdtm_debugfs_init } from './debugfs.js';
import { pr_err, pr_info } from './lkdtm.js';

/** The crash points: only DIRECT, as in a kernel without kprobes. */
const CRASHPOINTS = ['DIRECT'];

export const lkdtm_module = declare_module({
  name: 'lkdtm',
  license: 'GPL',
  description: 'Kernel crash testing module',
  path: 'kernel/drivers/misc/lkdtm/lkdtm.ko',
  params: {
    recur_count: {
      type: 'int',
      default: -1,
      perm: 0o644,
      description: ' Recursion level for the stack overflow test',
    },
    cpoint_name: {
      type: 'charp',
      default: '',
      perm: 0o444,
      description: ' Crash Point, where kernel is to be crashed',
    },
    cpoint_type: {
      type: 'charp',
      default: '',
      perm: 0o444,
      description: ' Crash Point Type, action to be taken on hitting the crash point',
    },
    cpoint_count: {
      type: 'int',
      default: 10,
      perm: 0o644,
      description:
        ' Crash Point Count, number of times the crash point is to be hit to trigger action',
    },
  },
  init(params, mod) {
    const { cpoint_name, cpoint_type } = params;
    if ((cpoint_type || cpoint_name) && !(cpoint_type && cpoint_name)) {
      pr_err('Need both cpoint_type and cpoint_name or neither\n');
      return -EINVAL;
    }
    const crashtype = cpoint_type ? find_crashtype(cpoint_type) : undefined;
    if (cpoint_type && !crashtype) {
      pr_err("Unknown crashtype '%s'\n", cpoint_type);
      return -EINVAL;
    }
    if (cpoint_name && !CRASHPOINTS.includes(cpoint_name)) {
      pr_err('Invalid crashpoint %s\n', cpoint_name);
      return -EINVAL;
    }
    lkdtm_init();
    const ret = lkdtm_debugfs_init(mod);
    if (ret < 0) {
      lkdtm_exit();
      return ret;
    }
    if (crashtype) {
      // DIRECT has no kprobe: registering it runs the test at once.
      lkdtm_do_action(crashtype);
      pr_info('Crash point %s of type %s registered\n', cpoint_name, cpoint_type);
    } else {
      pr_info('No crash points registered, enable through debugfs\n');
    }
    return 0;
  },
  exit() {
    lkdtm_debugfs_exit();
    lkdtm_exit();
    pr_info('Crash point unregistered\n');
  },
});
