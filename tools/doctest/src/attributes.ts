import type { Attributes } from './example.js';

const LANGUAGES = new Set(['ts', 'typescript']);

/**
 * Splits a fence info string into its language and attributes. Attributes may follow the
 * language after spaces or commas (`ts no_run`, `ts,ignore`), and values may be quoted:
 * `should_throw="not a number"`, `name="a long name"`.
 */
export function splitInfo(info: string): { lang: string; words: string[] } {
  const words: string[] = [];
  const re = /([^\s,="]+)(?:=("(?:[^"\\]|\\.)*"|[^\s,]*))?/g;
  for (const m of info.matchAll(re)) words.push(m[0]);
  const [lang = '', ...rest] = words;
  return { lang: lang.toLowerCase(), words: rest };
}

/** True when an info string opens a TypeScript example. */
export function isTypeScriptInfo(info: string): boolean {
  return LANGUAGES.has(splitInfo(info).lang);
}

function unquote(value: string): string {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

/** Parses the attribute words that follow the language in a fence info string. */
export function parseAttributes(words: readonly string[]): Attributes {
  const attrs: Attributes = {
    ignore: false,
    noRun: false,
    shouldThrow: false,
    compileFail: false,
    unknown: [],
  };
  for (const word of words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : unquote(word.slice(eq + 1));
    switch (key) {
      case 'ignore':
        attrs.ignore = true;
        break;
      case 'no_run':
        attrs.noRun = true;
        break;
      case 'should_throw':
        attrs.shouldThrow =
          value === undefined
            ? true
            : word.slice(eq + 1).startsWith('"')
              ? { text: value }
              : { errno: value };
        break;
      case 'compile_fail': {
        const code = value === undefined ? undefined : /^TS(\d+)$/.exec(value)?.[1];
        if (value !== undefined && code === undefined) attrs.unknown.push(word);
        else attrs.compileFail = code === undefined ? true : { code: Number(code) };
        break;
      }
      case 'name':
        if (value) attrs.name = value;
        else attrs.unknown.push(word);
        break;
      default:
        attrs.unknown.push(word);
    }
  }
  return attrs;
}
