import { addSegment, GenMapping, setSourceContent, toEncodedMap } from '@jridgewell/gen-mapping';
import type * as TS from 'typescript';
import type { Example } from './example.js';
import { EQ_HELPER } from './helpers.js';
import ts from './ts.js';

/** A stretch of a generated line that maps to the document with a constant column shift. */
interface Run {
  genStart: number;
  origColumn: number;
}

/** One generated line and where its pieces came from. */
interface GeneratedLine {
  text: string;
  origLine: number;
  runs: Run[];
}

/** An example compiled to a module whose lines map one-to-one onto the document's lines. */
export interface ExampleModule {
  code: string;
  lines: GeneratedLine[];
}

const HIDDEN = /^(\s*)#(?: (.*))?$/;
const ESCAPED_HASH = /^(\s*)##(.*)$/;

/**
 * Removes the hidden-line marker from a line: `# code` runs as `code`, a lone `#` is an
 * empty line, and `##` stands for a literal `#`.
 */
export function unhide(text: string): {
  text: string;
  hidden: boolean;
  removedAt: number;
  removed: number;
} {
  const escaped = ESCAPED_HASH.exec(text);
  if (escaped) {
    const ws = escaped[1]!.length;
    return { text: `${escaped[1]}#${escaped[2]}`, hidden: false, removedAt: ws, removed: 1 };
  }
  const hidden = HIDDEN.exec(text);
  if (hidden) {
    const ws = hidden[1]!.length;
    return {
      text: `${hidden[1]}${hidden[2] ?? ''}`,
      hidden: true,
      removedAt: ws,
      removed: text.length - ws - (hidden[2]?.length ?? 0),
    };
  }
  return { text, hidden: false, removedAt: 0, removed: 0 };
}

/** An `expr // => value` expectation on one line, by column. */
interface Expectation {
  exprStart: number;
  exprEnd: number;
  valueStart: number;
  value: string;
}

const EXPECTED_COMMENT = /^\/\/ => (.+?)\s*$/;

/**
 * Finds the lines whose expression statement is followed by a `// => value` comment on the
 * same line. It asks the parser rather than matching text, so `// =>` inside a string or a
 * template is left alone.
 */
function findExpectations(lines: readonly string[]): Map<number, Expectation> {
  const code = lines.join('\n');
  const found = new Map<number, Expectation>();
  if (!code.includes('// =>')) return found;
  const sf = ts.createSourceFile(
    'example.ts',
    code,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const visit = (node: TS.Node): void => {
    if (ts.isExpressionStatement(node)) {
      const comment = ts.getTrailingCommentRanges(code, node.end)?.[0];
      const text = comment && code.slice(comment.pos, comment.end);
      const m = text ? EXPECTED_COMMENT.exec(text) : null;
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      const exprEnd = sf.getLineAndCharacterOfPosition(node.expression.end);
      if (
        m &&
        comment &&
        start.line === exprEnd.line &&
        sf.getLineAndCharacterOfPosition(comment.pos).line === start.line
      ) {
        const commentColumn = sf.getLineAndCharacterOfPosition(comment.pos).character;
        found.set(start.line, {
          exprStart: start.character,
          exprEnd: exprEnd.character,
          valueStart: commentColumn + 6,
          value: m[1]!,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function generateLine(
  plain: ReturnType<typeof unhide>,
  origLine: number,
  origColumn: number,
  expected: Expectation | undefined,
): GeneratedLine {
  const base: Run[] = [{ genStart: 0, origColumn }];
  if (plain.removed > 0) {
    base.push({
      genStart: plain.removedAt,
      origColumn: origColumn + plain.removedAt + plain.removed,
    });
  }
  if (!expected) return { text: plain.text, origLine, runs: base };
  const shift = (genCol: number): number => {
    let run = base[0]!;
    for (const r of base) if (r.genStart <= genCol) run = r;
    return run.origColumn + (genCol - run.genStart);
  };
  const indent = plain.text.slice(0, expected.exprStart);
  const expr = plain.text.slice(expected.exprStart, expected.exprEnd);
  const head = `${indent}${EQ_HELPER}((`;
  const middle = '), (';
  const tail = `), ${origLine}, ${shift(expected.exprStart)});`;
  return {
    text: head + expr + middle + expected.value + tail,
    origLine,
    runs: [
      { genStart: 0, origColumn: shift(0) },
      { genStart: head.length, origColumn: shift(expected.exprStart) },
      {
        genStart: head.length + expr.length + middle.length,
        origColumn: shift(expected.valueStart),
      },
    ],
  };
}

/**
 * Compiles an example to module code. Generated line i is the example's line i, so a
 * position in generated code maps back to the document by its line and the runs.
 */
export function compileExample(example: Example): ExampleModule {
  const plain = example.lines.map((l) => unhide(l.text));
  const expectations = findExpectations(plain.map((p) => p.text));
  const lines = example.lines.map((l, i) =>
    generateLine(plain[i]!, l.line, l.column, expectations.get(i)),
  );
  return { code: lines.map((l) => l.text).join('\n'), lines };
}

/** Maps a 0-based generated position to the document's 1-based line and column. */
export function mapPosition(
  module: ExampleModule,
  genLine: number,
  genColumn: number,
): { line: number; column: number } {
  const line = module.lines[Math.min(genLine, module.lines.length - 1)];
  if (!line) return { line: 0, column: 1 };
  let run = line.runs[0]!;
  for (const r of line.runs) if (r.genStart <= genColumn) run = r;
  return { line: line.origLine, column: run.origColumn + (genColumn - run.genStart) + 1 };
}

const TOKEN = /[A-Za-z_$][\w$]*|\d[\w.]*|\S/g;

/**
 * A source map from the generated module to the document, with a segment at every token so
 * a stack frame's column lands where the document has it.
 */
export function sourceMap(module: ExampleModule, example: Example, documentText: string) {
  const map = new GenMapping({ file: `${example.file}.doctest-${example.index}.ts` });
  setSourceContent(map, example.file, documentText);
  module.lines.forEach((line, genLine) => {
    for (const m of line.text.matchAll(TOKEN)) {
      const { line: origLine, column } = mapPosition(module, genLine, m.index);
      addSegment(map, genLine, m.index, example.file, origLine - 1, column - 1);
    }
  });
  const encoded = toEncodedMap(map);
  return {
    version: 3 as const,
    file: encoded.file ?? undefined,
    mappings: encoded.mappings,
    names: [...encoded.names],
    sources: encoded.sources.map((s) => s ?? ''),
    sourcesContent: (encoded.sourcesContent ?? []).map((s) => s ?? ''),
  };
}
