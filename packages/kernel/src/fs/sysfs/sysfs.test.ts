import { beforeEach, describe, expect, it } from 'vitest';
import {
  EACCES,
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENODEV,
  ENOENT,
  ENOSPC,
  ENOTDIR,
} from '../../errno.js';
import {
  type kobj_attribute,
  kobject,
  kobject_create_and_add,
  kobject_init_and_add,
  kobject_put,
} from '../../lib/kobject.js';
import { kernel_kobj, sysfs_init } from '../../lib/kobject_roots.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { panic_reset } from '../../panic.js';
import { dmesg, dmesg_clear } from '../../printk.js';
import { sysfs_lookup, sysfs_read, sysfs_readdir, sysfs_readlink, sysfs_write } from './access.js';
import {
  __ATTR,
  __ATTR_RO,
  __ATTR_RW,
  __ATTR_WO,
  sysfs_chmod_file,
  sysfs_create_file,
  sysfs_create_files,
  sysfs_remove_file,
} from './file.js';
import {
  sysfs_create_group,
  sysfs_create_groups,
  sysfs_remove_group,
  sysfs_update_group,
} from './group.js';
import { kernfs_file_show, type kernfs_node } from './kernfs.js';
import { sysfs_create_link, sysfs_create_link_nowarn, sysfs_remove_link } from './symlink.js';

function log_lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

let den: kobject;

beforeEach(() => {
  sysfs_init();
  dmesg_clear();
  panic_reset();
  den = kobject_create_and_add('den', kernel_kobj)!;
});

describe('attribute files', () => {
  it('reads with show and writes with store, returning what store returns', () => {
    let value = 'vixen';
    const seen: string[] = [];
    const name = __ATTR_RW(
      'name',
      () => `${value}\n`,
      (_k, _a, buf) => {
        seen.push(buf);
        value = buf.trim();
        return buf.length;
      },
    );
    expect(sysfs_create_file(den, name)).toBe(0);
    expect(sysfs_read('/sys/kernel/den/name')).toBe('vixen\n');
    expect(sysfs_write('kernel/den/name', 'tod\n')).toBe(4);
    expect(sysfs_read('/sys/kernel/den/name')).toBe('tod\n');
    expect(sysfs_write('/sys/kernel/den/name', '')).toBe(0);
    expect(seen).toEqual(['tod\n']);
  });

  it('passes errnos of show and store through', () => {
    const attr = __ATTR_RW(
      'broken',
      () => -ENODEV,
      () => -ENOSPC,
    );
    sysfs_create_file(den, attr);
    expect(sysfs_read('/sys/kernel/den/broken')).toBe(-ENODEV);
    expect(sysfs_write('/sys/kernel/den/broken', '1')).toBe(-ENOSPC);
  });

  it('honours the mode: -EACCES without the bit, -EIO without the method', () => {
    sysfs_create_file(
      den,
      __ATTR_RO('ro', () => 'r\n'),
    );
    sysfs_create_file(
      den,
      __ATTR_WO('wo', (_k, _a, b) => b.length),
    );
    sysfs_create_file(
      den,
      __ATTR('noshow', 0o644, null, (_k, _a, b) => b.length),
    );
    sysfs_create_file(
      den,
      __ATTR('nostore', 0o644, () => 'x\n', null),
    );
    expect(sysfs_write('/sys/kernel/den/ro', '1')).toBe(-EACCES);
    expect(sysfs_read('/sys/kernel/den/wo')).toBe(-EACCES);
    expect(sysfs_write('/sys/kernel/den/wo', '12')).toBe(2);
    expect(sysfs_read('/sys/kernel/den/noshow')).toBe(-EIO);
    expect(sysfs_write('/sys/kernel/den/nostore', '1')).toBe(-EIO);
    expect(sysfs_chmod_file(den, { name: 'ro', mode: 0 }, 0o644)).toBe(0);
    expect(sysfs_write('/sys/kernel/den/ro', '1')).toBe(-EIO);
    expect(sysfs_chmod_file(den, { name: 'none', mode: 0 }, 0o644)).toBe(-ENOENT);
  });

  it('truncates a show of PAGE_SIZE bytes or more and says so', () => {
    function big_show(): string {
      return 'x'.repeat(PAGE_SIZE + 10);
    }
    sysfs_create_file(den, __ATTR_RO('big', big_show));
    const text = sysfs_read('/sys/kernel/den/big');
    expect(text).toBe('x'.repeat(PAGE_SIZE - 1));
    expect(log_lines()).toContain('fill_read_buffer: show returned bad count');
  });

  it('passes at most PAGE_SIZE bytes of a write to store', () => {
    let got = 0;
    sysfs_create_file(
      den,
      __ATTR_WO('sink', (_k, _a, b) => {
        got = b.length;
        return b.length;
      }),
    );
    expect(sysfs_write('/sys/kernel/den/sink', 'y'.repeat(PAGE_SIZE * 2))).toBe(PAGE_SIZE);
    expect(got).toBe(PAGE_SIZE);
  });

  it('fails duplicates with -EEXIST and a warning; removal makes the file go', () => {
    const a = __ATTR_RO('a', () => 'a\n');
    expect(sysfs_create_file(den, a)).toBe(0);
    expect(sysfs_create_file(den, a)).toBe(-EEXIST);
    expect(log_lines()).toContain("sysfs: cannot create duplicate filename '/kernel/den/a'");
    const kn = sysfs_lookup('/sys/kernel/den/a') as kernfs_node;
    sysfs_remove_file(den, a);
    expect(sysfs_read('/sys/kernel/den/a')).toBe(-ENOENT);
    expect(kernfs_file_show(kn)).toBe(-ENODEV);
  });

  it('creates several files or none', () => {
    const a = __ATTR_RO('a', () => 'a\n');
    const b = __ATTR_RO('b', () => 'b\n');
    sysfs_create_file(den, b);
    expect(sysfs_create_files(den, [a, b])).toBe(-EEXIST);
    expect(sysfs_readdir('/sys/kernel/den')).toEqual(['b']);
  });

  it('reports directories, missing files and missing sysfs_ops', () => {
    expect(sysfs_read('/sys/kernel/den')).toBe(-EISDIR);
    expect(sysfs_write('/sys/kernel', '1')).toBe(-EISDIR);
    expect(sysfs_read('/sys/kernel/den/nope')).toBe(-ENOENT);
    expect(sysfs_readdir('/sys/kernel/uevent_seqnum')).toBe(-ENOTDIR);
    expect(sysfs_read('/sys/kernel/uevent_seqnum/x')).toBe(-ENOTDIR);
    const bare = new kobject();
    kobject_init_and_add(bare, { release: () => {} }, kernel_kobj, 'bare');
    expect(
      sysfs_create_file(
        bare,
        __ATTR_RO('x', () => ''),
      ),
    ).toBe(-EINVAL);
    expect(log_lines()).toContain('missing sysfs attribute operations for kobject: bare');
    const unadded = new kobject();
    expect(
      sysfs_create_file(
        unadded,
        __ATTR_RO('x', () => ''),
      ),
    ).toBe(-EINVAL);
  });

  it('creates the default groups of a ktype with the directory', () => {
    const k = new kobject();
    const color: kobj_attribute = __ATTR_RO('color', () => 'red\n');
    const ktype = {
      release: () => {},
      sysfs_ops: {
        show: (kobj: kobject, attr: { name: string }) => `${kobj.name}:${attr.name}\n`,
      },
      default_groups: [{ attrs: [color] }],
    };
    expect(kobject_init_and_add(k, ktype, kernel_kobj, 'typed')).toBe(0);
    expect(sysfs_read('/sys/kernel/typed/color')).toBe('typed:color\n');
    expect(sysfs_write('/sys/kernel/typed/color', '1')).toBe(-EACCES);
    kobject_put(k);
  });
});

describe('attribute groups', () => {
  const kits = __ATTR_RO('kits', () => '4\n');
  const adults = __ATTR_RW(
    'adults',
    () => '2\n',
    (_k, _a, b) => b.length,
  );

  it('puts a named group in a subdirectory and removes it whole', () => {
    const grp = { name: 'stats', attrs: [kits, adults] };
    expect(sysfs_create_group(den, grp)).toBe(0);
    expect(sysfs_readdir('/sys/kernel/den/stats')).toEqual(['adults', 'kits']);
    expect(sysfs_read('/sys/kernel/den/stats/kits')).toBe('4\n');
    expect(sysfs_create_group(den, grp)).toBe(-EEXIST);
    sysfs_remove_group(den, grp);
    expect(sysfs_readdir('/sys/kernel/den')).toEqual([]);
    sysfs_remove_group(den, grp);
    expect(log_lines()).toContain("sysfs group 'stats' not found for kobject 'den'");
  });

  it('asks is_visible for each attribute and masks invalid permissions', () => {
    let show_adults = false;
    const grp = {
      attrs: [kits, adults],
      is_visible: (_k: kobject, attr: { name: string; mode: number }) =>
        attr.name === 'adults' && !show_adults ? 0 : attr.mode | 0o002,
    };
    expect(sysfs_create_group(den, grp)).toBe(0);
    expect(sysfs_readdir('/sys/kernel/den')).toEqual(['kits']);
    expect(log_lines()).toContain('Attribute kits: Invalid permissions 0446');
    expect((sysfs_lookup('/sys/kernel/den/kits') as kernfs_node).mode).toBe(0o444);
    show_adults = true;
    expect(sysfs_update_group(den, grp)).toBe(0);
    expect(sysfs_readdir('/sys/kernel/den')).toEqual(['adults', 'kits']);
    expect(sysfs_update_group(den, { name: 'nope', attrs: [] })).toBe(-EINVAL);
    expect(log_lines()).toContain("Can't update unknown attr grp name: den/nope");
  });

  it('creates all groups or none', () => {
    const g1 = { name: 'g1', attrs: [kits] };
    const g2 = { attrs: [kits, kits] };
    expect(sysfs_create_groups(den, [g1, g2])).toBe(-EEXIST);
    expect(sysfs_readdir('/sys/kernel/den')).toEqual([]);
  });
});

describe('symlinks', () => {
  it('link to a kobject directory with a relative path that follows it', () => {
    const a = kobject_create_and_add('a', den)!;
    sysfs_create_file(
      a,
      __ATTR_RO('v', () => 'v\n'),
    );
    const other = kobject_create_and_add('other', null)!;
    expect(sysfs_create_link(other, a, 'to_a')).toBe(0);
    expect(sysfs_readlink('/sys/other/to_a')).toBe('../kernel/den/a');
    expect(sysfs_read('/sys/other/to_a/v')).toBe('v\n');
    expect(sysfs_create_link(null, a, 'top_a')).toBe(0);
    expect(sysfs_readlink('/sys/top_a')).toBe('kernel/den/a');
    expect(sysfs_readlink('/sys/kernel')).toBe(-EINVAL);
    expect(sysfs_create_link(other, a, 'to_a')).toBe(-EEXIST);
    expect(log_lines()).toContain("sysfs: cannot create duplicate filename '/other/to_a'");
    dmesg_clear();
    expect(sysfs_create_link_nowarn(other, a, 'to_a')).toBe(-EEXIST);
    expect(dmesg()).toBe('');
    sysfs_remove_link(other, 'to_a');
    expect(sysfs_readlink('/sys/other/to_a')).toBe(-ENOENT);
    const unadded = new kobject();
    expect(sysfs_create_link(other, unadded, 'x')).toBe(-ENOENT);
  });
});
