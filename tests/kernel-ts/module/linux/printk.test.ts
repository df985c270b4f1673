import { describe, expect, it } from 'vitest';
import { makeLinux } from '../../../../kernel-ts/module/linux/index';
import { vsprintf } from '../../../../kernel-ts/module/linux/printk';
import { linuxEnv } from './helpers';

function setup() {
  const { k, env } = linuxEnv();
  const L = makeLinux(env);
  const n = k.printk.length;
  const since = () => k.printk.all().slice(n).map((r) => [r.level, r.text] as const);
  return { k, L, since };
}

describe('printk', () => {
  it('KERN_* prefixes are "\\x01" + level and set the record level; no prefix is KERN_WARNING (4)', () => {
    const { L, since } = setup();
    expect([L.KERN_EMERG, L.KERN_INFO, L.KERN_DEBUG, L.KERN_CONT, L.KERN_DEFAULT]).toEqual(['\x010', '\x016', '\x017', '\x01c', '']);
    expect(L.printk(L.KERN_ERR + 'bad %d\n', -5)).toBe(7);
    L.printk('plain\n');
    L.pr_info('info %s\n', 'x');
    L.pr_emerg('e\n');
    expect(since()).toEqual([[3, 'bad -5'], [4, 'plain'], [6, 'info x'], [0, 'e']]);
  });

  it('pr_cont continues the open line; a printk without KERN_CONT closes it first', () => {
    const { L, since } = setup();
    L.pr_info('a');
    L.pr_cont('b');
    L.pr_cont('c\n');
    L.pr_info('open');
    L.pr_err('next\n');
    L.pr_info('two\nlines\n');
    expect(since()).toEqual([[6, 'abc'], [6, 'open'], [3, 'next'], [6, 'two'], [6, 'lines']]);
  });

  it('pr_debug prints nothing, as a build without DEBUG', () => {
    const { L, since } = setup();
    expect(L.pr_debug('x %d\n', 1)).toBe(0);
    expect(since()).toEqual([]);
  });

  it('vsprintf formats as lib/vsprintf.c: lengths, widths, flags, bigint and pointers', () => {
    expect(vsprintf('%d %i %u %x %X %o', [-1, 42, -1, 255, 255, 8])).toBe('-1 42 4294967295 ff FF 10');
    expect(vsprintf('%lx %llu %ld', [0xffff888000001000n, -1n, -2n])).toBe('ffff888000001000 18446744073709551615 -2');
    expect(vsprintf('[%5d|%-5d|%05d|%+d|% d|%#x|%#o]', [42, 42, -42, 3, 3, 255, 8])).toBe('[   42|42   |-0042|+3| 3|0xff|010]');
    expect(vsprintf('%hhx %hx %.3d %*d', [0x1ff, 0x1ffff, 7, 4, 9])).toBe('ff ffff 007    9');
    expect(vsprintf('%s|%.2s|%8s|%-4s|%c%c|%%', ['abc', 'abc', 'r', 'l', 65, 'z'])).toBe('abc|ab|       r|l   |Az|%');
    expect(vsprintf('%p %px', [0xffff888000001000n, 0x1000n])).toBe('ffff888000001000 0000000000001000');
    expect(vsprintf('%s', [null])).toBe('(null)');
  });
});
