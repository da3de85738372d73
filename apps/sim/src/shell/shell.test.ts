import { describe, expect, it } from 'vitest';
import { sh } from '../testing/fake-machine.js';

describe('the sim shell language', () => {
  it('writes a file with > and reads it back', async () => {
    expect(await sh('echo hi > /tmp/a; cat /tmp/a')).toEqual({ out: 'hi\n', err: '', status: 0 });
  });

  it('appends with >> and reads with <', async () => {
    const r = await sh('echo one > /tmp/a; echo two >> /tmp/a; cat < /tmp/a');
    expect(r.out).toBe('one\ntwo\n');
  });

  it('keeps quoting, escapes and comments as sh does', async () => {
    const r = await sh(`echo 'a  b' "c \\"d\\" $?" e\\ f # not printed`);
    expect(r.out).toBe('a  b c "d" 0 e f\n');
  });

  it('runs && and || by status, and $? is the last status', async () => {
    const r = await sh('false && echo no; false || echo yes; true && echo $?; false; echo $?');
    expect(r.out).toBe('yes\n0\n1\n');
  });

  it('negates a pipeline with !', async () => {
    expect((await sh('! false && echo negated')).out).toBe('negated\n');
  });

  it('pipes a command into the next', async () => {
    const r = await sh('echo piped | cat | cat');
    expect(r.out).toBe('piped\n');
  });

  it('reports an unknown command as dash does, with status 127', async () => {
    const r = await sh('echo a\nfoo bar');
    expect(r).toEqual({ out: 'a\n', err: 'sh: 2: foo: not found\n', status: 127 });
  });

  it('reports a redirection from a missing file with status 2', async () => {
    const r = await sh('cat < /nope; echo $?');
    expect(r.err).toBe('sh: 1: cannot open /nope: No such file\n');
    expect(r.out).toBe('2\n');
  });

  it('reports a redirection into a missing directory with status 2', async () => {
    const r = await sh('echo x > /nope/x');
    expect(r).toEqual({
      out: '',
      err: 'sh: 1: cannot create /nope/x: Directory nonexistent\n',
      status: 2,
    });
  });

  it('sends stderr where 2> and 2>&1 say', async () => {
    const r = await sh('cat /nope 2> /tmp/e; cat /tmp/e; cat /nope 2>&1 | cat');
    expect(r.err).toBe('');
    expect(r.out).toBe('cat: /nope: No such file or directory\n'.repeat(2));
  });

  it('restores the shell descriptors after a builtin redirection', async () => {
    const r = await sh('echo to-file > /tmp/a; echo to-terminal');
    expect(r.out).toBe('to-terminal\n');
  });

  it('expands globs against the filesystem, sorted, and keeps a glob that matches nothing', async () => {
    const r = await sh('echo /dev/*; echo /dev/[bn]*; echo /dev/?ull; echo /nope/*; echo "/dev/*"');
    expect(r.out).toBe(
      '/dev/buggy /dev/err /dev/null /dev/out /dev/zero\n/dev/buggy /dev/null\n/dev/null\n/nope/*\n/dev/*\n',
    );
  });

  it('reports syntax errors as dash does and stops the script', async () => {
    expect(await sh('echo a; echo |')).toEqual({
      out: '',
      err: 'sh: 1: Syntax error: end of file unexpected\n',
      status: 2,
    });
    expect((await sh('| echo')).err).toBe('sh: 1: Syntax error: "|" unexpected\n');
    expect((await sh("echo 'x")).err).toBe('sh: 1: Syntax error: Unterminated quoted string\n');
    expect((await sh('echo a(b')).err).toBe('sh: 1: Syntax error: "(" unexpected\n');
    expect((await sh('echo a\necho b &&\n&& c')).err).toBe(
      'sh: 3: Syntax error: "&&" unexpected\n',
    );
  });

  it('survives a command that Oopses: the command dies with SIGSEGV, the shell goes on', async () => {
    const r = await sh('cat /dev/buggy; echo status $?');
    expect(r.err).toBe('Segmentation fault\n');
    expect(r.out).toBe('status 139\n');
  });

  it('ends the script at exit with its status', async () => {
    expect(await sh('echo a; exit 3; echo b')).toEqual({ out: 'a\n', err: '', status: 3 });
  });

  it('echo -n and -e', async () => {
    expect((await sh("echo -n a; echo -e 'b\\tc\\x41\\c'; echo")).out).toBe('ab\tcA\n');
  });

  it('cd and pwd change and show the working directory, which children inherit', async () => {
    const r = await sh('pwd; cd /tmp; pwd; echo hi > a; cat a; cd /nope; echo $?; cd; pwd');
    expect(r.out).toBe('/\n/tmp\nhi\n2\n/\n');
    expect(r.err).toBe("sh: 1: cd: can't cd to /nope\n");
  });
});
