// Renders doctest examples as readers should see them: hidden lines (`# ...`) removed and the
// doctest attributes dropped from fence info strings. Runs before typedoc's own Markdown
// parser, so it sees Markdown: the project documents and every comment's code blocks.
import { stripHiddenLines } from '@rfl/doctest';
import { MarkdownEvent } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.on(
    MarkdownEvent.PARSE,
    (event) => {
      event.parsedText = stripHiddenLines(event.parsedText);
    },
    100,
  );
}
