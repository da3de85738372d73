/** Commit message cleanup and trailers the way `git am` writes them. */

/**
 * `git stripspace`: trailing whitespace removed from every line, runs of blank lines
 * collapsed to one, blank lines at both ends dropped, a final newline ensured.
 */
export function stripspace(msg: Buffer): Buffer {
  const out: string[] = [];
  let blank = 0;
  for (const raw of msg.toString('latin1').split('\n')) {
    const line = raw.replace(/[ \t\r]+$/, '');
    if (line === '') {
      blank++;
      continue;
    }
    if (blank && out.length) out.push('');
    blank = 0;
    out.push(line);
  }
  return Buffer.from(out.length ? `${out.join('\n')}\n` : '', 'latin1');
}

const TRAILER = /^[A-Za-z0-9-]+\s*:/;
const GIT_TRAILER = /^(Signed-off-by: |\(cherry picked from commit )/;

/** Whether the last paragraph of `msg` is a trailer block, and whether it ends with `sob`. */
function footer(msg: string, sob: string): 'none' | 'other' | 'last' {
  const paragraphs = msg.replace(/\n+$/, '').split(/\n\n+/);
  if (paragraphs.length < 2) return 'none';
  const lines = paragraphs[paragraphs.length - 1]!.split('\n');
  let trailers = 0;
  let recognised = false;
  for (const l of lines) {
    if (GIT_TRAILER.test(l)) recognised = true;
    if (TRAILER.test(l) || GIT_TRAILER.test(l)) trailers++;
    else if (!/^\s/.test(l)) {
      /* a non-trailer line */
    }
  }
  const conforming = trailers === lines.length || (recognised && trailers * 4 >= lines.length);
  if (!conforming) return 'none';
  return lines[lines.length - 1] === sob ? 'last' : 'other';
}

/**
 * Appends `Signed-off-by: <ident>` like `git am --signoff`: after a blank line unless the
 * message already ends in a trailer block, and not at all when it is already the last
 * trailer.
 *
 * @example
 * ```ts
 * import { appendSignoff } from '@rfl/patch';
 * const msg = appendSignoff(Buffer.from('fix: x\n\nBody.\n'), 'A U Thor <a@example.org>');
 * msg.toString().split('\n') // => ['fix: x', '', 'Body.', '', 'Signed-off-by: A U Thor <a@example.org>', '']
 * ```
 */
export function appendSignoff(msg: Buffer, ident: string): Buffer {
  const sob = `Signed-off-by: ${ident}`;
  const text = msg.toString('latin1');
  const has = footer(text, Buffer.from(sob, 'utf8').toString('latin1'));
  if (has === 'last') return msg;
  let sep = '';
  if (has === 'none') {
    if (text.length === 0) sep = '\n\n';
    else if (text.length === 1 || text[text.length - 2] !== '\n') sep = '\n';
  }
  return Buffer.concat([msg, Buffer.from(`${sep}${sob}\n`, 'utf8')]);
}
