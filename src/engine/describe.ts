// Words for stops and bug checks: DAP reasons, descriptions, and the WinDbg-style bug check line.
import { BugCheck } from '../emulator/contract';
import { toUnsignedBig } from '../emulator/u64';
import type { FrameInfo } from '../lang/contract';
import type { BugCheckInfo, StopEvent } from './events';
import type { PendingStop } from './stopChecks';

/** A bug check thrown by the emulator (also across bundles, where instanceof fails). */
export function isBugCheck(e: unknown): e is BugCheck {
  return e instanceof BugCheck || (typeof e === 'object' && e !== null && (e as BugCheck).name === 'BugCheck' && typeof (e as BugCheck).code === 'number');
}

export function toBugCheckInfo(b: BugCheck, exceptionStatus?: number): BugCheckInfo {
  return { code: b.code, name: b.bugCheckName, params: b.params, explanation: b.explanation, exceptionStatus };
}

/** `0x000000C4` */
export function bugCheckCodeHex(code: number): string {
  return '0x' + (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** WinDbg prints bug check parameters as 0x-prefixed 64-bit hex without leading zeros. */
export function paramHex(p: number | bigint): string {
  return '0x' + toUnsignedBig(p).toString(16).toUpperCase();
}

/** `*** BUGCHECK 0x000000C4 (0x7C, 0xFFFF…, 0x0, 0x0) DRIVER_VERIFIER_DETECTED_VIOLATION` */
export function bugCheckLine(b: BugCheckInfo): string {
  return `*** BUGCHECK ${bugCheckCodeHex(b.code)} (${b.params.map(paramHex).join(', ')}) ${b.name}`;
}

export function formatFrames(frames: FrameInfo[]): string[] {
  return frames.map((f, i) => {
    const where = f.location ? ` [${f.location.file} @ ${f.location.line}]` : '';
    return `  #${i} ${f.function}${where}`;
  });
}

export function describeStop(p: PendingStop, bugcheck?: BugCheckInfo): { reason: StopEvent['reason']; description: string; text?: string } {
  switch (p.kind) {
    case 'entry':
      return { reason: 'entry', description: 'Paused on entry' };
    case 'breakpoint':
      return { reason: 'breakpoint', description: 'Paused on breakpoint' };
    case 'function breakpoint':
      return { reason: 'function breakpoint', description: 'Paused on function breakpoint' };
    case 'data breakpoint':
      return { reason: 'data breakpoint', description: 'Paused on data breakpoint' };
    case 'step':
      return { reason: 'step', description: 'Paused after step' };
    case 'goto':
      return { reason: 'goto', description: 'Paused after time travel' };
    case 'pause':
      return { reason: 'pause', description: 'Paused' };
    case 'LabBreak':
      return { reason: 'breakpoint', description: 'Paused on LabBreak()' };
    case 'verifier':
      return { reason: 'exception', description: 'Driver Verifier report', text: p.text };
    case 'seh-raised':
      return { reason: 'exception', description: 'SEH exception raised', text: p.text };
    case 'bugcheck':
    case 'seh-unhandled': {
      const b = bugcheck!;
      const status = b.exceptionStatus !== undefined ? ` (unhandled exception 0x${(b.exceptionStatus >>> 0).toString(16).toUpperCase().padStart(8, '0')})` : '';
      return { reason: 'exception', description: `Bug check ${bugCheckCodeHex(b.code)} ${b.name}${status}`, text: `${bugCheckLine(b)}\n${b.explanation}` };
    }
  }
}

/** The What of a failed LabExpect from the kernel's output line, whatever prefix it carries. */
export function expectWhat(line: string): string {
  return line
    .replace(/\r?\n$/, '')
    .replace(/^\s*(EXPECT FAILED|LabExpect failed|FAIL(ED)?)\s*([A-Za-z]:)?[^:]*?:\d+:\s*/i, '')
    .replace(/^\s*(EXPECT FAILED|LabExpect failed|FAIL(ED)?)\s*:?\s*/i, '');
}
