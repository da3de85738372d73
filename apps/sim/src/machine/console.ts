/**
 * The machine's terminal: a character device whose writes go to the host's standard
 * output (or error, for the shell's descriptor 2) in the order they are made, whose reads
 * see the end of input (commands do not read the host's keyboard; the shell gets its lines
 * from the host), and which answers `TCGETS` like a tty when the host's output is one,
 * so `ls` picks columns the way it would.
 *
 * @module
 */

import {
  anon_inode_getfd,
  copy_from_iter,
  ENOIOCTLCMD,
  type file_operations,
  iov_iter_count,
  O_RDWR,
} from '@rfl/kernel';

/** `TCGETS`, the ioctl isatty() makes. */
const TCGETS = 0x5401;

function consoleFops(sink: (bytes: Uint8Array) => void, tty: boolean): file_operations {
  return {
    read_iter: () => 0,
    write_iter: (_iocb, from) => {
      const bytes = copy_from_iter(iov_iter_count(from), from);
      sink(bytes);
      return bytes.length;
    },
    unlocked_ioctl: (_file, cmd) => (cmd === TCGETS && tty ? 0 : -ENOIOCTLCMD),
  };
}

/**
 * Opens the terminal in the calling task: returns the descriptors of its output and
 * error streams (the caller puts them at 0, 1 and 2).
 */
export function console_open(
  out: (bytes: Uint8Array) => void,
  err: (bytes: Uint8Array) => void,
  tty: boolean,
): [number, number] {
  return [
    anon_inode_getfd('console', consoleFops(out, tty), null, O_RDWR),
    anon_inode_getfd('console', consoleFops(err, tty), null, O_RDWR),
  ];
}
