import { git } from '../git.js';
import { mailinfo } from '../mailinfo.js';
import { readMails } from '../mbox.js';
import { stripspace } from '../message.js';
import { unquoteC } from '../quote.js';

/**
 * One commit of a range, in the normalized form `git range-diff` compares: a metadata and
 * commit-message section, then each file as ` ## path ##` followed by its hunks with the
 * line numbers dropped (`@@ path: function`), every line prefixed with ` `, `-` or `+`.
 */
export interface RangePatch {
  /** The commit id (for a mail: the id on its `From <id>` line, else its patch-id). */
  oid: string;
  /** The one-line subject git shows for the commit. */
  subject: string;
  /** The normalized text: metadata, message and diff. */
  text: string;
  /** Where the diff part of {@link text} starts (0 when the commit has no diff). */
  diffOffset: number;
  /** Lines of the diff part, what a patch costs to create or drop. */
  diffSize: number;
}

/** The flags `git range-diff` passes to `git log` to read a range. */
const LOG_ARGS = [
  'log',
  '--no-color',
  '-p',
  '--no-merges',
  '--reverse',
  '--date-order',
  '--decorate=no',
  '--no-prefix',
  '--submodule=short',
  '--output-indicator-new=>',
  '--output-indicator-old=<',
  '--output-indicator-context=#',
  '--no-abbrev-commit',
  '--pretty=medium',
  '--notes',
];

interface FileHeader {
  oldName: string;
  newName: string;
  isNew: boolean;
  isDelete: boolean;
  isRename: boolean;
  oldMode: number;
  newMode: number;
  /** How many lines after `diff --git` the extended header took. */
  consumed: number;
}

const HEADER_KEYWORDS = [
  '@@ -',
  '--- ',
  '+++ ',
  'old mode ',
  'new mode ',
  'deleted file mode ',
  'new file mode ',
  'copy from ',
  'copy to ',
  'rename old ',
  'rename new ',
  'rename from ',
  'rename to ',
  'similarity index ',
  'dissimilarity index ',
  'index ',
];

/** A path as written in a header: C-quoted or plain, `a/`/`b/` prefix dropped if asked. */
function headerPath(raw: string, strip: boolean): string {
  let name = raw;
  if (name.startsWith('"')) name = unquoteC(name)?.name ?? name;
  else name = name.replace(/\t.*$/, '');
  if (strip && name !== '/dev/null') name = name.replace(/^[ab]\//, '');
  return name;
}

/** The two names on a `diff --git` line when nothing else names the files. */
function gitLineNames(rest: string, strip: boolean): [string, string] {
  if (rest.startsWith('"')) {
    const first = unquoteC(rest);
    if (first) {
      const second = rest.slice(first.end).trimStart();
      return [headerPath(rest, strip), headerPath(second, strip)];
    }
  }
  // Unquoted names may contain spaces: git takes the split where both halves name the
  // same file (after the prefixes); that is the only case without ---/+++ lines to go by.
  const words = rest.split(' ');
  for (let k = 1; k < words.length; k++) {
    const a = headerPath(words.slice(0, k).join(' '), strip);
    const b = headerPath(words.slice(k).join(' '), strip);
    if (a === b) return [a, b];
  }
  const mid = rest.indexOf(' ');
  return [headerPath(rest.slice(0, mid), strip), headerPath(rest.slice(mid + 1), strip)];
}

/** `parse_git_diff_header`: the extended header lines after `diff --git`. */
function parseFileHeader(lines: string[], at: number, strip: boolean): FileHeader {
  const h: FileHeader = {
    oldName: '',
    newName: '',
    isNew: false,
    isDelete: false,
    isRename: false,
    oldMode: 0,
    newMode: 0,
    consumed: 0,
  };
  const [gitOld, gitNew] = gitLineNames(lines[at]!.slice('diff --git '.length), strip);
  let i = at + 1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const keyword = HEADER_KEYWORDS.find((k) => line.startsWith(k));
    if (!keyword || keyword === '@@ -') break;
    const value = line.slice(keyword.length);
    switch (keyword) {
      case '--- ':
        if (value !== '/dev/null') h.oldName = headerPath(value, strip);
        break;
      case '+++ ':
        if (value !== '/dev/null') h.newName = headerPath(value, strip);
        break;
      case 'old mode ':
        h.oldMode = Number.parseInt(value, 8);
        break;
      case 'new mode ':
        h.newMode = Number.parseInt(value, 8);
        break;
      case 'deleted file mode ':
        h.isDelete = true;
        h.oldMode = Number.parseInt(value, 8);
        break;
      case 'new file mode ':
        h.isNew = true;
        h.newMode = Number.parseInt(value, 8);
        break;
      case 'rename from ':
      case 'rename old ':
        h.isRename = true;
        h.oldName = headerPath(value, false);
        break;
      case 'rename to ':
      case 'rename new ':
        h.isRename = true;
        h.newName = headerPath(value, false);
        break;
      case 'copy from ':
        h.oldName = headerPath(value, false);
        break;
      case 'copy to ':
        h.newName = headerPath(value, false);
        break;
      case 'index ': {
        const mode = /^\S+ ([0-7]+)$/.exec(value);
        if (mode && !h.oldMode && !h.newMode) {
          h.oldMode = Number.parseInt(mode[1]!, 8);
          h.newMode = h.oldMode;
        }
        break;
      }
    }
  }
  if (!h.oldName) h.oldName = h.isNew ? h.newName || gitNew : gitOld;
  if (!h.newName) h.newName = h.isDelete ? h.oldName || gitOld : gitNew;
  h.consumed = i - at - 1;
  return h;
}

/** Accumulates one normalized patch, as `read_patches` builds it. */
class PatchBuilder {
  text = '';
  diffOffset = 0;
  diffSize = 0;
  private file: string | undefined;

  metadata(author: string): void {
    this.text += ` ## Metadata ##\n${author}\n\n ## Commit message ##\n`;
  }

  messageLine(line: string): void {
    this.text += `${line.replace(/\s+$/, '')}\n`;
  }

  notes(title: string): void {
    this.text += `\n\n ## ${title} ##\n`;
  }

  fileHeader(h: FileHeader): void {
    this.text += '\n';
    if (!this.diffOffset) this.diffOffset = this.text.length;
    let title: string;
    if (h.isNew) title = `${h.newName} (new)`;
    else if (h.isDelete) title = `${h.oldName} (deleted)`;
    else if (h.isRename) title = `${h.oldName} => ${h.newName}`;
    else title = h.newName;
    if (h.oldMode && h.newMode && h.oldMode !== h.newMode) {
      title += ` (mode change ${octal(h.oldMode)} => ${octal(h.newMode)})`;
    }
    this.file = h.isDelete ? h.oldName : h.newName;
    this.line(` ## ${title} ##`);
  }

  hunkHeader(line: string): void {
    const close = line.indexOf('@@', 3);
    const func = close < 0 ? '' : line.slice(close + 2);
    this.line(`@@${this.file !== undefined && func ? ` ${this.file}:` : ''}${func}`);
  }

  line(text: string): void {
    this.text += `${text}\n`;
    this.diffSize++;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(6, '0');
}

/** The `git log` arguments that read `range` the way `git range-diff` reads it. */
export function gitRangeLogArgs(range: string[]): string[] {
  return [...LOG_ARGS, ...range, '--'];
}

/** The patches of a git range (`A..B`, `A...B`, `B ^A`…), oldest first, merges skipped. */
export function readGitRange(range: string[], cwd: string): RangePatch[] {
  return parseGitLog(git(gitRangeLogArgs(range), { cwd }).toString('utf8'));
}

/** Normalizes the output of `git log` run with {@link gitRangeLogArgs}. */
export function parseGitLog(out: string): RangePatch[] {
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const patches: RangePatch[] = [];
  let b: PatchBuilder | undefined;
  let oid = '';
  let subject: string[] = [];
  let subjectDone = false;
  let inHeader = true;
  const finish = (): void => {
    if (!b) return;
    patches.push({
      oid,
      subject: subject.join(' '),
      text: b.text,
      diffOffset: b.diffOffset,
      diffSize: b.diffSize,
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('commit ')) {
      finish();
      b = new PatchBuilder();
      oid = line.slice('commit '.length).split(' ')[0]!;
      subject = [];
      subjectDone = false;
      inHeader = true;
      continue;
    }
    if (!b) throw new Error(`could not parse first line of \`log\` output: '${line}'`);
    if (line.startsWith('diff --git ')) {
      inHeader = false;
      const h = parseFileHeader(lines, i, false);
      b.fileHeader(h);
      i += h.consumed;
    } else if (inHeader) {
      if (line.startsWith('Author: ')) {
        b.metadata(line);
      } else if (line.startsWith('Notes') && line.endsWith(':')) {
        subjectDone = true;
        b.notes(line.slice(0, -1));
      } else if (line.startsWith('    ')) {
        b.messageLine(line);
        const text = line.slice(4).trim();
        if (!subjectDone) {
          if (text === '') subjectDone = subject.length > 0;
          else subject.push(text);
        }
      }
    } else if (line.startsWith('@@ ')) {
      b.hunkHeader(line);
    } else if (line === '') {
      // A blank line is not a diff line: it separates commits in `git log` output.
    } else if (line[0] === '>') {
      b.line(`+${line.slice(1)}`);
    } else if (line[0] === '<') {
      b.line(`-${line.slice(1)}`);
    } else if (line[0] === '#') {
      b.line(` ${line.slice(1)}`);
    } else {
      b.line(` ${line}`);
    }
  }
  finish();
  return patches;
}

/** `From <40 hex> Mon Sep 17 00:00:00 2001`: the commit a mail was made from. */
const FROM_LINE = /^From ([0-9a-f]{40}) /;

/**
 * The patches of an mbox (or a directory of patches), normalized as if each had been
 * applied and read back with `git log`, so that mail series compare like branches without
 * being applied. Cover letters (mails without a diff) are skipped.
 */
export function readMailRange(source: string): RangePatch[] {
  const patches: RangePatch[] = [];
  for (const mail of readMails(source)) {
    const info = mailinfo(mail);
    const diff = info.patch.toString('utf8');
    if (!/^diff --git /m.test(diff)) continue;
    const b = new PatchBuilder();
    b.metadata(`Author: ${info.name} <${info.email}>`);
    const message = stripspace(Buffer.from(`${info.subject}\n\n${info.log.toString('utf8')}`));
    for (const line of message.toString('utf8').split('\n').slice(0, -1))
      b.messageLine(`    ${line}`);
    mailDiff(b, diff);
    const from = FROM_LINE.exec(mail.subarray(0, 80).toString('latin1'));
    const oid = from ? from[1]! : patchIdOf(diff);
    patches.push({
      oid,
      subject: info.subject,
      text: b.text,
      diffOffset: b.diffOffset,
      diffSize: b.diffSize,
    });
  }
  return patches;
}

function patchIdOf(diff: string): string {
  // A stable stand-in id for mails that do not say which commit they came from.
  let h = 0x811c9dc5;
  for (let i = 0; i < diff.length; i++) h = Math.imul(h ^ diff.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

/** Adds the files of a mail's diff (`a/`/`b/` prefixes, `+`/`-`/` ` lines) to `b`. */
function mailDiff(b: PatchBuilder, diff: string): void {
  const lines = diff.split('\n');
  let i = lines.findIndex((l) => l.startsWith('diff --git '));
  while (i >= 0 && i < lines.length) {
    const line = lines[i]!;
    if (!line.startsWith('diff --git ')) {
      i++;
      continue;
    }
    const h = parseFileHeader(lines, i, true);
    b.fileHeader(h);
    i += h.consumed + 1;
    if (lines[i] === 'GIT binary patch') {
      const from = h.isNew ? '/dev/null' : h.oldName;
      const to = h.isDelete ? '/dev/null' : h.newName;
      b.line(` Binary files ${from} and ${to} differ`);
      while (i < lines.length && !lines[i]!.startsWith('diff --git ')) i++;
      continue;
    }
    while (i < lines.length && lines[i]!.startsWith('@@ -')) {
      const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(lines[i]!);
      b.hunkHeader(lines[i]!);
      i++;
      let old = m ? Number(m[1] ?? 1) : 0;
      let now = m ? Number(m[2] ?? 1) : 0;
      while (i < lines.length && (old > 0 || now > 0 || lines[i]!.startsWith('\\'))) {
        const l = lines[i]!;
        if (l[0] === '-') old--;
        else if (l[0] === '+') now--;
        else if (l[0] === ' ' || l === '') {
          old--;
          now--;
        }
        b.line(l[0] === ' ' || l[0] === '-' || l[0] === '+' ? l : ` ${l}`);
        i++;
      }
    }
  }
}
