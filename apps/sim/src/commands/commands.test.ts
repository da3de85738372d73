import { describe, expect, it } from 'vitest';
import { sh } from '../testing/fake-machine.js';

describe('the commands, on an in-memory filesystem', () => {
  it('head and tail by bytes and lines, with headers for several files', async () => {
    const r = await sh(
      "echo -e 'one\\ntwo\\nthree' > /tmp/f; head -n 2 /tmp/f; tail -n 1 /tmp/f; head -c 5 /tmp/f; echo; tail -c 3 /tmp/f; head -1 /tmp/f /tmp/f; tail -n +3 /tmp/f",
    );
    expect(r.out).toBe(
      'one\ntwo\nthree\none\nt\nee\n==> /tmp/f <==\none\n\n==> /tmp/f <==\none\nthree\n',
    );
  });

  it('head stops reading an endless device', async () => {
    expect((await sh('head -c 20 /dev/zero | hexdump -C')).out).toBe(
      '00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n' +
        '00000010  00 00 00 00                                       |....|\n' +
        '00000014\n',
    );
  });

  it('reports files it cannot open as coreutils does', async () => {
    const r = await sh('cat /nope; head /nope; ls /nope; stat /nope; echo $?');
    expect(r.err).toBe(
      'cat: /nope: No such file or directory\n' +
        "head: cannot open '/nope' for reading: No such file or directory\n" +
        "ls: cannot access '/nope': No such file or directory\n" +
        "stat: cannot statx '/nope': No such file or directory\n",
    );
    expect(r.out).toBe('1\n');
  });

  it('hexdump: canonical, default words, and * for repeated lines', async () => {
    const r = await sh(
      'echo -n abcdefghijklmnopqrstu > /tmp/a; hexdump -C /tmp/a; hexdump /tmp/a; head -c 64 /dev/zero | hexdump',
    );
    expect(r.out).toBe(
      '00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|\n' +
        '00000010  71 72 73 74 75                                    |qrstu|\n' +
        '00000015\n' +
        '0000000 6261 6463 6665 6867 6a69 6c6b 6e6d 706f\n' +
        '0000010 7271 7473 0075                         \n' +
        '0000015\n' +
        '0000000 0000 0000 0000 0000 0000 0000 0000 0000\n' +
        '*\n' +
        '0000040\n',
    );
  });

  it('dd counts full and partial records and reports the transfer', async () => {
    const r = await sh(
      'dd if=/dev/zero of=/tmp/z bs=512 count=2; echo -n abc | dd bs=2 of=/tmp/y; hexdump -C /tmp/y',
    );
    expect(r.err).toBe(
      '2+0 records in\n2+0 records out\n1024 bytes (1.0 kB, 1.0 KiB) copied, 0 s, Infinity B/s\n' +
        '1+1 records in\n1+1 records out\n3 bytes copied, 0 s, Infinity B/s\n',
    );
    expect(r.out).toBe(
      '00000000  61 62 63                                          |abc|\n00000003\n',
    );
  });

  it('dd skip= and seek= move by blocks', async () => {
    const r = await sh(
      'echo -n 0123456789 > /tmp/d; dd if=/tmp/d bs=2 skip=1 count=2 status=none; echo',
    );
    expect(r.out).toBe('2345\n');
  });

  it('ls -l aligns device numbers the way GNU ls does', async () => {
    const r = await sh('mknod /dev/big c 240 1000; ls -l /dev');
    expect(r.out).toBe(
      'total 0\n' +
        'crw-r--r-- 1 root root 240, 1000 Jan  1 00:00 big\n' +
        'crw-rw-rw- 1 root root  10,   60 Jan  1 00:00 buggy\n' +
        'crw-rw-rw- 1 root root   5,    2 Jan  1 00:00 err\n' +
        'crw-rw-rw- 1 root root   1,    3 Jan  1 00:00 null\n' +
        'crw-rw-rw- 1 root root   5,    1 Jan  1 00:00 out\n' +
        'crw-rw-rw- 1 root root   1,    5 Jan  1 00:00 zero\n',
    );
  });

  it('ls lists names one per line when not on a terminal, -a shows dot files', async () => {
    const r = await sh(
      'mkdir /tmp/d; echo > /tmp/d/b; echo > /tmp/d/.h; echo > /tmp/d/a; ls /tmp/d; ls -a /tmp/d',
    );
    expect(r.out).toBe('a\nb\n.\n..\n.h\na\nb\n');
  });

  it('ls prints GNU columns on a terminal, tabs included', async () => {
    const names =
      'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega a-much-longer-file-name another_one';
    const r = await sh(
      `mkdir /tmp/c; for_each; ls /tmp/c`.replace(
        'for_each',
        names
          .split(' ')
          .map((n) => `: > /tmp/c/${n}`)
          .join('; '),
      ),
      { tty: true },
    );
    // What coreutils 9.1 prints for these names with COLUMNS=80.
    expect(r.out).toBe(
      'a-much-longer-file-name  chi\t  gamma   mu\t   phi\tsigma\t xi\n' +
        'alpha\t\t\t delta\t  iota\t  nu\t   pi\ttau\t zeta\n' +
        'another_one\t\t epsilon  kappa   omega    psi\ttheta\n' +
        'beta\t\t\t eta\t  lambda  omicron  rho\tupsilon\n',
    );
  });

  it('stat prints the GNU coreutils format', async () => {
    const r = await sh('stat /dev/null; echo -n hello > /tmp/h; stat /tmp/h');
    expect(r.out).toMatch(
      /^ {2}File: \/dev\/null\n {2}Size: 0 {9}\tBlocks: 0 {10}IO Block: 4096 {3}character special file\nDevice: 0,5\tInode: \d+ +Links: 1 {5}Device type: 1,3\nAccess: \(0666\/crw-rw-rw-\) {2}Uid: \( {4}0\/ {4}root\) {3}Gid: \( {4}0\/ {4}root\)\nAccess: 1970-01-01 00:00:00.000000000 \+0000\n/,
    );
    expect(r.out).toContain(
      '  Size: 5         \tBlocks: 8          IO Block: 4096   regular file\n',
    );
    expect(r.out).toContain(' Birth: -\n');
  });

  it('mknod, mkdir and rm report errors as coreutils does', async () => {
    const r = await sh(
      'mknod /tmp/x; mknod /tmp/x c 1; mkdir /tmp; rm /tmp/nope; rm -f /tmp/nope; echo $?',
    );
    expect(r.err).toBe(
      "mknod: missing operand after '/tmp/x'\nTry 'mknod --help' for more information.\n" +
        "mknod: missing operand after '1'\nSpecial files require major and minor device numbers.\n" +
        "Try 'mknod --help' for more information.\n" +
        "mkdir: cannot create directory '/tmp': File exists\n" +
        "rm: cannot remove '/tmp/nope': No such file or directory\n",
    );
    expect(r.out).toBe('0\n');
  });

  it('a pipeline: the status is the last command, a closed reader ends the writer', async () => {
    const r = await sh('cat /dev/zero | head -c 4 | hexdump -C; echo $?');
    expect(r.out).toBe(
      '00000000  00 00 00 00                                       |....|\n00000004\n0\n',
    );
  });

  it('wc counts with GNU widths, grep selects lines and sets its status', async () => {
    const r = await sh(
      "echo -e 'a b\\nc' > /tmp/h; wc /tmp/h; wc /tmp/h /tmp/h; echo hi | wc; echo hi | wc -l; " +
        'grep -n c /tmp/h; grep -c a /tmp/h /tmp/h; grep -v a /tmp/h; grep x /tmp/h; echo $?; grep x /nope; echo $?; ' +
        "echo 'a(b' | grep 'a(b'; echo aab | grep 'a\\+b'; echo ab | grep -E 'x|b'",
    );
    expect(r.out).toBe(
      '2 3 6 /tmp/h\n' +
        ' 2  3  6 /tmp/h\n 2  3  6 /tmp/h\n 4  6 12 total\n' +
        '      1       1       3\n1\n' +
        '2:c\n/tmp/h:1\n/tmp/h:1\nc\n1\n2\n' +
        'a(b\naab\nab\n',
    );
    expect(r.err).toBe('grep: /nope: No such file or directory\n');
  });
});
