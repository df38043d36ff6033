// DbgPrint formatting: printf conversions, Windows size prefixes and strings from emulated memory.
import { strict as assert } from 'node:assert';
import { boot } from './helpers';

function dbg(fmt: string, ...args: (number | bigint | ((lab: ReturnType<typeof boot>) => number))[]): string {
  const lab = boot();
  const vals = args.map((a) => (typeof a === 'function' ? a(lab) : a));
  lab.call('DbgPrint', lab.str(fmt), ...vals);
  return lab.lines.filter((l) => l.kind === 'dbgprint').map((l) => l.text).join('|');
}

describe('DbgPrint', () => {
  it('formats integers with width, precision, flags and sizes', () => {
    assert.equal(dbg('%d %5d %-5d| %05d %+d %u', -3, 42, 7, 9, 1, -1), '-3    42 7    | 00009 +1 4294967295');
    assert.equal(dbg('%x %X %#x %08lx', 255, 255, 255, 0xbeef), 'ff FF 0xff 0000beef');
    assert.equal(dbg('%I64x %llx %Ix %zu %I64d', 0x123456789abn, -1, 0x10, 5, -2), '123456789ab ffffffffffffffff 10 5 -2');
    assert.equal(dbg('%hx %hhx %c%%', 0x12345, 0x1ff, 65), '2345 ff A%');
  });

  it('prints %p as 16 uppercase hex digits', () => {
    assert.equal(dbg('%p', -0x200000000000), 'FFFFE00000000000');
  });

  it('reads %s, %.3s, %S, %ws and %wZ from emulated memory', () => {
    const wide = (s: string) => (lab: ReturnType<typeof boot>) => {
      const va = lab.k.allocateImage(2 * s.length + 2);
      for (let i = 0; i < s.length; i++) lab.k.memory.write16(va + 2 * i, s.charCodeAt(i));
      return va;
    };
    const ustr = (s: string) => (lab: ReturnType<typeof boot>) => {
      const buf = wide(s)(lab);
      const us = lab.k.allocateImage(16, 8);
      lab.k.memory.write16(us, 2 * s.length);
      lab.k.memory.write16(us + 2, 2 * s.length + 2);
      lab.k.memory.write64(us + 8, buf);
      return us;
    };
    const narrow = (s: string) => (lab: ReturnType<typeof boot>) => lab.str(s);
    assert.equal(dbg('[%s] [%.3s] [%S] [%ws] [%wZ]', narrow('abc'), narrow('abcdef'), wide('W1'), wide('W2'), ustr('\\Device\\Lab')), '[abc] [abc] [W1] [W2] [\\Device\\Lab]');
    assert.equal(dbg('%s', 0), '(null)');
  });

  it('splits output into lines', () => {
    assert.equal(dbg('a\nb\n'), 'a|b');
  });
});
