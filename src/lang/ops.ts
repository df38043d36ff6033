// Instruction codes of the lowered form (lower.ts), shared by the machine and the code generator.
export const OP_EXEC = 0, OP_JMP = 1, OP_JF = 2, OP_JT = 3, OP_CALL = 4, OP_RET = 5, OP_SWITCH = 6, OP_TRY = 7, OP_TRYEND = 8,
  OP_FINEND = 9, OP_XJMP = 10, OP_NOP = 11,
  /** OP_EXEC whose next instruction is a plain jump (a loop's step and back edge): runs, then jumps. */
  OP_EXECJ = 12;
