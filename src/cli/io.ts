// Where the CLI's commands write: stdout and stderr in the real program, buffers in tests.
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes of `mdl-lab` (issue 3 and 11's contract). */
export const EXIT = {
  ok: 0,
  expectFailed: 1,
  compileError: 2,
  bugcheck: 3,
  limit: 4,
  internal: 5,
  usage: 64,
} as const;
