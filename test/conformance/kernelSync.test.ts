// Spin locks and KeBugCheckEx as drivers use them: a spin lock is an IRQL rule (DISPATCH_LEVEL while
// held), and KeBugCheckEx stops the system with the driver's own code and parameters.
import { suite } from './harness';

suite('spin locks and driver-initiated bug checks', [
  { name: 'KeAcquireSpinLock raises to DISPATCH_LEVEL and KeReleaseSpinLock restores the old IRQL', c: 'KSPIN_LOCK lock; KIRQL old; KeInitializeSpinLock(&lock); KeAcquireSpinLock(&lock, &old); DbgPrint("%d %d ", KeGetCurrentIrql(), old); KeReleaseSpinLock(&lock, old); DbgPrint("%d", KeGetCurrentIrql());', out: '2 0 0' },
  { name: 'the lock word is set while held and clear after release', c: 'KSPIN_LOCK lock; KIRQL old; KeInitializeSpinLock(&lock); KeAcquireSpinLock(&lock, &old); DbgPrint("%d", lock != 0); KeReleaseSpinLock(&lock, old); DbgPrint("%d", lock != 0);', out: '10' },
  { name: 'the AtDpcLevel forms take and drop the lock without changing IRQL', c: 'KSPIN_LOCK lock; KIRQL old; KeInitializeSpinLock(&lock); KeRaiseIrql(DISPATCH_LEVEL, &old); KeAcquireSpinLockAtDpcLevel(&lock); KeReleaseSpinLockFromDpcLevel(&lock); DbgPrint("%d", KeGetCurrentIrql()); KeLowerIrql(old);', out: '2' },
  { name: 'STATUS_CONTINUE_COMPLETION is STATUS_SUCCESS, as wdm.h defines it', c: 'DbgPrint("%d", STATUS_CONTINUE_COMPLETION == STATUS_SUCCESS);', out: '1' },
  { name: 'KeBugCheckEx stops with the driver\'s code', c: 'KeBugCheckEx(0xE2, 1, 2, 3, 4);', end: 'bugcheck', bugcheck: 0xe2 },
]);
