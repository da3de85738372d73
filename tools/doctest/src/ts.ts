import { createRequire } from 'node:module';
import type * as TS from 'typescript';

/**
 * The TypeScript compiler, loaded with `require`: it is a CommonJS module of several
 * megabytes, and importing it as ESM makes Node scan all of it for named exports first, on
 * every thread that loads it.
 */
const ts: typeof TS = createRequire(import.meta.url)('typescript');
export default ts;
