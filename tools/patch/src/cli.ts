import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exitWithError, UsageError } from './usage-error.js';

const HELP = `usage: rfl-patch <command> [options]

Commands:
  am [--keep-cr] [-3] [--signoff] [-k|-b] [--scissors] [-m] [--mboxrd] <mbox|dir|->...
  am --continue | --skip | --abort | --show-current-patch
        apply a series of mails as commits, with git am's results
  format [-v N] [--cover-letter] [--base=auto|<rev>] [--rfc] [--subject-prefix=P]
         [--thread[=shallow|deep]] [--change-id=ID] [-o DIR] [--stdout] <range>
        write a series as git format-patch does
  check [--terse|--emacs|--json] [--show-types] [--types=A,B] [--ignore=A,B]
        [--max-line-length=N] [--strict] [--no-tree] <patch...|->
        report what checkpatch.pl reports on the commit message and the diff
  range-diff [--creation-factor=N] [--json] [--left-only|--right-only] [-s]
             <old> <new> | <base> <rev1> <rev2> | <rev1>...<rev2>
        compare two versions of a series (git ranges or mbox files) like git range-diff
  trailers [-u] [--sloppy-trailers] [--range=A..B] [--json] <thread mbox|dir|->...
        collect Reviewed-by/Acked-by/Tested-by/... from the replies of a thread and
        (with -u) write them into the matching commits of the branch, in kernel order
  review [--base=REV] [-o DIR] [--build=CMD] [--test=CMD] [--setup=CMD] [--no-build]
         [--no-test] [--json] <series mbox|dir>
        apply a series in a temporary worktree, check, build and test after every patch,
        and write a list-style reply per patch and a report on the cover letter
  series [--json] [--dir=patches] [--rev=HEAD]
        list the series of the patches/ archive: version, state (New, Under Review,
        Changes Requested, Accepted, Superseded), check results and reviews
  patch-id
        read a patch on stdin, print "<patch-id> <commit>" like git patch-id --stable
  mailinfo [-k|-b] [--scissors] <mail|->
        print what a mail yields: author, subject, date, message and warnings

Exit status: 0 success, 1 a patch failed or findings, 2 usage or environment error.
`;

function readStdin(): Buffer {
  return readFileSync(0);
}

function write(s: string | Buffer): void {
  process.stdout.write(s);
}

async function cmdMailinfo(argv: string[]): Promise<number> {
  const { mailinfo } = await import('./mailinfo.js');
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      keep: { type: 'boolean', short: 'k' },
      'keep-non-patch': { type: 'boolean', short: 'b' },
      scissors: { type: 'boolean' },
    },
  });
  const src = positionals[0] ?? '-';
  const mail = src === '-' ? readStdin() : readFileSync(src);
  const info = mailinfo(mail, {
    keepSubject: !!values.keep,
    keepNonPatchBrackets: !!values['keep-non-patch'],
    scissors: !!values.scissors,
  });
  const date = info.date ? `Date: ${info.date}\n` : '';
  write(`Author: ${info.name}\nEmail: ${info.email}\nSubject: ${info.subject}\n${date}\n`);

  write(info.log);
  for (const w of info.warnings) process.stderr.write(`warning: ${w}\n`);
  return info.warnings.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    write(HELP);
    return cmd ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    write(HELP);
    return 0;
  }
  switch (cmd) {
    case 'am': {
      const { cmdAm } = await import('./am-cli.js');
      return cmdAm(rest);
    }
    case 'mailinfo':
      return cmdMailinfo(rest);
    case 'format': {
      const { cmdFormat } = await import('./format-cli.js');
      return cmdFormat(rest);
    }
    case 'check': {
      const { cmdCheck } = await import('./check-cli.js');
      return cmdCheck(rest);
    }
    case 'range-diff': {
      const { cmdRangeDiff } = await import('./range-diff-cli.js');
      return cmdRangeDiff(rest);
    }
    case 'trailers': {
      const { cmdTrailers } = await import('./trailers-cli.js');
      return cmdTrailers(rest);
    }
    case 'review': {
      const { cmdReview } = await import('./review-cli.js');
      return cmdReview(rest);
    }
    case 'series': {
      const { cmdSeries } = await import('./series-cli.js');
      return cmdSeries(rest);
    }
    case 'patch-id': {
      const { cmdPatchId } = await import('./format-cli.js');
      return cmdPatchId(rest);
    }
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, exitWithError);
