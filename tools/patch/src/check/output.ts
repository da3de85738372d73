import type { CheckResult, Finding } from './types.js';

/** How to print a report: checkpatch.pl's default, --terse or --emacs. */
export interface OutputOptions {
  terse?: boolean;
  emacs?: boolean;
  showTypes?: boolean;
  /** Print the CHECK count in the total line (--strict). */
  strict?: boolean;
  /** The name in the emacs/terse prefix: the file name, `-` for stdin. */
  filename: string;
  /** The name in the verdict: the file name, or `Your patch` for stdin. */
  vname: string;
}

/** The `#N: FILE: path:line:` block under a finding, with the line it quotes. */
function here(f: Finding): string {
  if (f.fileOnly) return `#${f.line}: FILE: ${f.file}\n`;
  if (f.source === undefined) return '';
  const file = f.file !== undefined ? `FILE: ${f.file}:${f.fileLine}:` : '';
  return `#${f.line}: ${file}\n${f.source}\n`;
}

/** One finding as checkpatch.pl's report() prints it. */
export function formatFinding(f: Finding, o: OutputOptions): string {
  const prefix = o.terse || o.emacs ? `${o.filename}:${f.line}: ` : '';
  const head = `${prefix}${f.level}:${o.showTypes ? `${f.type}:` : ''} ${f.message}\n`;
  if (o.terse) return head;
  return `${head}${here(f)}\n`;
}

/**
 * The whole report for one patch: findings, the total line and (unless --terse)
 * the notes and verdict checkpatch.pl ends with.
 */
export function formatReport(r: CheckResult, o: OutputOptions): string {
  const quiet = !!o.terse;
  const clean = r.findings.length === 0;
  let out = r.findings.map((f) => formatFinding(f, o)).join('');
  if (!(clean && quiet)) {
    const checks = o.strict ? `${r.checks} checks, ` : '';
    out += `total: ${r.errors} errors, ${r.warnings} warnings, ${checks}${r.lines} lines checked\n`;
  }
  if (quiet) return out;
  if (!clean) {
    out +=
      '\nNOTE: For some of the reported defects, checkpatch may be able to\n' +
      '      mechanically convert to the typical style using --fix or --fix-inplace.\n';
  }
  // checkpatch.pl's $rpt_cleaners is set by the trailing whitespace check.
  if (r.findings.some((f) => f.type === 'TRAILING_WHITESPACE')) {
    out +=
      '\nNOTE: Whitespace errors detected.\n      You may wish to use scripts/cleanpatch or scripts/cleanfile\n';
  }
  out += clean
    ? `\n${o.vname} has no obvious style problems and is ready for submission.\n`
    : `\n${o.vname} has style problems, please review.\n\n` +
      'NOTE: If any of the errors are false positives, please report\n' +
      '      them to the maintainer, see CHECKPATCH in MAINTAINERS.\n';
  return out;
}
