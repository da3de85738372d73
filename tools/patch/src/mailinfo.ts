import { parseAuthor } from './address.js';
import { splitLines } from './mbox.js';
import { decodeBase64, decodeHeader, decodeQuotedPrintable, headerParam, toUtf8 } from './mime.js';

/** Options with the meaning of the `git mailinfo` (and `git am`) flags of the same letter. */
export interface MailinfoOptions {
  /** `-k`: keep the subject exactly as written. */
  keepSubject?: boolean;
  /** `-b`: strip only bracketed groups that contain `PATCH`. */
  keepNonPatchBrackets?: boolean;
  /** `--scissors`: drop everything before a `-- >8 --` line. */
  scissors?: boolean;
  /** `-m`: append a `Message-Id:` line to the message. */
  messageId?: boolean;
  /** `-n`: leave the message in its declared charset instead of converting to UTF-8. */
  noReencode?: boolean;
  /** `--no-inbody-headers`: ignore `From:`/`Subject:`/`Date:` at the top of the body. */
  noInbodyHeaders?: boolean;
}

/** What `git mailinfo` extracts from one message. */
export interface MailInfo {
  name: string;
  email: string;
  subject: string;
  date: string;
  /** The commit message body (UTF-8 unless `noReencode`), before `git am`'s cleanup. */
  log: Buffer;
  /** The patch from the break line on, byte for byte (as `git mailinfo` writes it). */
  patch: Buffer;
  /** The Subject header as decoded, before cleanup (used for series parsing). */
  rawSubject: string;
  messageId: string;
  inReplyTo: string;
  references: string[];
  /** Lines a person should look at: text `git am` treats differently from what it seems. */
  warnings: string[];
}

interface Part {
  headers: Map<string, Buffer>;
  body: Buffer;
}

const HEADER_NAME = /^([\x21-\x39\x3b-\x7e]+):/;

/** Parses a header block into lowercase name → unfolded raw value (first occurrence wins). */
function readHeaders(
  lines: Buffer[],
  start: number,
): { headers: Map<string, Buffer>; next: number } {
  const headers = new Map<string, Buffer>();
  let i = start;
  let current: { name: string; parts: Buffer[] } | undefined;
  const flush = (): void => {
    if (current && !headers.has(current.name))
      headers.set(current.name, Buffer.concat(current.parts));
    current = undefined;
  };
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const text = stripEol(line);
    if (text.length === 0) {
      i++;
      break;
    }
    if ((text[0] === 0x20 || text[0] === 0x09) && current) {
      current.parts.push(text);
      continue;
    }
    const m = HEADER_NAME.exec(text.toString('latin1'));
    if (!m) {
      if (i === start && text.toString('latin1').startsWith('From ')) continue;
      break;
    }
    flush();
    let value = text.subarray(m[0].length);
    while (value[0] === 0x20 || value[0] === 0x09) value = value.subarray(1);
    current = { name: m[1]!.toLowerCase(), parts: [value] };
  }
  flush();
  return { headers, next: i };
}

function stripEol(line: Buffer): Buffer {
  let end = line.length;
  if (line[end - 1] === 0x0a) end--;
  return line.subarray(0, end);
}

function decodeBody(body: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** Flattens a (possibly multipart) message into its leaf parts, in order. */
function leafParts(headers: Map<string, Buffer>, body: Buffer): Part[] {
  const type = headers.get('content-type')?.toString('latin1') ?? '';
  const boundary = /^\s*multipart\//i.test(type) ? headerParam(type, 'boundary') : undefined;
  if (!boundary) return [{ headers, body }];
  const lines = splitLines(body);
  const parts: Part[] = [];
  let chunk: Buffer[] | undefined;
  for (const line of lines) {
    const text = stripEol(line).toString('latin1').trimEnd();
    if (text === `--${boundary}` || text === `--${boundary}--`) {
      if (chunk) {
        const inner = splitLines(Buffer.concat(chunk));
        const h = readHeaders(inner, 0);
        parts.push(...leafParts(h.headers, Buffer.concat(inner.slice(h.next))));
      }
      chunk = text.endsWith('--') && text !== `--${boundary}` ? undefined : [];
      continue;
    }
    chunk?.push(line);
  }
  return parts;
}

/**
 * Whether `line` ends the commit message the way `git mailinfo` decides: `diff -`,
 * `Index: `, `--- <file>`, or `---` followed only by whitespace.
 */
export function isPatchBreak(line: Buffer): boolean {
  const s = line.toString('latin1');
  if (s.startsWith('diff -') || s.startsWith('Index: ')) return true;
  if (s.length < 4 || !s.startsWith('---')) return false;
  if (s[3] === ' ' && !/\s/.test(s[4] ?? '')) return true;
  for (let i = 3; i < s.length; i++) {
    if (s[i] === '\n') return true;
    if (!/\s/.test(s[i]!)) return false;
  }
  return false;
}

/**
 * `git mailinfo`'s scissors test: a line of at least 8 visible characters with a `>8`
 * (or `8<`, `>%`, `%<`) mark, whose dashes and marks are over a third of it.
 */
function isScissorsLine(line: Buffer): boolean {
  const s = line.toString('latin1');
  let scissors = 0;
  let gap = 0;
  let first = -1;
  let last = -1;
  let perforation = 0;
  let inPerforation = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inPerforation) {
        perforation++;
        gap++;
      }
      continue;
    }
    last = i;
    if (first < 0) first = i;
    if (c === '-') {
      inPerforation = true;
      perforation++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '>8' || two === '8<' || two === '>%' || two === '%<') {
      inPerforation = true;
      perforation += 2;
      scissors += 2;
      i++;
      continue;
    }
    inPerforation = false;
  }
  const visible = first >= 0 ? last - first + 1 : 0;
  return scissors > 0 && visible >= 8 && visible < perforation * 3 && gap * 2 < perforation;
}

/**
 * Subject cleanup exactly as `git mailinfo` does it: repeatedly strip leading whitespace,
 * `:`, `Re:` and `[...]` groups (only those containing `PATCH` with `keepNonPatch`).
 *
 * @example
 * ```ts
 * import { cleanupSubject } from '@rfl/patch';
 * cleanupSubject('Re: [RFC PATCH v2 3/7] net: fix it') // => 'net: fix it'
 * cleanupSubject('[PATCH] [tag] x: y', { keepNonPatchBrackets: true }) // => '[tag] x: y'
 * ```
 */
export function cleanupSubject(subject: string, opts: MailinfoOptions = {}): string {
  let s = subject;
  let at = 0;
  for (;;) {
    const c = s[at];
    if (c === undefined) break;
    if (c === 'r' || c === 'R') {
      if (s.length > at + 3 && (s[at + 1] === 'e' || s[at + 1] === 'E') && s[at + 2] === ':') {
        s = s.slice(0, at) + s.slice(at + 3);
        continue;
      }
      break;
    }
    if (c === ' ' || c === '\t' || c === ':') {
      s = s.slice(0, at) + s.slice(at + 1);
      continue;
    }
    if (c === '[') {
      const close = s.indexOf(']', at);
      if (close < 0) break;
      const remove = close - at + 1;
      const group = s.slice(at, close + 1);
      if (!opts.keepNonPatchBrackets || (remove >= 7 && group.includes('PATCH'))) {
        s = s.slice(0, at) + s.slice(close + 1);
      } else {
        at += remove;
        if (/\s/.test(s[at] ?? '')) at += 1;
      }
      continue;
    }
    break;
  }
  return s.trim();
}

function cleanupSpace(s: string): string {
  return s.replace(/\s+/g, ' ');
}

const INBODY = /^(From|Subject|Date):\s*/i;

/**
 * Extracts author, subject, date, message and patch from one mail with `git mailinfo`'s
 * rules, including in-body `From:`/`Subject:`/`Date:` lines that override the headers.
 */
export function mailinfo(mail: Buffer, opts: MailinfoOptions = {}): MailInfo {
  let start = 0;
  while (start < mail.length && /\s/.test(String.fromCharCode(mail[start]!))) start++;
  // Only the header block (up to the first empty line) is split into lines.
  const blank = mail.indexOf('\n\n', start);
  const lines = splitLines(mail.subarray(start, blank < 0 ? mail.length : blank + 2));
  const { headers, next } = readHeaders(lines, 0);
  const header = (name: string): string => decodeHeader(headers.get(name) ?? Buffer.alloc(0));
  let from = cleanupSpace(header('from'));
  let subject = cleanupSpace(header('subject'));
  let date = header('date');
  const rawSubject = subject;
  const warnings: string[] = [];

  const log: Buffer[] = [];
  const patch: Buffer[] = [];
  let inPatch = false;
  let headerStage = !opts.noInbodyHeaders;
  let inbody: { name: string; value: string } | undefined;
  let breakLine = '';
  const flushInbody = (): void => {
    if (!inbody) return;
    const value = cleanupSpace(inbody.value.trim());
    if (inbody.name === 'from') from = value;
    else if (inbody.name === 'subject') subject = value;
    else date = value;
    inbody = undefined;
  };

  let bodyAt = start;
  for (let k = 0; k < next && k < lines.length; k++) bodyAt += lines[k]!.length;
  const body = mail.subarray(bodyAt);
  for (const part of leafParts(headers, body)) {
    const cte = part.headers.get('content-transfer-encoding')?.toString('latin1') ?? '';
    const type = part.headers.get('content-type')?.toString('latin1') ?? '';
    const charset = headerParam(type, 'charset') ?? '';
    const decoded = decodeBody(part.body, cte);
    if (inPatch) {
      patch.push(decoded);
      continue;
    }
    for (let at = 0; at < decoded.length; ) {
      const nl = decoded.indexOf(0x0a, at);
      const end = nl < 0 ? decoded.length : nl + 1;
      const raw = decoded.subarray(at, end);
      const lineAt = at;
      at = end;
      let line = raw;
      const blank = line.length === 0 || (line.length === 1 && line[0] === 0x0a);
      if (headerStage && blank) {
        if (inbody) {
          flushInbody();
          headerStage = false;
        }
        continue;
      }
      if (headerStage) {
        const text = stripEol(line).toString('utf8');
        if (inbody && /^[ \t]/.test(text)) {
          inbody.value += text;
          continue;
        }
        flushInbody();
        if (/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/.test(text)) continue;
        const m = INBODY.exec(text);
        if (m) {
          inbody = { name: m[1]!.toLowerCase(), value: decodeHeader(text.slice(m[0].length)) };
          continue;
        }
        headerStage = false;
      }
      if (!opts.noReencode) line = toUtf8(line, charset);
      if (opts.scissors && isScissorsLine(line)) {
        log.length = 0;
        headerStage = !opts.noInbodyHeaders;
        continue;
      }
      if (isPatchBreak(line)) {
        inPatch = true;
        patch.push(decoded.subarray(lineAt));
        breakLine = stripEol(line).toString('utf8');
        break;
      }
      log.push(line);
    }
  }
  flushInbody();

  const messageId = header('message-id').trim();
  if (opts.messageId && messageId) log.push(Buffer.from(`Message-Id: ${messageId}\n`));
  const patchBuf = patch.length === 1 ? patch[0]! : Buffer.concat(patch);
  if (inPatch && !/^(---\s*|diff --git .*|Index: .*)$/.test(breakLine))
    warnings.push(
      `the line "${breakLine}" ends the commit message; text after it is taken as patch`,
    );
  if (inPatch && breakLine === '---' && !/^(diff |--- |\+\+\+ )/m.test(patchBuf.toString('latin1')))
    warnings.push(
      'a "---" line ends the commit message but no diff follows it; the rest is dropped',
    );

  const { name, email } = parseAuthor(from);
  return {
    name,
    email,
    subject: opts.keepSubject ? subject.trim() : cleanupSubject(subject, opts),
    date: date.trim(),
    log: Buffer.concat(log),
    patch: patchBuf,
    rawSubject,
    messageId,
    inReplyTo: header('in-reply-to').trim(),
    references: header('references').split(/\s+/).filter(Boolean),
    warnings,
  };
}
