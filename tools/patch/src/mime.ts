import { isUtf8 } from 'node:buffer';

/**
 * The MIME pieces `git mailinfo` understands: RFC 2047 encoded words in headers,
 * quoted-printable and base64 transfer encodings, and charset conversion to UTF-8.
 */

/** Decodes `bytes` from `charset` (any label the WHATWG encoding standard knows) to text. */
export function decodeCharset(bytes: Buffer, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (label === '' || label === 'utf-8' || label === 'utf8') return bytes.toString('utf8');
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Converts `bytes` from `charset` to UTF-8 bytes; UTF-8 and unknown labels pass through. */
export function toUtf8(bytes: Buffer, charset: string): Buffer {
  const label = charset.trim().toLowerCase();
  if (label === '' || label === 'utf-8' || label === 'utf8') return bytes;
  try {
    return Buffer.from(new TextDecoder(label).decode(bytes), 'utf8');
  } catch {
    return bytes;
  }
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable bytes. With `header` set, `_` means a space (RFC 2047 "Q").
 * A `=` at the end of a line joins it to the next; a malformed escape stays as it is.
 */
export function decodeQuotedPrintable(input: Buffer, header = false): Buffer {
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x3d) {
      if (input[i + 1] === 0x0a) {
        i += 1;
        continue;
      }
      if (input[i + 1] === 0x0d && input[i + 2] === 0x0a) {
        i += 2;
        continue;
      }
      const hi = hexValue(input[i + 1]);
      const lo = hexValue(input[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = header && c === 0x5f ? 0x20 : c;
  }
  return out.subarray(0, n);
}

/** Decodes base64, ignoring line breaks and anything outside the alphabet. */
export function decodeBase64(input: Buffer): Buffer {
  return Buffer.from(input.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/**
 * Header text outside encoded words: UTF-8 when it is valid UTF-8, else Latin-1. (git
 * copies such bytes into the commit unchanged, which can make an invalid UTF-8 author;
 * Latin-1 is the lossless reading of 8-bit mail headers.) A leading byte order mark goes,
 * as a UTF-8 decoder drops it. `isUtf8` and a plain decode, not a fatal `TextDecoder`:
 * the same answer at a fraction of the cost per header.
 */
function rawHeaderText(bytes: Buffer): string {
  if (!isUtf8(bytes)) return bytes.toString('latin1');
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Lone surrogates, which a round trip through UTF-8 replaces. */
const LONE_SURROGATE = /[\ud800-\udfff]/;

const ENCODED_WORD = /=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words in a header value to a UTF-8 string. Whitespace between
 * two adjacent encoded words is dropped, as the RFC says; a charset's `*language` suffix
 * is ignored; other text is read as UTF-8, or Latin-1 when it is not valid UTF-8.
 *
 * @example
 * ```ts
 * import { decodeHeader } from '@rfl/patch';
 * const raw = '=?UTF-8?q?Ren=C3=A9?= =?ISO-8859-1?B?TOlh?= <r@example.org>';
 * decodeHeader(raw) // => 'RenéLéa <r@example.org>'
 * ```
 */
export function decodeHeader(value: string | Buffer): string {
  // Most headers have no encoded word: a string is then already its own decoding.
  if (typeof value === 'string' && !value.includes('=?') && !LONE_SURROGATE.test(value))
    return value.charCodeAt(0) === 0xfeff ? value.slice(1) : value;
  const raw = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const text = raw.toString('latin1');
  let out = '';
  let last = 0;
  let lastWasWord = false;
  for (const m of text.matchAll(ENCODED_WORD)) {
    const gap = text.slice(last, m.index);
    if (!(lastWasWord && /^[ \t\r\n]*$/.test(gap)))
      out += rawHeaderText(Buffer.from(gap, 'latin1'));
    const charset = m[1]!.split('*')[0]!;
    const payload = Buffer.from(m[3]!, 'latin1');
    const bytes =
      m[2]!.toLowerCase() === 'q' ? decodeQuotedPrintable(payload, true) : decodeBase64(payload);
    out += decodeCharset(bytes, charset);
    last = m.index + m[0].length;
    lastWasWord = true;
  }
  out += rawHeaderText(Buffer.from(text.slice(last), 'latin1'));
  return out;
}

/** A header field with its name as written and its value unfolded (raw bytes). */
export interface HeaderField {
  name: string;
  value: Buffer;
}

/** The parameters of a structured header such as `Content-Type: text/plain; charset=UTF-8`. */
export function headerParam(value: string, param: string): string | undefined {
  const re = new RegExp(`;\\s*${param}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[2] ?? m[1];
}
