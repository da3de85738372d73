import {
  type module as c_module,
  declare_module,
  type module_declaration,
  type module_param_spec,
  type module_params_of,
} from '@rfl/kernel';
import { fromResult } from '@rfl/types';

/**
 * The module a piece of code belongs to (`kernel::ThisModule`): handed to
 * `Module.init`, passed on to registrations so that the files they create pin the module
 * (an open file keeps `rmmod` from unloading the code it runs), and carrying the module's
 * parameters, typed from its declaration.
 *
 * @example
 * ```ts
 * import { module, type ThisModule } from '@rfl/miscdev';
 * import { kmod_insmod, kmod_rmmod, module_reset } from '@rfl/kernel';
 * # module_reset();
 * let seen = '';
 * module({
 *   type: { init: (m: ThisModule<{ readonly count: number }>) => {
 *     seen = `${m.name} count=${m.params.count}`;
 *     return { [Symbol.dispose]() {} };
 *   } },
 *   name: 'this_module_doc',
 *   license: 'GPL',
 *   params: { count: { type: 'int', default: 1, description: 'How many' } },
 * });
 * const loaded = await kmod_insmod('this_module_doc', ['count=3']);
 * loaded.status // => 0
 * seen // => 'this_module_doc count=3'
 * const removed = await kmod_rmmod(['this_module_doc']);
 * removed.status // => 0
 * ```
 */
export class ThisModule<P = Record<string, never>> {
  readonly #mod: c_module;
  readonly #params: P;

  /** @internal */
  constructor(mod: c_module, params: P) {
    this.#mod = mod;
    this.#params = params;
  }

  /**
   * The module's name, as `lsmod` shows it (`KBUILD_MODNAME`). The class example prints
   * it from `init`.
   *
   * @example
   * ```ts
   * import type { ThisModule } from '@rfl/miscdev';
   * const prefix = (m: ThisModule) => `${m.name}: `;
   * typeof prefix // => 'function'
   * ```
   */
  get name(): string {
    return this.#mod.name;
  }

  /**
   * The module's parameters: each property reads the current value, so a write to
   * `/sys/module/<name>/parameters/<param>` shows. Typed from the declaration's `params`:
   * the class example's `count` is a number.
   *
   * @example
   * ```ts
   * import type { ThisModule } from '@rfl/miscdev';
   * const global = (m: ThisModule<{ readonly global: boolean }>) => m.params.global;
   * typeof global // => 'function'
   * ```
   */
  get params(): P {
    return this.#params;
  }

  /**
   * The C `struct module` (`as_ptr`), for the registrations of this package: it becomes
   * `file_operations.owner`.
   *
   * @internal
   */
  get raw(): c_module {
    return this.#mod;
  }
}

/**
 * A module's state: what `init` returns and the module owns until it is removed. Disposing
 * it is the module's exit (`Drop for` the module type), so it must dispose what it
 * registered — usually by holding the registrations and disposing them in turn.
 *
 * @example
 * ```ts
 * import type { Module } from '@rfl/miscdev';
 * const state: Module = { [Symbol.dispose]() {} };
 * Symbol.dispose in state // => true
 * ```
 */
export type Module = Disposable | AsyncDisposable;

/**
 * The module type (`impl kernel::Module for T`): `init(module)` builds the state, or throws a
 * `KernelError` to fail the load with its errno.
 *
 * @example
 * ```ts
 * import type { ModuleType } from '@rfl/miscdev';
 * const Quiet: ModuleType<Disposable> = { init: () => ({ [Symbol.dispose]() {} }) };
 * typeof Quiet.init // => 'function'
 * ```
 */
export interface ModuleType<M extends Module, P = Record<string, never>> {
  init(module: ThisModule<P>): M | Promise<M>;
}

/**
 * What `module!` takes: the module type, its name, its `.modinfo` and its parameters
 * (the kernel's `module_param` shape: `type`, `default`, `perm`, `description`).
 *
 * @example
 * ```ts
 * import type { ModuleInfo } from '@rfl/miscdev';
 * const info: ModuleInfo<Disposable, {}> = {
 *   type: { init: () => ({ [Symbol.dispose]() {} }) },
 *   name: 'quiet',
 *   license: 'GPL',
 * };
 * info.name // => 'quiet'
 * ```
 */
export interface ModuleInfo<M extends Module, P extends Record<string, module_param_spec>> {
  readonly type: ModuleType<M, module_params_of<P>>;
  /** `KBUILD_MODNAME`: what `insmod`, `lsmod` and `rmmod` call it. */
  readonly name: string;
  readonly authors?: readonly string[];
  readonly description?: string;
  /** `MODULE_LICENSE`; a non-GPL-compatible one taints the kernel with `P` when loaded. */
  readonly license: string;
  readonly alias?: readonly string[];
  readonly params?: P;
}

async function exitModule(state: Module): Promise<void> {
  if (Symbol.asyncDispose in state) await state[Symbol.asyncDispose]();
  else state[Symbol.dispose]();
}

/**
 * Declares a module (`module!`): puts its `.ko` in the module repository, so `insmod
 * <name>` and `modprobe <name>` load it and `modinfo` describes it. Loading runs
 * `type.init` with a {@link ThisModule}; a `KernelError` fails the load with its errno, any
 * other exception is an Oops. Removing the module disposes the state `init` returned.
 *
 * @example
 * ```ts
 * import { module } from '@rfl/miscdev';
 * import { dmesg_clear, dmesg_records, kmod_insmod, kmod_lsmod, kmod_modinfo, kmod_rmmod, module_reset, pr_info } from '@rfl/kernel';
 * # module_reset();
 * # dmesg_clear();
 * class Hello {
 *   static init(): Hello {
 *     pr_info('hello: init\n');
 *     return new Hello();
 *   }
 *   [Symbol.dispose](): void {
 *     pr_info('hello: exit\n');
 *   }
 * }
 * module({ type: Hello, name: 'rust_hello_doc', authors: ['Fox'], description: 'Says hello', license: 'GPL' });
 * kmod_modinfo(['rust_hello_doc']).stdout.includes('description:    Says hello\n') // => true
 * const loaded = await kmod_insmod('rust_hello_doc');
 * loaded.status // => 0
 * kmod_lsmod().stdout.includes('rust_hello_doc') // => true
 * const removed = await kmod_rmmod(['rust_hello_doc']);
 * removed.status // => 0
 * dmesg_records().map((r) => r.text) // => ['hello: init', 'hello: exit']
 * ```
 *
 * A failing `init` fails the load with its errno, and nothing is left loaded:
 * ```ts
 * import { module } from '@rfl/miscdev';
 * import { KernelError } from '@rfl/types';
 * import { ENODEV, kmod_insmod, kmod_lsmod, module_reset } from '@rfl/kernel';
 * # module_reset();
 * module({
 *   type: { init: (): Disposable => { throw new KernelError(ENODEV); } },
 *   name: 'no_device_doc',
 *   license: 'GPL',
 * });
 * const r = await kmod_insmod('no_device_doc');
 * r.stderr // => "insmod: ERROR: could not insert module no_device_doc: No such device\n"
 * kmod_lsmod().stdout.includes('no_device_doc') // => false
 * ```
 */
export function module<
  M extends Module,
  P extends Record<string, module_param_spec> = Record<string, never>,
>(info: ModuleInfo<M, P>): module_declaration<P> {
  let state: M | undefined;
  return declare_module<P>({
    name: info.name,
    ...(info.authors !== undefined && { author: info.authors }),
    ...(info.description !== undefined && { description: info.description }),
    license: info.license,
    ...(info.alias !== undefined && { alias: info.alias }),
    ...(info.params !== undefined && { params: info.params }),
    init: (params, mod) =>
      fromResult(async () => {
        state = await info.type.init(new ThisModule(mod, params));
      }),
    exit: async () => {
      const s = state;
      state = undefined;
      if (s !== undefined) await exitModule(s);
    },
  });
}
