import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { am, amAbort, amContinue, amCurrentPatch, amSkip } from './am.js';
import { readMails } from './mbox.js';

function write(s: string | Buffer): void {
  process.stdout.write(s);
}

/** `rfl-patch am`: exit 0 when every mail applied, 1 when the run stopped at one. */
export async function cmdAm(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'keep-cr': { type: 'boolean' },
      '3way': { type: 'boolean', short: '3' },
      signoff: { type: 'boolean', short: 's' },
      keep: { type: 'boolean', short: 'k' },
      'keep-non-patch': { type: 'boolean', short: 'b' },
      scissors: { type: 'boolean' },
      'message-id': { type: 'boolean', short: 'm' },
      mboxrd: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      continue: { type: 'boolean' },
      resolved: { type: 'boolean', short: 'r' },
      skip: { type: 'boolean' },
      abort: { type: 'boolean' },
      'show-current-patch': { type: 'boolean' },
    },
  });
  const cwd = process.cwd();
  const out = {
    info: (l: string) => {
      if (!values.quiet) write(`${l}\n`);
    },
    error: (l: string) => process.stderr.write(`${l}\n`),
  };
  if (values['show-current-patch']) {
    write(await amCurrentPatch(cwd));
    return 0;
  }
  if (values.abort) {
    await amAbort(cwd);
    return 0;
  }
  let result: Awaited<ReturnType<typeof am>>;
  if (values.continue || values.resolved) result = await amContinue(cwd, out);
  else if (values.skip) result = await amSkip(cwd, out);
  else {
    const split = { keepCr: !!values['keep-cr'], mboxrd: !!values.mboxrd };
    const sources = positionals.length ? positionals : ['-'];
    const mails = sources.flatMap((s) => readMails(s === '-' ? readFileSync(0) : s, split));
    result = await am(
      cwd,
      mails,
      {
        keepCr: !!values['keep-cr'],
        threeWay: !!values['3way'],
        signoff: !!values.signoff,
        keepSubject: !!values.keep,
        keepNonPatchBrackets: !!values['keep-non-patch'],
        scissors: !!values.scissors,
        messageId: !!values['message-id'],
      },
      out,
    );
  }
  return result.stopped ? 1 : 0;
}
