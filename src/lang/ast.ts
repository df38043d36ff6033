// The typed syntax tree the parser builds and the code generator lowers: every expression already
// carries its C type, with implicit conversions made explicit as casts.
import type { U64 } from '../emulator/contract';
import type { Token } from './tokens';
import type { CType, StructField } from './types';

export interface VarSym {
  kind: 'var';
  name: string;
  type: CType;
  storage: 'local' | 'param' | 'global' | 'static' | 'extern';
  loc: Token;
  /** The address is taken (or the object is an aggregate): it must live in emulated memory. */
  addrTaken: boolean;
  /** Locals: JS slot index, or -1 when in memory. */
  slot: number;
  /** Locals in memory: offset from the frame base. Globals: index into program.globals. */
  offset: number;
  /** Globals and statics: the flattened initializer. */
  init?: InitItem[] | null;
  /** Debugger scope: the range of instructions where this local is visible. */
  pcStart: number;
  pcEnd: number;
  owner?: FuncDef;
  id: number;
}

export interface FuncSym {
  kind: 'func';
  name: string;
  type: Extract<CType, { k: 'func' }>;
  def: FuncDef | null;
  loc: Token;
  isStatic: boolean;
}

export interface TypedefSym { kind: 'typedef'; name: string; type: CType }
export interface EnumConstSym { kind: 'enumc'; name: string; value: number; type: CType }
export type Sym = VarSym | FuncSym | TypedefSym | EnumConstSym;

export interface FuncDef {
  sym: FuncSym;
  params: VarSym[];
  locals: VarSym[]; // params first
  body: Stmt;
  loc: Token;
  endLoc: Token;
  labels: Map<string, Token>;
  /** Variadic functions: offset from the frame base of the spilled variadic arguments (set by lowering). */
  vaOffset?: number;
  /** Functions this body names (calls or addresses), with the first place of each. */
  uses: Map<FuncSym, Token>;
}

export interface InitItem {
  off: number;
  type: CType;
  expr?: Expr;
  bytes?: Uint8Array;
  field?: StructField;
}

export type Expr = { t: CType; loc: Token; call?: boolean } & (
  | { k: 'num'; v: U64 | number }
  | { k: 'str'; bytes: Uint8Array; wide: boolean }
  | { k: 'var'; sym: VarSym }
  | { k: 'fn'; sym: FuncSym }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'padd'; p: Expr; i: Expr; scale: number; sub: boolean }
  | { k: 'pdiff'; l: Expr; r: Expr; scale: number }
  | { k: 'log'; op: '&&' | '||'; l: Expr; r: Expr }
  | { k: 'assign'; op: string; l: Expr; r: Expr; opType: CType; scale: number }
  | { k: 'incdec'; pre: boolean; inc: boolean; l: Expr; scale: number }
  | { k: 'un'; op: '-' | '~' | '!' | '+'; e: Expr }
  | { k: 'cast'; e: Expr }
  | { k: 'addr'; e: Expr }
  | { k: 'deref'; e: Expr }
  | { k: 'member'; e: Expr; f: StructField }
  | { k: 'call'; f: Expr; args: Expr[]; ft: Extract<CType, { k: 'func' }> }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'comma'; a: Expr; b: Expr }
  | { k: 'seh'; what: 'code' | 'info' | 'abnormal' }
  /** The address of the first variadic argument of the enclosing function (va_start). */
  | { k: 'vastart'; def: FuncDef }
  | { k: 'complit'; sym: VarSym; init: InitItem[] }
  | { k: 'tmp'; slot: number }
);

export type Stmt = { loc: Token } & (
  | { k: 'expr'; e: Expr }
  | { k: 'decl'; sym: VarSym; init: InitItem[] | null }
  | { k: 'block'; body: Stmt[]; end: Token }
  | { k: 'if'; c: Expr; a: Stmt; b: Stmt | null }
  | { k: 'while'; c: Expr; body: Stmt }
  | { k: 'do'; body: Stmt; c: Expr }
  | { k: 'for'; init: Stmt | null; c: Expr | null; step: Expr | null; body: Stmt }
  | { k: 'switch'; e: Expr; body: Stmt }
  | { k: 'case'; v: U64 | null; body: Stmt }
  | { k: 'break' }
  | { k: 'continue' }
  | { k: 'return'; e: Expr | null }
  | { k: 'goto'; label: string }
  | { k: 'label'; name: string; body: Stmt }
  | { k: 'try'; body: Stmt; filter: Expr | null; handler: Stmt | null; fin: Stmt | null }
  | { k: 'leave' }
  | { k: 'empty' }
);

export interface Diag {
  file: string;
  line: number;
  col: number;
  length: number;
  severity: 'error' | 'warning' | 'note';
  message: string;
}

export class ParseError extends Error {
  constructor(readonly tok: Token, message: string) {
    super(message);
  }
}

/**
 * The scenario changes something the cached prologue state shares with other parses (it completes a
 * header's struct, defines a function a header's inline code calls, takes the address of a header
 * global): the parse starts over from the first token without the cache.
 */
export class PrologueConflict extends Error {
  constructor() {
    super('the scenario changes a declaration of the cached prologue');
  }
}
