export type { Attributes, Example, SourceLine } from './example.js';
export { exampleCode, testName } from './example.js';
export { stripHiddenLines } from './render.js';
export { DoctestSession, type Document, extractExamples } from './session.js';
export type { ExampleModule } from './transform.js';
export type { Diagnostic } from './typecheck.js';
