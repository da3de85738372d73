/**
 * Author parsing as `git mailinfo`'s `handle_from`: the token around the first `@` is the
 * address (with or without `<>`), the rest, with quotes and comment parentheses removed,
 * is the name; a name that is empty, too long or contains `@<>` is replaced by the
 * address.
 */

function unquoteQuotedPair(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        out += s[i];
      }
      continue;
    }
    if (c === '(') {
      let depth = 1;
      out += '(';
      for (i++; i < s.length; i++) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < s.length) {
          i++;
          out += s[i];
          continue;
        }
        if (d === '(') depth++;
        if (d === ')' && --depth === 0) break;
        out += d;
      }
      out += ')';
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * Splits a From value into name and email.
 *
 * @example
 * ```ts
 * import { parseAuthor } from '@rfl/patch';
 * parseAuthor('"Doe, Jane" <jane@example.org>') // => { name: 'Doe, Jane', email: 'jane@example.org' }
 * parseAuthor('jane@example.org (Jane Doe)') // => { name: 'Jane Doe', email: 'jane@example.org' }
 * ```
 */
export function parseAuthor(from: string): { name: string; email: string } {
  let f = unquoteQuotedPair(from);
  let at = f.indexOf('@');
  if (at < 0) {
    const name = f.trim();
    return { name, email: '' };
  }
  while (at > 0) {
    const c = f[at - 1]!;
    if (/\s/.test(c)) break;
    if (c === '<') {
      f = `${f.slice(0, at - 1)} ${f.slice(at)}`;
      break;
    }
    at--;
  }
  let el = 0;
  while (at + el < f.length && !/[ \n\t\r\v\f>]/.test(f[at + el]!)) el++;
  const email = f.slice(at, at + el);
  f = f.slice(0, at) + f.slice(at + el + (at + el < f.length ? 1 : 0));
  let name = f.replace(/\s+/g, ' ').trim();
  if (name.startsWith('(') && name.endsWith(')')) name = name.slice(1, -1);
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > 60 || /[@<>]/.test(name)) name = email;
  return { name, email };
}
