import { beforeEach, describe, expect, it } from 'vitest';
import { mm_init } from '../mm/init.js';
import { dmesg_clear } from '../printk.js';
import { dev_uevent } from './core.js';
import { dev_name } from './device.js';
import { driver_init } from './init.js';
import {
  register_virtio_device,
  register_virtio_driver,
  unregister_virtio_device,
  unregister_virtio_driver,
  VIRTIO_DEV_ANY_ID,
  VIRTIO_ID_BLOCK,
  VIRTIO_ID_GPU,
  VIRTIO_ID_NET,
  virtio_device,
  type virtio_driver,
} from './virtio.js';

beforeEach(() => {
  mm_init({ quiet: true });
  driver_init();
  dmesg_clear();
});

function vdev(device: number, vendor: number): virtio_device {
  const v = new virtio_device({ device, vendor });
  v.dev.release = () => {};
  return v;
}

function recording(name: string, ids: virtio_driver['id_table'], bound: string[]): virtio_driver {
  return {
    driver: { name },
    id_table: ids,
    probe: (v) => {
      bound.push(`${name}<-${dev_name(v.dev)}`);
      return 0;
    },
  };
}

describe('virtio bus', () => {
  it('numbers devices virtio0, virtio1 ... and reuses freed numbers', async () => {
    const a = vdev(VIRTIO_ID_NET, 0x554d4551);
    const b = vdev(VIRTIO_ID_BLOCK, 0x554d4551);
    await register_virtio_device(a);
    await register_virtio_device(b);
    expect([dev_name(a.dev), dev_name(b.dev)]).toEqual(['virtio0', 'virtio1']);
    await unregister_virtio_device(a);
    const c = vdev(VIRTIO_ID_GPU, 0x554d4551);
    await register_virtio_device(c);
    expect(dev_name(c.dev)).toBe('virtio0');
    expect(dev_uevent(c.dev)).toEqual(['MODALIAS=virtio:d00000010v554D4551']);
  });

  it('matches device IDs exactly or by VIRTIO_DEV_ANY_ID, vendors likewise, up to the table end', async () => {
    const bound: string[] = [];
    await register_virtio_driver(
      recording('net', [{ device: VIRTIO_ID_NET, vendor: VIRTIO_DEV_ANY_ID }], bound),
    );
    await register_virtio_driver(
      recording('blk-qemu', [{ device: VIRTIO_ID_BLOCK, vendor: 0x554d4551 }], bound),
    );
    await register_virtio_driver(
      recording(
        'after-end',
        [
          { device: 0, vendor: 0 },
          { device: VIRTIO_ID_GPU, vendor: VIRTIO_DEV_ANY_ID },
        ],
        bound,
      ),
    );
    await register_virtio_device(vdev(VIRTIO_ID_NET, 0x1af4));
    await register_virtio_device(vdev(VIRTIO_ID_BLOCK, 0x1af4));
    await register_virtio_device(vdev(VIRTIO_ID_BLOCK, 0x554d4551));
    await register_virtio_device(vdev(VIRTIO_ID_GPU, 0x554d4551));
    expect(bound).toEqual(['net<-virtio0', 'blk-qemu<-virtio2']);
  });

  it('unregistering the driver calls its remove', async () => {
    const removed: string[] = [];
    const drv: virtio_driver = {
      driver: { name: 'net' },
      id_table: [{ device: VIRTIO_ID_NET, vendor: VIRTIO_DEV_ANY_ID }],
      probe: () => 0,
      remove: (v) => void removed.push(dev_name(v.dev)),
    };
    await register_virtio_driver(drv);
    await register_virtio_device(vdev(VIRTIO_ID_NET, 1));
    await unregister_virtio_driver(drv);
    expect(removed).toEqual(['virtio0']);
  });
});
