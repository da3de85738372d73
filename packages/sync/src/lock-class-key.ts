import { lock_class_key, lockdep_site_key, stack_capture, stack_frames } from '@rfl/kernel';

/**
 * A lockdep class (`LockClassKey`): every lock initialised with the same key is one class to
 * lockdep, whose ordering rules are learnt per class. {@link LockClassKey.atCallSite} is the
 * static key of a source line (`static_lock_class!()`); {@link LockClassKey.newDynamic} a key
 * of its own, for locks made in a loop that need distinct classes.
 *
 * @example
 * ```ts
 * import { LockClassKey } from '@rfl/sync';
 * const keys = [0, 1].map(() => LockClassKey.atCallSite());
 * keys[0] === keys[1] // => true
 * LockClassKey.newDynamic('a') === LockClassKey.newDynamic('a') // => false
 * ```
 */
export class LockClassKey {
  readonly #raw: lock_class_key;

  private constructor(raw: lock_class_key) {
    this.#raw = raw;
  }

  static readonly #sites = new Map<lock_class_key, LockClassKey>();

  /**
   * The key of the caller's source line: the same line always gives the same key.
   *
   * @example
   * ```ts
   * import { LockClassKey } from '@rfl/sync';
   * const key = LockClassKey.atCallSite();
   * key === LockClassKey.fromSite({ stack: new Error().stack }) // => false
   * ```
   */
  static atCallSite(): LockClassKey {
    return LockClassKey.fromSite(stack_capture(LockClassKey.atCallSite));
  }

  /** @internal */
  static fromSite(site: { readonly stack?: string }): LockClassKey {
    const raw = lockdep_site_key(site);
    let key = LockClassKey.#sites.get(raw);
    if (key === undefined) {
      key = new LockClassKey(raw);
      LockClassKey.#sites.set(raw, key);
    }
    return key;
  }

  /**
   * A new key, distinct from every other (`LockClassKey::new_dynamic`).
   *
   * @example
   * ```ts
   * import { LockClassKey } from '@rfl/sync';
   * LockClassKey.newDynamic('fox_lock').site // => 'fox_lock'
   * ```
   */
  static newDynamic(name: string): LockClassKey {
    return new LockClassKey(new lock_class_key(name));
  }

  /**
   * Where the key was made: `file:line:column` of a static key, the name of a dynamic one.
   *
   * @example
   * ```ts
   * import { LockClassKey } from '@rfl/sync';
   * LockClassKey.newDynamic('k').site // => 'k'
   * ```
   */
  get site(): string {
    return this.#raw.site;
  }

  /**
   * The raw `lock_class_key` for C lock initialisers.
   *
   * @example
   * ```ts
   * import { LockClassKey } from '@rfl/sync';
   * LockClassKey.newDynamic('k').asRaw().site // => 'k'
   * ```
   */
  asRaw(): lock_class_key {
    return this.#raw;
  }
}

/** `file:line` of the first frame of `site`: the default name of a lock, as `new_mutex!` gives. */
export function siteName(site: { readonly stack?: string }): string {
  const f = stack_frames(site)[0];
  return f ? `${f.file}:${f.line}` : '(unknown)';
}
