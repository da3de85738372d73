import {
  type amba_device,
  type amba_driver,
  amba_driver_register,
  amba_driver_unregister,
  amba_get_drvdata,
  type amba_id,
  amba_set_drvdata,
  declare_module,
  type dev_pm_ops,
  type module,
  type module_declaration,
  type resource,
} from '@rfl/kernel';
import { Arc, type ArcBorrow } from '@rfl/sync';
import { fromResult, type KernelError, toResult } from '@rfl/types';
import { Device, type DeviceRemoval } from './device.js';
import { type Operations, pmOps } from './power.js';

/**
 * One entry of a driver's id table (`define_amba_id_table!`): a device matches when
 * `(periphid & mask) === id`; `data` is what `probe` gets for it.
 */
export interface Id<I> {
  readonly id: number;
  readonly mask: number;
  readonly data?: I;
}

/**
 * The AMBA device being probed (`kernel::amba::Device`), borrowed for the duration of the
 * probe: it gives the driver its resources once each, and a counted {@link Device}
 * reference to keep.
 */
export class AmbaDevice {
  readonly #adev: amba_device;
  #resourceTaken = false;

  /** @internal */
  constructor(adev: amba_device) {
    this.#adev = adev;
  }

  /** The device's name, such as `9030000.pl061`. */
  get name(): string {
    return this.#adev.dev.name;
  }

  /** The peripheral ID the device matched with. */
  get periphid(): number {
    return this.#adev.periphid;
  }

  /**
   * The device's memory window, the first time; `null` afterwards (`take_resource`), so that
   * it is mapped once.
   */
  takeResource(): resource | null {
    if (this.#resourceTaken) return null;
    this.#resourceTaken = true;
    return this.#adev.res;
  }

  /** The `index`th interrupt of the device, or `null`. */
  irq(index: number): number | null {
    const irq = this.#adev.irq[index];
    return irq === undefined || irq === 0 ? null : irq;
  }

  /** A counted reference to the device, to keep in the driver's state. */
  device(): Device {
    return Device.fromRaw(this.#adev.dev);
  }
}

/**
 * An AMBA driver (`kernel::amba::Driver`). `probe` builds the device's state and returns it in
 * an {@link Arc}; the bus keeps that reference while the driver is bound. On unbind the
 * abstraction calls `remove` (if any), then the state's `deviceRemove()` — registrations
 * unregistered, resources revoked — and drops its reference: the state itself lives on while
 * others hold it.
 *
 * @example
 * ```ts
 * import { amba, DeviceData, IoMem } from '@rfl/gpio-pl061';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * import { Arc } from '@rfl/sync';
 * import { amba_device_add, amba_device_alloc, amba_device_unregister, driver_init, sim_mmio_register } from '@rfl/kernel';
 * # import { io_init, resource_init } from '@rfl/kernel';
 * # driver_init(); io_init(); resource_init();
 * sim_mmio_register(0xfe020000, 0x1000, 'fox', { read: () => 0, write: () => {} });
 * const log: string[] = [];
 * type Fox = DeviceData<undefined, IoMem<0x1000>, { name: string }>;
 * const fox: amba.Driver<Fox, string> = {
 *   name: 'fox',
 *   idTable: [{ id: 0x00041fff, mask: 0x000fffff, data: 'fox v1' }],
 *   probe(dev, info) {
 *     log.push(`probe ${dev.name} (${info})`);
 *     const io = IoMem.tryNew(dev.takeResource()!, 0x1000);
 *     return Arc.new(DeviceData.new(undefined, io, { name: dev.name }), GFP_KERNEL);
 *   },
 *   remove(data) {
 *     log.push(`remove ${data.value.general.name}`);
 *   },
 * };
 * const reg = await amba.Registration.new(fox);
 * const adev = amba_device_alloc('fe020000.fox', 0xfe020000, 0x1000);
 * adev.periphid = 0x00141fff;
 * await amba_device_add(adev);
 * await amba_device_unregister(adev);
 * await reg.unregister();
 * log // => ['probe fe020000.fox (fox v1)', 'remove fe020000.fox']
 * ```
 */
export interface Driver<T extends DeviceRemoval, I = unknown> {
  /** The driver's name under `/sys/bus/amba/drivers/`. */
  readonly name: string;
  readonly idTable: readonly Id<I>[];
  /** Binds a device: its state, or a thrown {@link KernelError}. May sleep. */
  probe(dev: AmbaDevice, idInfo: I | undefined): Arc<T> | Promise<Arc<T>>;
  /** Anything to do before the state is removed. May sleep. */
  remove?(data: ArcBorrow<T>): void | Promise<void>;
  /** Power management callbacks. */
  readonly pm?: Operations<T>;
}

/**
 * A driver registered with the AMBA bus (`kernel::amba::Registration`): it probes the devices
 * it matches now and later, and disposing it (`amba_driver_unregister`) unbinds them all.
 */
export class Registration implements Disposable {
  readonly #adrv: amba_driver;
  #registered = true;

  private constructor(adrv: amba_driver) {
    this.#adrv = adrv;
  }

  /** Registers `driver`, owned by `owner` (`THIS_MODULE`) when given. */
  static async new<T extends DeviceRemoval, I>(
    driver: Driver<T, I>,
    owner?: module,
  ): Promise<Registration> {
    const adrv = toAmbaDriver(driver);
    toResult(await amba_driver_register(adrv, owner));
    return new Registration(adrv);
  }

  /** Unregisters the driver, unbinding every device it holds. */
  async unregister(): Promise<void> {
    if (!this.#registered) return;
    this.#registered = false;
    await amba_driver_unregister(this.#adrv);
  }

  /** Starts the unregistration; `await reg.unregister()` to wait for it. */
  [Symbol.dispose](): void {
    void this.unregister();
  }
}

function toAmbaDriver<T extends DeviceRemoval, I>(driver: Driver<T, I>): amba_driver {
  const pm: dev_pm_ops | undefined = driver.pm ? pmOps(driver.pm, dataOf<T>) : undefined;
  return {
    drv: pm ? { name: driver.name, pm } : { name: driver.name },
    id_table: driver.idTable.map((e): amba_id => ({ id: e.id, mask: e.mask, data: e })),
    probe: (adev, id) =>
      fromResult(async () => {
        const entry = id.data as Id<I>;
        const data = await driver.probe(new AmbaDevice(adev), entry.data);
        // SAFETY: drvdata owns this reference until `remove` takes it back, once.
        amba_set_drvdata(adev, data.intoForeign());
      }),
    remove: async (adev) => {
      // SAFETY: set by a successful probe; the bus calls remove once per successful probe.
      using data = Arc.fromForeign<T>(amba_get_drvdata<number>(adev));
      amba_set_drvdata(adev, null);
      if (driver.remove) await driver.remove(data.asArcBorrow());
      await data.value.deviceRemove();
    },
  };
}

/** The state of a bound device, from its `struct device`'s drvdata. */
function dataOf<T>(drvdata: unknown): ArcBorrow<T> {
  // SAFETY: the pm callbacks only run while the driver is bound, when drvdata holds the
  // reference probe stored.
  return Arc.borrow<T>(drvdata as number);
}

/** What a module that only registers an AMBA driver declares (`module_amba_driver!`). */
export interface ModuleInfo<T extends DeviceRemoval, I> {
  readonly name: string;
  readonly author?: string;
  readonly description?: string;
  readonly license?: string;
  readonly driver: Driver<T, I>;
}

/**
 * Declares a module whose init registers `driver` and whose exit unregisters it
 * (`module_amba_driver!`).
 */
export function moduleDriver<T extends DeviceRemoval, I>(
  info: ModuleInfo<T, I>,
): module_declaration {
  let reg: Registration | null = null;
  return declare_module({
    name: info.name,
    ...(info.author !== undefined && { author: info.author }),
    ...(info.description !== undefined && { description: info.description }),
    ...(info.license !== undefined && { license: info.license }),
    path: `kernel/drivers/gpio/${info.name}.ko`,
    init: (_params, mod) =>
      fromResult(async () => {
        reg = await Registration.new(info.driver, mod);
      }),
    async exit() {
      await reg?.unregister();
      reg = null;
    },
  });
}
