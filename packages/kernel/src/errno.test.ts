import { describe, expect, it } from 'vitest';
import { ERR_PTR, IS_ERR, IS_ERR_OR_NULL, PTR_ERR, PTR_ERR_OR_ZERO } from './err-ptr.js';
import * as errno from './errno.js';

describe('errno', () => {
  it('has every uapi errno from 1 to 133 except the historical gaps', () => {
    const numbers = errno.errno_list().map((e) => e.errno);
    const uapi = numbers.filter((n) => n <= 133);
    // 41 and 58 were never assigned (EWOULDBLOCK and EDEADLOCK are aliases).
    expect(uapi).toHaveLength(131);
    expect(uapi).not.toContain(41);
    expect(uapi).not.toContain(58);
    expect(uapi.at(-1)).toBe(133);
  });

  it('uses the real numbers for the kernel-internal errnos', () => {
    expect(errno.ERESTARTSYS).toBe(512);
    expect(errno.ENOIOCTLCMD).toBe(515);
    expect(errno.EPROBE_DEFER).toBe(517);
    expect(errno.ENOTSUPP).toBe(524);
    expect(errno.EOPNOTSUPP).toBe(95);
    expect(errno.EWOULDBLOCK).toBe(errno.EAGAIN);
    expect(errno.EDEADLOCK).toBe(35);
  });

  it('names errnos like lib/errname.c', () => {
    expect(errno.errname(-errno.ENOMEM)).toBe('ENOMEM');
    expect(errno.errname(errno.EWOULDBLOCK)).toBe('EAGAIN');
    expect(errno.errname(41)).toBeUndefined();
    expect(errno.errno_description(errno.EBUSY)).toBe('Device or resource busy');
  });
});

describe('ERR_PTR', () => {
  it('round-trips every errno and rejects real addresses', () => {
    expect(PTR_ERR(ERR_PTR(-errno.EIO))).toBe(-5);
    expect(IS_ERR(ERR_PTR(-4095))).toBe(true);
    expect(IS_ERR(-4096)).toBe(false);
    expect(IS_ERR(0)).toBe(false);
    expect(IS_ERR_OR_NULL(0)).toBe(true);
    expect(PTR_ERR_OR_ZERO(0x888000001000)).toBe(0);
    expect(PTR_ERR_OR_ZERO(-errno.ENODEV)).toBe(-19);
  });
});
