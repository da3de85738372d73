import { wrapText } from './wrap.js';

/** Header encoding exactly as `git format-patch` writes it (pretty.c). */

const MAX_LENGTH = 78;
const RFC822_SPECIALS = '()<>@,;:\\".[]';

export function needsRfc2047(s: Buffer): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c >= 0x80 || c === 0x0a) return true;
    if (c === 0x3d && s[i + 1] === 0x3f) return true;
  }
  return false;
}

function isSpecial(c: number, address: boolean): boolean {
  if (c >= 0x80 || c <= 0x20 || c === 0x7f || c === 0x3d || c === 0x3f || c === 0x5f) return true;
  if (!address) return false;
  const ch = String.fromCharCode(c);
  return !/[A-Za-z0-9!*+\-/]/.test(ch);
}

function utf8Length(c: number): number {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

/** `add_rfc2047`: Q-encodes `text` after `lineLen` columns, folding at 76 characters. */
export function encodeRfc2047(text: Buffer, lineLen: number, address: boolean): string {
  const maxEncoded = 76;
  let out = '=?UTF-8?q?';
  let len = lineLen + 'UTF-8'.length + 5;
  let i = 0;
  while (i < text.length) {
    const chr = Math.min(utf8Length(text[i]!), text.length - i);
    const special = chr > 1 || isSpecial(text[i]!, address);
    const encodedLen = special ? 3 * chr : 1;
    if (len + encodedLen + 2 > maxEncoded) {
      out += '?=\n =?UTF-8?q?';
      len = 'UTF-8'.length + 5 + 1;
    }
    for (let k = 0; k < chr; k++) {
      const b = text[i + k]!;
      out += special ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
    }
    len += encodedLen;
    i += chr;
  }
  return `${out}?=`;
}

function lastLineLength(s: string): number {
  return s.length - (s.lastIndexOf('\n') + 1);
}

/** The `From:` header line (with newline) for an author. */
export function fromHeader(name: string, email: string): string {
  const nameBuf = Buffer.from(name, 'utf8');
  let line = 'From: ';
  let max = MAX_LENGTH;
  if (needsRfc2047(nameBuf)) {
    line += encodeRfc2047(nameBuf, lastLineLength(line), true);
    max = 76;
  } else if ([...name].some((c) => RFC822_SPECIALS.includes(c))) {
    const quoted = `"${name.replace(/(["\\])/g, '\\$1')}"`;
    line += wrapText(quoted, -6, 1, max);
  } else {
    line += wrapText(name, -6, 1, max);
  }
  if (max < lastLineLength(line) + 2 + Buffer.byteLength(email) + 1) line += '\n';
  return `${line} <${email}>\n`;
}

/** The `Subject:` header line (with newline) for a prefix such as `[PATCH 1/2] `. */
export function subjectHeader(prefix: string, title: string): string {
  const head = `Subject: ${prefix}`;
  const buf = Buffer.from(title, 'utf8');
  if (needsRfc2047(buf)) return `${head}${encodeRfc2047(buf, head.length, false)}\n`;
  return `${head}${wrapText(title, -head.length, 1, MAX_LENGTH)}\n`;
}
