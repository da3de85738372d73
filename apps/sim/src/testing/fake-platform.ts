/**
 * A {@link Platform} over {@link FakeSys}: the machine's layout (`/dev/null`, `/dev/zero`,
 * `/dev/urandom`, `/tmp`) and a terminal, for testing the machine's plumbing apart from the
 * kernel's VFS.
 *
 * @module
 */

import type { BootOptions } from '../machine/boot.js';
import type { Platform } from '../machine/machine.js';
import { FakeSys } from './fake-sys.js';

export function fakePlatform(options: BootOptions): Platform {
  const sys = new FakeSys();
  sys.mkdirp('/dev');
  sys.mkdirp('/tmp');
  sys.addDevice('/dev/null', 1, 3, { read: () => 0, write: (d) => d.length });
  sys.addDevice('/dev/zero', 1, 5, {
    read: (buf) => {
      buf.fill(0);
      return buf.length;
    },
  });
  let state = options.seed + 1;
  sys.addDevice('/dev/urandom', 1, 9, {
    read: (buf) => {
      for (let i = 0; i < buf.length; i++) {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        buf[i] = state >> 16;
      }
      return buf.length;
    },
  });
  sys.addDevice('/dev/ttyout', 4, 64, {
    write: (d) => {
      options.io.stdout(d.slice());
      return d.length;
    },
  });
  sys.addDevice('/dev/ttyerr', 4, 65, {
    write: (d) => {
      options.io.stderr(d.slice());
      return d.length;
    },
  });
  return {
    sys,
    attachTerminal: async () => sys.attachStdio(['/dev/null', '/dev/ttyout', '/dev/ttyerr']),
  };
}
