/** Identities and dates as git writes them in commit headers. */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const crud = (c: number): boolean =>
  c <= 32 ||
  c === 0x2e ||
  c === 0x2c ||
  c === 0x3a ||
  c === 0x3b ||
  c === 0x3c ||
  c === 0x3e ||
  c === 0x22 ||
  c === 0x5c ||
  c === 0x27;

/** Trims the characters git calls "crud" from both ends and drops `<`, `>` and newlines. */
export function withoutCrud(s: string): string {
  const b = Buffer.from(s, 'utf8');
  let start = 0;
  let end = b.length;
  while (start < end && crud(b[start]!)) start++;
  while (end > start && crud(b[end - 1]!)) end--;
  return b
    .subarray(start, end)
    .toString('utf8')
    .replace(/[<>\n]/g, '');
}

/**
 * Parses an RFC 2822 date (or git's `@<seconds> <tz>` / `<seconds> <tz>` form) into git's
 * `<seconds> <±hhmm>`. Returns undefined when the text holds no recognisable date.
 *
 * @example
 * ```ts
 * import { parseMailDate } from '@rfl/patch';
 * parseMailDate('Tue, 3 Mar 2026 14:05:09 +0100') // => '1772543109 +0100'
 * ```
 */
export function parseMailDate(text: string): string | undefined {
  const raw = /^@?(\d{9,11}) ([+-]\d{4})$/.exec(text.trim());
  if (raw) return `${raw[1]} ${raw[2]}`;
  const m =
    /(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d{2}):?(\d{2})|(UT|UTC|GMT|Z))?/.exec(
      text,
    );
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month < 0) return undefined;
  let year = Number(m[3]);
  if (year < 100) year += year < 70 ? 2000 : 1900;
  const sign = m[7] === '-' ? -1 : 1;
  const tzMinutes = m[7] ? sign * (Number(m[8]) * 60 + Number(m[9])) : 0;
  const utc = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  const seconds = Math.floor(utc / 1000) - tzMinutes * 60;
  const tz = m[7] ? `${m[7]}${m[8]}${m[9]}` : '+0000';
  return `${seconds} ${tz}`;
}

/** Formats `Name <email> <seconds> <tz>` with git's crud rules. */
export function formatIdent(name: string, email: string, date: string): string {
  return `${withoutCrud(name)} <${withoutCrud(email)}> ${date}`;
}

/** Splits `Name <email> 123 +0000` into its parts. */
export function splitIdent(ident: string): { name: string; email: string; date: string } {
  const m = /^(.*?) ?<([^>]*)> ?(.*)$/.exec(ident.trim());
  if (!m) return { name: ident, email: '', date: '' };
  return { name: m[1]!, email: m[2]!, date: m[3]! };
}

/** Formats git's `<seconds> <tz>` as an RFC 2822 date (`Tue, 3 Mar 2026 14:05:09 +0100`). */
export function formatMailDate(date: string): string {
  const [secs, tz = '+0000'] = date.split(' ');
  const sign = tz[0] === '-' ? -1 : 1;
  const offset = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const d = new Date((Number(secs) + offset * 60) * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mon = MONTHS[d.getUTCMonth()]!;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${mon[0]!.toUpperCase()}${mon.slice(1)} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${tz}`;
}
