import { dev_get_drvdata, type dev_pm_ops, type device } from '@rfl/kernel';
import type { ArcBorrow } from '@rfl/sync';
import { fromResult } from '@rfl/types';

/**
 * Power management callbacks of a driver (`kernel::power::Operations`), given the device's
 * state. `freeze`/`restore` (hibernation) default to `suspend`/`resume`, as the Rust driver
 * does by hand. A thrown `KernelError` becomes the errno the PM core sees.
 */
export interface Operations<T> {
  suspend?(data: ArcBorrow<T>): void | Promise<void>;
  resume?(data: ArcBorrow<T>): void | Promise<void>;
  freeze?(data: ArcBorrow<T>): void | Promise<void>;
  restore?(data: ArcBorrow<T>): void | Promise<void>;
}

type Callback<T> = ((data: ArcBorrow<T>) => void | Promise<void>) | undefined;

/** @internal The `dev_pm_ops` of `ops`, finding the state with `dataOf(drvdata)`. */
export function pmOps<T>(
  ops: Operations<T>,
  dataOf: (drvdata: unknown) => ArcBorrow<T>,
): dev_pm_ops {
  const wrap = (cb: Callback<T>) =>
    cb === undefined
      ? undefined
      : (dev: device) => fromResult(async () => cb.call(ops, dataOf(dev_get_drvdata(dev))));
  const table: Record<string, ((dev: device) => Promise<number>) | undefined> = {
    suspend: wrap(ops.suspend),
    resume: wrap(ops.resume),
    freeze: wrap(ops.freeze ?? ops.suspend),
    restore: wrap(ops.restore ?? ops.resume),
  };
  for (const k of Object.keys(table)) if (table[k] === undefined) delete table[k];
  return table as dev_pm_ops;
}
