// The address space view's range box: WinDbg-style hex with separators, +size or start–end,
// and clear refusals for ranges the page-table walk cannot take.
import assert from 'node:assert/strict';
import { formatVaRange, parseVaRange, shiftVaRange } from '../../media/panel/vaRange';

const ok = (text: string) => {
  const r = parseVaRange(text);
  assert.ok(r.ok, `${text}: ${!r.ok && r.error}`);
  return r.range;
};
const refused = (text: string) => {
  const r = parseVaRange(text);
  assert.equal(r.ok, false, text);
  return (r as { error: string }).error;
};

describe('address space range box', () => {
  it('reads "0x7ff6`1234_0000 +0x20000" as WinDbg would: backticks and underscores are separators', () => {
    assert.deepEqual(ok('0x7ff6`1234_0000 +0x20000'), { start: '0x7ff612340000', length: 0x20000 });
  });

  it('takes start–end with a hyphen, an en dash or two dots, hex without 0x, and rounds out to whole pages', () => {
    assert.deepEqual(ok('1e0`00000000-1e0`00003000'), { start: '0x1e000000000', length: 0x3000 });
    assert.deepEqual(ok('0x1e000000000 – 0x1e000000001'), { start: '0x1e000000000', length: 0x1000 });
    assert.deepEqual(ok('0x1e000000800..0x1e000001001'), { start: '0x1e000000000', length: 0x2000 });
  });

  it('takes decimal sizes with 0n or a k/m/g suffix, and a lone start as 16 pages', () => {
    assert.deepEqual(ok('0x10000 +0n8192'), { start: '0x10000', length: 0x2000 });
    assert.deepEqual(ok('0x10000 +64k'), { start: '0x10000', length: 0x10000 });
    assert.deepEqual(ok('0x10000 +1m'), { start: '0x10000', length: 0x100000 });
    assert.deepEqual(ok('0xffffe000`00000000'), { start: '0xffffe00000000000', length: 0x10000 });
  });

  it('refuses non-canonical starts, ranges leaving user space, empty or backwards ranges and junk, saying why', () => {
    assert.match(refused('0x8000`00000000 +0x1000'), /not canonical/);
    assert.match(refused('0x7fff`fffff000 +0x2000'), /leaves user space/);
    assert.match(refused('0x10000 +0'), /more than 0/);
    assert.match(refused('0x20000-0x10000'), /after the start/);
    assert.match(refused('notepad +4'), /not a hex number/);
    assert.match(refused(''), /Type a start address/);
  });

  it('pages forward and back by the range\'s length without leaving its half, and formats as WinDbg prints addresses', () => {
    const r = { start: '0x10000', length: 0x4000 };
    assert.deepEqual(shiftVaRange(r, 1), { start: '0x14000', length: 0x4000 });
    assert.deepEqual(shiftVaRange(r, -1), { start: '0xc000', length: 0x4000 });
    assert.deepEqual(shiftVaRange({ start: '0x2000', length: 0x4000 }, -1), { start: '0x0', length: 0x4000 });
    assert.equal(formatVaRange({ start: '0x7ff612340000', length: 0x20000 }), '0x00007ff6`12340000 +0x20000');
    assert.deepEqual(ok(formatVaRange({ start: '0x7ff612340000', length: 0x20000 })), { start: '0x7ff612340000', length: 0x20000 });
  });
});
