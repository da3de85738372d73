/**
 * refcount_t abuse (`drivers/misc/lkdtm/refcount.c`): overflows, decrements
 * to and below zero, increments from zero and operations on saturated
 * counters. `refcount_t` saturates instead of wrapping and WARNs once per
 * kind; each test then reports what it found the counter at.
 *
 * REFCOUNT_TIMING and ATOMIC_TIMING are not here: they measure the CPU.
 *
 * @module
 */

import {
  REFCOUNT_INIT,
  REFCOUNT_MAX,
  REFCOUNT_SATURATED,
  refcount_add,
  refcount_add_not_zero,
  refcount_dec,
  refcount_dec_and_test,
  refcount_inc,
  refcount_inc_not_zero,
  refcount_read,
  refcount_sub_and_test,
  type refcount_t,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_info, pr_warn } from './lkdtm.js';

/** The count as C's `%d` prints `refcount_read()`. */
const as_int = (ref: refcount_t) => refcount_read(ref) | 0;

function overflow_check(ref: refcount_t): void {
  switch (refcount_read(ref)) {
    case REFCOUNT_SATURATED:
      pr_info('Overflow detected: saturated\n');
      break;
    case REFCOUNT_MAX:
      pr_warn('Overflow detected: unsafely reset to max\n');
      break;
    default:
      pr_err('Fail: refcount wrapped to %d\n', as_int(ref));
  }
}

function lkdtm_REFCOUNT_INC_OVERFLOW(): void {
  const over = REFCOUNT_INIT(REFCOUNT_MAX - 1);
  pr_info('attempting good refcount_inc() without overflow\n');
  refcount_dec(over);
  refcount_inc(over);
  pr_info('attempting bad refcount_inc() overflow\n');
  refcount_inc(over);
  refcount_inc(over);
  overflow_check(over);
}

function lkdtm_REFCOUNT_ADD_OVERFLOW(): void {
  const over = REFCOUNT_INIT(REFCOUNT_MAX - 1);
  pr_info('attempting good refcount_add() without overflow\n');
  for (let i = 0; i < 4; i++) refcount_dec(over);
  refcount_add(4, over);
  pr_info('attempting bad refcount_add() overflow\n');
  refcount_add(4, over);
  overflow_check(over);
}

function lkdtm_REFCOUNT_INC_NOT_ZERO_OVERFLOW(): void {
  const over = REFCOUNT_INIT(REFCOUNT_MAX);
  pr_info('attempting bad refcount_inc_not_zero() overflow\n');
  if (!refcount_inc_not_zero(over)) pr_warn('Weird: refcount_inc_not_zero() reported zero\n');
  overflow_check(over);
}

function lkdtm_REFCOUNT_ADD_NOT_ZERO_OVERFLOW(): void {
  const over = REFCOUNT_INIT(REFCOUNT_MAX);
  pr_info('attempting bad refcount_add_not_zero() overflow\n');
  if (!refcount_add_not_zero(6, over)) pr_warn('Weird: refcount_add_not_zero() reported zero\n');
  overflow_check(over);
}

function check_zero(ref: refcount_t): void {
  switch (refcount_read(ref)) {
    case REFCOUNT_SATURATED:
      pr_info('Zero detected: saturated\n');
      break;
    case REFCOUNT_MAX:
      pr_warn('Zero detected: unsafely reset to max\n');
      break;
    case 0:
      pr_warn('Still at zero: refcount_inc/add() must not inc-from-0\n');
      break;
    default:
      pr_err('Fail: refcount went crazy: %d\n', as_int(ref));
  }
}

function lkdtm_REFCOUNT_DEC_ZERO(): void {
  const zero = REFCOUNT_INIT(2);
  pr_info('attempting good refcount_dec()\n');
  refcount_dec(zero);
  pr_info('attempting bad refcount_dec() to zero\n');
  refcount_dec(zero);
  check_zero(zero);
}

function check_negative(ref: refcount_t, start: number): void {
  // A refcount that refuses to move at all on an over-sub stays where it started.
  if (refcount_read(ref) === start) {
    pr_warn('Still at %d: refcount_inc/add() must not inc-from-0\n', start);
    return;
  }
  switch (refcount_read(ref)) {
    case REFCOUNT_SATURATED:
      pr_info('Negative detected: saturated\n');
      break;
    case REFCOUNT_MAX:
      pr_warn('Negative detected: unsafely reset to max\n');
      break;
    default:
      pr_err('Fail: refcount went crazy: %d\n', as_int(ref));
  }
}

function lkdtm_REFCOUNT_DEC_NEGATIVE(): void {
  const neg = REFCOUNT_INIT(0);
  pr_info('attempting bad refcount_dec() below zero\n');
  refcount_dec(neg);
  check_negative(neg, 0);
}

function lkdtm_REFCOUNT_DEC_AND_TEST_NEGATIVE(): void {
  const neg = REFCOUNT_INIT(0);
  pr_info('attempting bad refcount_dec_and_test() below zero\n');
  if (refcount_dec_and_test(neg)) pr_warn('Weird: refcount_dec_and_test() reported zero\n');
  check_negative(neg, 0);
}

function lkdtm_REFCOUNT_SUB_AND_TEST_NEGATIVE(): void {
  const neg = REFCOUNT_INIT(3);
  pr_info('attempting bad refcount_sub_and_test() below zero\n');
  if (refcount_sub_and_test(5, neg)) pr_warn('Weird: refcount_sub_and_test() reported zero\n');
  check_negative(neg, 3);
}

function check_from_zero(ref: refcount_t): void {
  switch (refcount_read(ref)) {
    case 0:
      pr_info('Zero detected: stayed at zero\n');
      break;
    case REFCOUNT_SATURATED:
      pr_info('Zero detected: saturated\n');
      break;
    case REFCOUNT_MAX:
      pr_warn('Zero detected: unsafely reset to max\n');
      break;
    default:
      pr_info('Fail: zero not detected, incremented to %d\n', as_int(ref));
  }
}

function lkdtm_REFCOUNT_INC_ZERO(): void {
  const zero = REFCOUNT_INIT(0);
  pr_info('attempting safe refcount_inc_not_zero() from zero\n');
  if (!refcount_inc_not_zero(zero)) {
    pr_info('Good: zero detected\n');
    if (refcount_read(zero) === 0) pr_info('Correctly stayed at zero\n');
    else pr_err('Fail: refcount went past zero!\n');
  } else {
    pr_err('Fail: Zero not detected!?\n');
  }
  pr_info('attempting bad refcount_inc() from zero\n');
  refcount_inc(zero);
  check_from_zero(zero);
}

function lkdtm_REFCOUNT_ADD_ZERO(): void {
  const zero = REFCOUNT_INIT(0);
  pr_info('attempting safe refcount_add_not_zero() from zero\n');
  if (!refcount_add_not_zero(3, zero)) {
    pr_info('Good: zero detected\n');
    if (refcount_read(zero) === 0) pr_info('Correctly stayed at zero\n');
    else pr_err('Fail: refcount went past zero\n');
  } else {
    pr_err('Fail: Zero not detected!?\n');
  }
  pr_info('attempting bad refcount_add() from zero\n');
  refcount_add(3, zero);
  check_from_zero(zero);
}

function check_saturated(ref: refcount_t): void {
  switch (refcount_read(ref)) {
    case REFCOUNT_SATURATED:
      pr_info('Saturation detected: still saturated\n');
      break;
    case REFCOUNT_MAX:
      pr_warn('Saturation detected: unsafely reset to max\n');
      break;
    default:
      pr_err('Fail: refcount went crazy: %d\n', as_int(ref));
  }
}

function lkdtm_REFCOUNT_INC_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_inc() from saturated\n');
  refcount_inc(sat);
  check_saturated(sat);
}

function lkdtm_REFCOUNT_DEC_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_dec() from saturated\n');
  refcount_dec(sat);
  check_saturated(sat);
}

function lkdtm_REFCOUNT_ADD_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_dec() from saturated\n');
  refcount_add(8, sat);
  check_saturated(sat);
}

function lkdtm_REFCOUNT_INC_NOT_ZERO_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_inc_not_zero() from saturated\n');
  if (!refcount_inc_not_zero(sat)) pr_warn('Weird: refcount_inc_not_zero() reported zero\n');
  check_saturated(sat);
}

function lkdtm_REFCOUNT_ADD_NOT_ZERO_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_add_not_zero() from saturated\n');
  if (!refcount_add_not_zero(7, sat)) pr_warn('Weird: refcount_add_not_zero() reported zero\n');
  check_saturated(sat);
}

function lkdtm_REFCOUNT_DEC_AND_TEST_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_dec_and_test() from saturated\n');
  if (refcount_dec_and_test(sat)) pr_warn('Weird: refcount_dec_and_test() reported zero\n');
  check_saturated(sat);
}

function lkdtm_REFCOUNT_SUB_AND_TEST_SATURATED(): void {
  const sat = REFCOUNT_INIT(REFCOUNT_SATURATED);
  pr_info('attempting bad refcount_sub_and_test() from saturated\n');
  if (refcount_sub_and_test(8, sat)) pr_warn('Weird: refcount_sub_and_test() reported zero\n');
  check_saturated(sat);
}

export const refcount_crashtypes: crashtype[] = [
  { name: 'REFCOUNT_INC_OVERFLOW', func: lkdtm_REFCOUNT_INC_OVERFLOW },
  { name: 'REFCOUNT_ADD_OVERFLOW', func: lkdtm_REFCOUNT_ADD_OVERFLOW },
  { name: 'REFCOUNT_INC_NOT_ZERO_OVERFLOW', func: lkdtm_REFCOUNT_INC_NOT_ZERO_OVERFLOW },
  { name: 'REFCOUNT_ADD_NOT_ZERO_OVERFLOW', func: lkdtm_REFCOUNT_ADD_NOT_ZERO_OVERFLOW },
  { name: 'REFCOUNT_DEC_ZERO', func: lkdtm_REFCOUNT_DEC_ZERO },
  { name: 'REFCOUNT_DEC_NEGATIVE', func: lkdtm_REFCOUNT_DEC_NEGATIVE },
  { name: 'REFCOUNT_DEC_AND_TEST_NEGATIVE', func: lkdtm_REFCOUNT_DEC_AND_TEST_NEGATIVE },
  { name: 'REFCOUNT_SUB_AND_TEST_NEGATIVE', func: lkdtm_REFCOUNT_SUB_AND_TEST_NEGATIVE },
  { name: 'REFCOUNT_INC_ZERO', func: lkdtm_REFCOUNT_INC_ZERO },
  { name: 'REFCOUNT_ADD_ZERO', func: lkdtm_REFCOUNT_ADD_ZERO },
  { name: 'REFCOUNT_INC_SATURATED', func: lkdtm_REFCOUNT_INC_SATURATED },
  { name: 'REFCOUNT_DEC_SATURATED', func: lkdtm_REFCOUNT_DEC_SATURATED },
  { name: 'REFCOUNT_ADD_SATURATED', func: lkdtm_REFCOUNT_ADD_SATURATED },
  { name: 'REFCOUNT_INC_NOT_ZERO_SATURATED', func: lkdtm_REFCOUNT_INC_NOT_ZERO_SATURATED },
  { name: 'REFCOUNT_ADD_NOT_ZERO_SATURATED', func: lkdtm_REFCOUNT_ADD_NOT_ZERO_SATURATED },
  { name: 'REFCOUNT_DEC_AND_TEST_SATURATED', func: lkdtm_REFCOUNT_DEC_AND_TEST_SATURATED },
  { name: 'REFCOUNT_SUB_AND_TEST_SATURATED', func: lkdtm_REFCOUNT_SUB_AND_TEST_SATURATED },
];
