/** The three report levels of checkpatch.pl. `CHECK` findings are only kept with `strict`. */
export type Level = 'ERROR' | 'WARNING' | 'CHECK';

/** One finding, as checkpatch.pl reports it. */
export interface Finding {
  level: Level;
  /** checkpatch.pl's type name, e.g. `MISSING_SIGN_OFF`. */
  type: string;
  message: string;
  /** 1-based line number in the patch text. */
  line: number;
  /** The file of the diff the line belongs to, when inside a hunk. */
  file?: string;
  /** The line number in the new version of `file`. */
  fileLine?: number;
  /**
   * What checkpatch.pl prints under the `#N:` line: the raw line, the line shown
   * `cat -A` style (`^I`, `^M`, `$`), or nothing for whole-patch findings.
   */
  source?: string;
  /** Print `FILE: path` without a line number (EXECUTE_PERMISSIONS). */
  fileOnly?: boolean;
}

/** Options of {@link checkPatch}; the command line maps onto them. */
export interface CheckOptions {
  /** LONG_LINE limit in columns (tabs are 8 wide); 100 by default. */
  maxLineLength?: number;
  /** Also report `CHECK` level findings (`--strict`). */
  strict?: boolean;
  /** Only report these types (`--types`). */
  types?: string[];
  /** Never report these types (`--ignore`). */
  ignore?: string[];
  /**
   * The input is a cover letter (checkpatch.pl: a file name ending in
   * `cover-letter.patch`): no NOT_UNIFIED_DIFF for its missing diff.
   */
  coverLetter?: boolean;
  /**
   * Looks a commit id up in the tree (checkpatch.pl's `git_commit_info`): its 12-char id
   * and subject, or undefined when no commit has it. Without it (`--no-tree`, or outside
   * a repository) references are checked for form only.
   */
  commitInfo?: (id: string) => { id: string; subject: string } | undefined;
}

/** The result of checking one patch. */
export interface CheckResult {
  findings: Finding[];
  errors: number;
  warnings: number;
  checks: number;
  /** checkpatch.pl's "lines checked": the lines inside hunks, `@@` lines included. */
  lines: number;
}
