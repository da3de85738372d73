/**
 * Word expansion: parameters (`$?`, `$$`, `$0`, `$#`; other names are unset), quote
 * removal and pathname expansion. No field splitting: the only parameters are numbers and
 * names, so an unquoted expansion is split only in that an empty one disappears.
 *
 * @module
 */

import type { Word } from './ast.js';
import { glob, hasGlob, type PatChar } from './glob.js';

/** What expansion needs from the shell and the filesystem. */
export interface ExpandContext {
  /** The value of a parameter, or undefined when it is unset. */
  param(name: string): string | undefined;
  readdir(dir: string): Promise<string[] | undefined>;
  exists(path: string): Promise<boolean>;
}

function patternOf(word: Word, ctx: ExpandContext): { chars: PatChar[]; quotedAny: boolean } {
  const chars: PatChar[] = [];
  let quotedAny = false;
  for (const seg of word) {
    const text = seg.kind === 'lit' ? seg.text : (ctx.param(seg.name) ?? '');
    if (seg.quoted) quotedAny = true;
    for (const ch of text) chars.push({ ch, quoted: seg.quoted || seg.kind === 'param' });
  }
  return { chars, quotedAny };
}

/** Expands a command word into zero or more fields. */
export async function expandWord(word: Word, ctx: ExpandContext): Promise<string[]> {
  const { chars, quotedAny } = patternOf(word, ctx);
  const text = chars.map((c) => c.ch).join('');
  if (text === '' && !quotedAny) return [];
  if (!hasGlob(chars)) return [text];
  const found = await glob(
    chars,
    (d) => ctx.readdir(d),
    (p) => ctx.exists(p),
  );
  return found.length > 0 ? found : [text];
}

/** Expands the target of a redirection: one field, never globbed (POSIX, non-interactive). */
export function expandRedirTarget(word: Word, ctx: ExpandContext): string {
  return patternOf(word, ctx)
    .chars.map((c) => c.ch)
    .join('');
}
