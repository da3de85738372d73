import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

async function demo(seed = 0): Promise<string> {
  let out = '';
  const status = await runDemo((text) => {
    out += text;
  }, seed);
  expect(status).toBe(0);
  return out;
}

/** Asserts that `lines` appear in `out` in this order. */
function expectInOrder(out: string, lines: (string | RegExp)[]): void {
  let at = 0;
  for (const line of lines) {
    const rest = out.slice(at);
    const m = typeof line === 'string' ? rest.indexOf(line) : rest.search(line);
    expect(m, String(line)).toBeGreaterThanOrEqual(0);
    at += m;
  }
}

describe('rfl-sim demo', () => {
  it('boots, uses the machine from its shell, then shows each detector catching its bug', async () => {
    const out = await demo();
    expect(
      out.startsWith('[    0.000000] Linux version 6.12.0-rfl (rfl-ts) #1 SMP PREEMPT\n'),
    ).toBe(true);
    expectInOrder(out, [
      'Run /bin/sh as init process',
      '# uname -a\nLinux rfl-sim 6.12.0-rfl #1 SMP PREEMPT x86_64 GNU/Linux\n# ls -l /dev\n',
      /crw-rw-rw- 1 root root +1, +3 \w{3} [ \d]\d \d\d:\d\d null\n/,
      '# cat /tmp/greeting\nhello from the sim\n',
      '# head -c 32 /dev/urandom | hexdump -C\n00000000  ',
      '00000020\n',
      '# dd if=/dev/zero of=/tmp/zeros bs=512 count=4\n4+0 records in\n4+0 records out\n2048 bytes (2.0 kB, 2.0 KiB) copied, 0 s, Infinity B/s\n',
      '# ls -l /sys/class/mem\ntotal 0\n',
      /lrwxrwxrwx 1 root root 0 \w{3} [ \d]\d \d\d:\d\d null -> \.\.\/\.\.\/devices\/virtual\/mem\/null\n/,
      '# cat /sys/class/mem/urandom/dev\n1:9\n',
      '# head -n 3 /proc/self/status\nName:\thead\n',
      '# cat /nope; echo "status $?"\ncat: /nope: No such file or directory\nstatus 1\n',
      /# frobnicate --now\nsh: \d+: frobnicate: not found\n/,
      '# lsmod\nModule                  Size  Used by\ngpio_pl061             16384  0\nlkdtm                  16384  0\nfoxes                  16384  0\nedu                    16384  0\n',
      "## edu: QEMU's edu device",
      '# echo 10 > /dev/edu\n# cat /dev/edu\n3628800\n',
      "## foxes: the seed's rust_foxes",
      '# lsmod | grep foxes\nfoxes                  16384  0\n# rmmod foxes\n# ls /dev/foxes\n',
      "ls: cannot access '/dev/foxes': No such file or directory\n# insmod foxes\n# ls -l /dev/foxes\n",
      /cr--r--r-- 1 root root 10, 257 \w{3} [ \d]\d \d\d:\d\d \/dev\/foxes\n/,
      `# cat /dev/foxes; echo\n${'\u{1F98A}'.repeat(200)}\n# cat /dev/foxes | head -c 8; echo\n${'\u{1F98A}'.repeat(2)}\n`,
      '# lsmod\nModule                  Size  Used by\nfoxes                  16384  0\ngpio_pl061             16384  0\nlkdtm                  16384  0\nedu                    16384  0\n',
      '## lkdtm: ',
      'Available crash types:\nBUG\nWARNING\n',
      'lkdtm: Performing direct entry WARNING_MESSAGE\n',
      'Warning message trigger count: 1\n',
      'Segmentation fault\n# echo "cat exited with $?"; dmesg -c | head -n 5\ncat exited with 139\n',
      'BUG: kernel NULL pointer dereference, address: 0000000000000000\n',
      '## gpio_pl061: ',
      '# gpiodetect\ngpiochip0 [feb00000.pl061] (8 lines)\n',
      '# gpioset -t 0 -c 0 1=1; board led\nled 1: on\n',
      '# gpioset -t 0 -c 0 1=0; board led\nled 1: off\n',
      /# board button press; wait\n\d+\.\d+\trising\tgpiochip0 0\n/,
      '# echo feb00000.pl061 > /sys/bus/amba/drivers/pl061_gpio/unbind; wait\ngpiomon: error reading line events: No such device\n',
      '# gpiodetect; dmesg | grep -c BUG\n0\n',
      '### 1. a kthread allocates and frees a fox (no report expected)',
      'foxes: fox at ffff888',
      '### 2.',
      'BUG: KASAN: slab-use-after-free in run',
      'Freed by task 1:',
      '### 3.',
      'BUG: sleeping function called from invalid context at ',
      /in_atomic\(\): 1, irqs_disabled\(\): 0, non_block: 0, pid: \d+, name: cat/,
      '### 4.',
      'WARNING: possible circular locking dependency detected',
      '### 5.',
      'refcount_t: decrement hit 0; leaking memory.',
    ]);
    const first = out.slice(out.indexOf('### 1.'), out.indexOf('### 2.'));
    expect(first).not.toMatch(/BUG|WARNING/);
  });
});
