import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as TS from 'typescript';
import type { Example } from './example.js';
import { EQ_HELPER } from './helpers.js';
import { type ExampleModule, mapPosition } from './transform.js';
import ts from './ts.js';

/** A type error, placed in the document that holds the example. */
export interface Diagnostic {
  code: number;
  message: string;
  line: number;
  column: number;
}

const GLOBALS = `declare function ${EQ_HELPER}(actual: unknown, expected: unknown, line: number, column: number): void;\n`;

/** The virtual file name an example is compiled and loaded under. */
export function exampleFileName(example: Example): string {
  return `${example.file}.doctest-${example.index}.ts`;
}

/**
 * The repository's compiler options (from `tsconfig.base.json` at the workspace root), made
 * fit for checking examples: nothing emitted, every file a module so top-level `await` works.
 */
export function compilerOptions(root: string): TS.CompilerOptions {
  const base = join(root, 'tsconfig.base.json');
  let options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
  };
  if (existsSync(base)) {
    const read = ts.readConfigFile(base, ts.sys.readFile);
    options = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, root).options;
  }
  return {
    ...options,
    noEmit: true,
    composite: false,
    incremental: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    tsBuildInfoFile: undefined,
    rootDir: undefined,
    outDir: undefined,
  };
}

interface CachedFile {
  mtimeMs: number;
  sf: TS.SourceFile;
}

/**
 * Type-checks many examples in one program, as rustdoc merges doctests: the compiler's
 * libraries and the packages' declarations are parsed once for all of them. Between runs the
 * previous program is reused, so watch mode re-checks only what changed.
 */
export class BatchChecker {
  readonly #options: TS.CompilerOptions;
  readonly #root: string;
  readonly #diskCache = new Map<string, CachedFile>();
  #program: TS.Program | undefined;

  constructor(root: string) {
    this.#root = root;
    this.#options = compilerOptions(root);
  }

  /** Checks every example and returns its diagnostics, keyed by virtual file name. */
  check(
    entries: ReadonlyArray<{ example: Example; module: ExampleModule }>,
  ): Map<string, Diagnostic[]> {
    const virtual = new Map<
      string,
      { example: Example; module: ExampleModule; sf?: TS.SourceFile }
    >();
    for (const e of entries) {
      if (!e.example.attributes.ignore) virtual.set(exampleFileName(e.example), { ...e });
    }
    const globalsName = join(this.#root, '__rfl_doctest_globals__.d.ts');
    const host = ts.createCompilerHost(this.#options, true);
    const readDisk = host.getSourceFile.bind(host);
    const oldFiles = new Map(this.#program?.getSourceFiles().map((sf) => [sf.fileName, sf]) ?? []);
    host.getSourceFile = (fileName, languageVersion, onError) => {
      const v = virtual.get(fileName);
      if (v) {
        const old = oldFiles.get(fileName);
        v.sf =
          old && old.text === v.module.code
            ? old
            : ts.createSourceFile(fileName, v.module.code, languageVersion, true);
        return v.sf;
      }
      if (fileName === globalsName) {
        return (
          oldFiles.get(fileName) ?? ts.createSourceFile(fileName, GLOBALS, languageVersion, true)
        );
      }
      return this.#readCached(fileName, () => readDisk(fileName, languageVersion, onError));
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (f) => virtual.has(f) || f === globalsName || fileExists(f);
    const program = ts.createProgram({
      rootNames: [globalsName, ...virtual.keys()],
      options: this.#options,
      host,
      ...(this.#program ? { oldProgram: this.#program } : {}),
    });
    this.#program = program;
    const global = program.getOptionsDiagnostics().concat(program.getGlobalDiagnostics());
    const out = new Map<string, Diagnostic[]>();
    for (const [name, { example, module }] of virtual) {
      const sf = program.getSourceFile(name)!;
      const diags = [
        ...global,
        ...program.getSyntacticDiagnostics(sf),
        ...program.getSemanticDiagnostics(sf),
      ];
      out.set(
        name,
        diags.map((d) => {
          const pos =
            d.file === sf && d.start !== undefined
              ? sf.getLineAndCharacterOfPosition(d.start)
              : { line: 0, character: 0 };
          const at =
            d.file === sf
              ? mapPosition(module, pos.line, pos.character)
              : { line: example.line, column: example.column + 1 };
          return {
            code: d.code,
            message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
            ...at,
          };
        }),
      );
    }
    return out;
  }

  /** Declarations and libraries are parsed once and re-read only when they change on disk. */
  #readCached(fileName: string, read: () => TS.SourceFile | undefined): TS.SourceFile | undefined {
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(fileName).mtimeMs;
    } catch {
      return read();
    }
    const cached = this.#diskCache.get(fileName);
    if (cached && cached.mtimeMs === mtimeMs) return cached.sf;
    const sf = read();
    if (sf) this.#diskCache.set(fileName, { mtimeMs, sf });
    return sf;
  }
}
