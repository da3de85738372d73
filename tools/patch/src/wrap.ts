/**
 * Git's `strbuf_add_wrapped_text` (utf8.c): fills words up to `width` columns. A negative
 * `indent1` means the first line already holds that many columns; continuation lines get
 * `indent2` spaces. Widths count UTF-8 characters.
 */
export function wrapText(text: string, indent1: number, indent2: number, width: number): string {
  let out = '';
  let bol = 0;
  let w = indent1 < 0 ? -indent1 : indent1;
  let indent = indent1;
  let space: number | undefined = indent1 < 0 ? 0 : undefined;
  let i = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\r\v\f]/.test(c);
  for (;;) {
    const c = text[i];
    if (c === undefined || isSpace(c)) {
      if (w <= width || space === undefined) {
        let start = bol;
        if (c === undefined && i === start) return out;
        if (space !== undefined) start = space;
        else out += ' '.repeat(Math.max(0, indent));
        out += text.slice(start, i);
        if (c === undefined) return out;
        space = i;
        if (c === '\t') w |= 7;
        else if (c === '\n') {
          space++;
          if (text[space] === '\n') {
            out += '\n';
            ({ i, bol, space, w, indent } = newLine(space));
            continue;
          }
          if (!/[A-Za-z0-9]/.test(text[space] ?? '')) {
            ({ i, bol, space, w, indent } = newLine(space));
            continue;
          }
          out += ' ';
        }
        w++;
        i++;
      } else {
        ({ i, bol, space, w, indent } = newLine(space));
      }
      continue;
    }
    w++;
    i++;
  }
  function newLine(sp: number): {
    i: number;
    bol: number;
    space: undefined;
    w: number;
    indent: number;
  } {
    out += '\n';
    const next = sp + (isSpace(text[sp]) ? 1 : 0);
    return { i: next, bol: next, space: undefined, w: indent2, indent: indent2 };
  }
}
