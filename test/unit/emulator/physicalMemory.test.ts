// Frame contents: sparse, copy-on-write across checkpoints, and carved 16 to a host allocation
// without one frame's bytes ever showing in another (reference 3.1: a frame is its own 4 KiB).
import { strict as assert } from 'node:assert';
import { PhysicalMemory } from '../../../src/emulator/physicalMemory';
import { boot } from './helpers';

const PAGE = 0x1000;

describe('Physical memory frames', () => {
  it('frames written one after another hold their own bytes, each a zeroed 4 KiB of its own, across many host allocations', () => {
    const phys = new PhysicalMemory(1024);
    for (let pfn = 0; pfn < 100; pfn++) {
      const f = phys.writable(pfn);
      assert.equal(f.length, PAGE);
      assert.ok(f.every((b) => b === 0), `frame ${pfn} starts zeroed`);
      f.fill(pfn + 1);
    }
    for (let pfn = 0; pfn < 100; pfn++) {
      const f = phys.view(pfn);
      assert.ok(f[0] === pfn + 1 && f[PAGE - 1] === pfn + 1, `frame ${pfn} kept its bytes, first to last`);
    }
    assert.equal(phys.touchedFrames(), 100);
  });

  it('a frame freed (zeroed) and written again starts from zeros, while a checkpoint taken before still holds its old bytes', () => {
    const phys = new PhysicalMemory(64);
    for (let pfn = 0; pfn < 20; pfn++) phys.writable(pfn).fill(0xa0 + pfn);
    const saved = phys.save();
    phys.zero(3);
    assert.ok(phys.isZero(3));
    assert.equal(phys.writable(3)[17], 0, 'the frame is zero again for its next use');
    phys.writable(3).fill(0x33);
    phys.writable(4)[0] = 0x44; // copy-on-write: the checkpoint shares frame 4
    phys.restore(saved);
    assert.equal(phys.view(3)[17], 0xa3, 'the checkpoint kept frame 3 as it was');
    assert.equal(phys.view(4)[0], 0xa4, 'and frame 4');
    assert.equal(phys.view(5)[PAGE - 1], 0xa5, 'and its neighbour');
  });

  it('a frame seen as 32-bit words follows the frame: a write after a checkpoint goes to a private copy, a freed frame reads as zero, a restore shows the saved words', () => {
    const phys = new PhysicalMemory(64);
    phys.words(7, true)[3] = 0x11223344;
    assert.equal(phys.view(7)[12], 0x44, 'little-endian words over the same bytes');
    assert.equal(phys.words(7, false), phys.words(7, true), 'the same view while the frame keeps its buffer');
    const saved = phys.save();
    phys.words(7, true)[3] = 0x55; // copy-on-write
    assert.equal(phys.words(7, false)[3], 0x55);
    phys.zero(7);
    assert.equal(phys.words(7, false)[3], 0, 'a zeroed frame reads as zero words');
    phys.restore(saved);
    assert.equal(phys.words(7, false)[3], 0x11223344, 'the checkpoint kept its words');
  });

  it('a page freed by its process and a page allocated later never share bytes: the new page reads as zero (§3.1 zeroed list)', () => {
    const { k, call, user } = boot();
    const a = user(40 * PAGE);
    for (let i = 0; i < 40; i++) k.memory.fill(a + i * PAGE, PAGE, 0x5a);
    call('LabTerminateProcess', call('PsGetCurrentProcess'));
    const p2 = call('LabCreateProcess', 0);
    call('LabEnterProcess', p2);
    const b = call('LabUserAlloc', p2, 40 * PAGE, 4);
    for (let i = 0; i < 40; i++) {
      assert.equal(k.memory.read32(b + i * PAGE + 0x800), 0, `page ${i} of the new buffer reads as zero`);
      k.memory.write8(b + i * PAGE, i);
    }
    for (let i = 0; i < 40; i++) assert.equal(k.memory.read8(b + i * PAGE), i);
  });
});
