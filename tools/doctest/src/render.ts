import { isTypeScriptInfo, splitInfo } from './attributes.js';
import { unhide } from './transform.js';

const FENCE = /^(\s*(?:\*\s?)?\s*)(`{3,}|~{3,})(.*)$/;

/**
 * Prepares Markdown for readers: inside TypeScript fences, hidden lines (`# ...`) disappear,
 * `##` becomes `#`, and the doctest attributes leave the info string so a highlighter sees
 * plain `ts`. Works on documents and on TSDoc comment text alike.
 */
export function stripHiddenLines(markdown: string): string {
  const out: string[] = [];
  let fence: { marker: string; indent: number } | undefined;
  for (const line of markdown.split('\n')) {
    const m = FENCE.exec(line);
    if (!fence && m && isTypeScriptInfo(m[3]!.trim())) {
      fence = { marker: m[2]!, indent: m[1]!.length };
      out.push(`${m[1]}${m[2]}${splitInfo(m[3]!.trim()).lang}`);
      continue;
    }
    if (fence) {
      if (m && m[2]!.startsWith(fence.marker) && m[3]!.trim() === '') {
        fence = undefined;
        out.push(line);
        continue;
      }
      const prefix = line.slice(0, fence.indent);
      const { text, hidden } = unhide(line.slice(fence.indent));
      if (!hidden) out.push(prefix + text);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}
