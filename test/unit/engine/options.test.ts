// Launch and command-line options: sizes of emulated physical memory and on/off switches.
import { strict as assert } from 'node:assert';
import { parsePhysicalMemory, parseSwitch } from '../../../src/engine/options';
import { dumpMemory } from '../../../src/engine/windbg/memoryDump';
import { parseNumber } from '../../../src/engine/windbg/format';

describe('launch options', () => {
  it('physical memory sizes read as a person writes them', () => {
    assert.equal(parsePhysicalMemory('1g'), 2 ** 30);
    assert.equal(parsePhysicalMemory('4GB'), 4 * 2 ** 30);
    assert.equal(parsePhysicalMemory('512m'), 512 * 2 ** 20);
    assert.equal(parsePhysicalMemory('1.5g'), 1.5 * 2 ** 30);
    assert.equal(parsePhysicalMemory(64 * 2 ** 20), 64 * 2 ** 20);
  });

  it('a size that is not one, or that no machine has, is refused with a sentence', () => {
    assert.throws(() => parsePhysicalMemory('lots'), /not a size such as 512m, 1g or 4g/);
    assert.throws(() => parsePhysicalMemory('1k'), /between 16m and 1t/);
    assert.throws(() => parsePhysicalMemory('2t'), /between 16m and 1t/);
    assert.throws(() => parsePhysicalMemory(-1), /between/);
  });

  it('switches take on/off, true/false, yes/no and 1/0', () => {
    assert.equal(parseSwitch('verifier', 'off'), false);
    assert.equal(parseSwitch('verifier', 'ON'), true);
    assert.equal(parseSwitch('verifier', false), false);
    assert.throws(() => parseSwitch('--verifier', 'maybe'), /--verifier must be on or off/);
  });
});

describe('WinDbg number and dump formatting', () => {
  it('addresses parse in WinDbg forms: backtick halves, bare hex, 0x and 0n decimal', () => {
    assert.equal(parseNumber('ffffe000`00000130'), Number(BigInt.asIntN(64, 0xffffe00000000130n)));
    assert.equal(parseNumber('0x1000'), 0x1000);
    assert.equal(parseNumber('1000'), 0x1000, 'WinDbg reads bare numbers as hex');
    assert.equal(parseNumber('0n4096'), 4096);
    assert.equal(parseNumber('mdl'), null);
  });

  it('db shows sixteen bytes a line with a dash in the middle and the ASCII column', () => {
    const bytes = new Uint8Array(32).map((_, i) => 0x41 + i);
    const lines = dumpMemory(0x1000, 20, 1, (va, len) => bytes.slice(va - 0x1000, va - 0x1000 + len));
    assert.deepEqual(lines, [
      '00000000`00001000  41 42 43 44 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP',
      '00000000`00001010  51 52 53 54                                      QRST',
    ]);
  });

  it('dd and dq read little-endian units; unreadable memory prints question marks', () => {
    const bytes = Uint8Array.from([0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89]);
    assert.deepEqual(dumpMemory(0, 2, 4, () => bytes), ['00000000`00000000  12345678 89abcdef']);
    assert.deepEqual(dumpMemory(0, 1, 8, () => bytes), ['00000000`00000000  89abcdef`12345678']);
    assert.deepEqual(dumpMemory(0, 2, 4, () => null), ['00000000`00000000  ???????? ????????']);
  });
});
