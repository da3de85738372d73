import type * as TS from 'typescript';
import { isTypeScriptInfo, parseAttributes, splitInfo } from './attributes.js';
import type { Example, SourceLine } from './example.js';
import ts from './ts.js';

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const COMMENT_PREFIX = /^\s*\*? ?/;

/** The dotted name of a declaration: `ScopeGuard.dismiss`, `Flags.GFP_KERNEL`. */
function itemName(node: TS.Node): string {
  const parts: string[] = [];
  for (let n: TS.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    const name = (n as TS.NamedDeclaration).name;
    if (
      name &&
      (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name))
    ) {
      parts.unshift(name.text);
    } else if (ts.isConstructorDeclaration(n)) {
      parts.unshift('constructor');
    }
  }
  return parts.join('.');
}

/** Splits the text of an `@example` tag into lines without their ` * ` comment prefix. */
function tagLines(sf: TS.SourceFile, tag: TS.JSDocTag): SourceLine[] {
  const start = tag.getStart(sf);
  const first = sf.getLineAndCharacterOfPosition(start).line;
  const last = sf.getLineAndCharacterOfPosition(tag.end).line;
  const out: SourceLine[] = [];
  const starts = sf.getLineStarts();
  for (let l = first + 1; l <= last; l++) {
    const from = starts[l]!;
    const to = l + 1 < starts.length ? starts[l + 1]! : sf.text.length;
    const raw = sf.text.slice(from, to).replace(/\r?\n$/, '');
    if (/^\s*\*\/\s*$/.test(raw)) break;
    const prefix = COMMENT_PREFIX.exec(raw)![0];
    out.push({
      text: raw.slice(prefix.length).replace(/\s*\*\/\s*$/, ''),
      line: l + 1,
      column: prefix.length,
    });
  }
  return out;
}

/**
 * Extracts the fenced examples inside the TSDoc `@example` tags of a TypeScript source file,
 * found with the compiler's own JSDoc parser.
 */
export function extractTsdoc(file: string, path: string, text: string): Example[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const examples: Example[] = [];
  const seen = new Set<number>();
  const visit = (node: TS.Node): void => {
    // A variable statement's comment belongs to its declarations, which carry the name.
    const docs = ts.isVariableStatement(node) ? [] : ts.getJSDocCommentsAndTags(node);
    for (const doc of docs) {
      if (!ts.isJSDoc(doc)) continue;
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'example' || seen.has(tag.pos)) continue;
        seen.add(tag.pos);
        collectFences(tagLines(sf, tag), itemName(node));
      }
    }
    ts.forEachChild(node, visit);
  };
  const collectFences = (lines: SourceLine[], item: string): void => {
    for (let i = 0; i < lines.length; i++) {
      const open = FENCE.exec(lines[i]!.text);
      if (!open || !isTypeScriptInfo(open[3]!.trim())) continue;
      const [, indent = '', marker = ''] = open;
      const body: SourceLine[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        const close = FENCE.exec(l.text);
        if (close && close[2]!.startsWith(marker) && close[3]!.trim() === '') break;
        const strip = Math.min(indent.length, /^\s*/.exec(l.text)![0].length);
        body.push({ text: l.text.slice(strip), line: l.line, column: l.column + strip });
      }
      const fence = lines[i]!;
      examples.push({
        file,
        path,
        source: 'tsdoc',
        item: item || path,
        line: fence.line,
        column: fence.column + indent.length,
        index: examples.length,
        attributes: parseAttributes(splitInfo(open[3]!.trim()).words),
        lines: body,
      });
      i = j;
    }
  };
  visit(sf);
  return examples;
}
