import type { Code, Heading, Nodes, Root } from 'mdast';
import { toString as mdastToString } from 'mdast-util-to-string';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { isTypeScriptInfo, parseAttributes, splitInfo } from './attributes.js';
import type { Example } from './example.js';

const parser = unified().use(remarkParse);

/** Parses a Markdown document into its mdast. */
function parseMarkdown(text: string): Root {
  return parser.parse(text);
}

/** Visits the fences of a tree in document order with the nearest heading above each. */
function* codeBlocks(tree: Root): Generator<{ code: Code; heading: string }> {
  let heading = '';
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'heading') heading = mdastToString(node as Heading);
    if (node.type === 'code') yield { code: node, heading };
    if ('children' in node) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
    }
  }
}

/**
 * Extracts the TypeScript examples of a Markdown document. Positions come from the mdast:
 * a fence at line N holds code from line N + 1.
 */
export function extractMarkdown(file: string, path: string, text: string): Example[] {
  const examples: Example[] = [];
  for (const { code, heading } of codeBlocks(parseMarkdown(text))) {
    const info = [code.lang, code.meta].filter(Boolean).join(' ');
    if (!isTypeScriptInfo(info) || !code.position) continue;
    const { line, column } = code.position.start;
    const lines = code.value === '' ? [] : code.value.split('\n');
    examples.push({
      file,
      path,
      source: 'markdown',
      item: heading || path,
      line,
      column: column - 1,
      index: examples.length,
      attributes: parseAttributes(splitInfo(info).words),
      lines: lines.map((t, i) => ({ text: t, line: line + 1 + i, column: column - 1 })),
    });
  }
  return examples;
}
