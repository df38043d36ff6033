// The memory manager's state at a stop, as plain JSON: the contract that the MDL panels, the CLI
// and the debugger's Memory Manager scope read. Addresses are `0x`-prefixed lowercase hex strings
// of the unsigned 64-bit value; sizes, counts and PFNs are numbers. Only add fields; never rename.

export type Hex = string;

export type PageState =
  | 'Zeroed'
  | 'Free'
  | 'Standby'
  | 'Modified'
  | 'ModifiedNoWrite'
  | 'Bad'
  | 'Active'
  | 'Transition';

export interface MdlView {
  address: Hex;
  next: Hex;
  size: number;
  flags: number;
  flagNames: string[];
  /** EPROCESS address (0x0 for kernel ranges); may be stale junk when never set, as on Windows. */
  process: Hex;
  processName: string | null;
  mappedSystemVa: Hex;
  startVa: Hex;
  byteCount: number;
  byteOffset: number;
  /** ADDRESS_AND_SIZE_TO_SPAN_PAGES(StartVa + ByteOffset, ByteCount) */
  pageCount: number;
  /** The PFN array as it is in memory (pageCount entries). */
  pfns: number[];
  /** How the MDL came to be: IoAllocateMdl, MmCreateMdl, MmAllocatePagesForMdlEx, I/O manager, paging read… */
  origin: string;
  /** For a partial MDL built by IoBuildPartialMdl: the source MDL. */
  parent: Hex | null;
  /** The IRP whose chain holds this MDL, if any. */
  irp: Hex | null;
  /**
   * Per PFN slot: does the slot still agree with the page tables for that VA in the owning
   * process? false = stale (the VA now maps another frame or none), null = not checkable
   * (system-allocated pages, dummy page, never locked).
   */
  slotMatchesPageTables: (boolean | null)[];
}

export interface FrameMapping {
  /** Image name of the process whose page tables map the frame, or null for system space. */
  process: string | null;
  va: Hex;
  kind: 'user' | 'system';
  valid: boolean;
}

export interface FrameView {
  pfn: number;
  state: PageState;
  shareCount: number;
  referenceCount: number;
  /** Locks taken by MmProbeAndLockPages and friends (part of referenceCount). */
  lockCount: number;
  modified: boolean;
  dummy: boolean;
  mappedBy: FrameMapping[];
}

export interface BugcheckView {
  code: number;
  /** 0x000000C4 */
  codeHex: string;
  name: string;
  params: [Hex, Hex, Hex, Hex];
  explanation: string;
}

export interface ProcessView {
  address: Hex;
  name: string;
  pid: number;
  alive: boolean;
  workingSetPages: number;
  lockedPages: number;
  committedPages: number;
}

export interface IrpView {
  address: Hex;
  majorFunction: string;
  mdlChain: Hex[];
  completed: boolean;
  requestorMode: 'KernelMode' | 'UserMode';
  /** Irp->Flags with the IRP_* names of its bits (IRP_PAGING_IO, IRP_BUFFERED_IO…). */
  flags?: number;
  flagNames?: string[];
  stackCount?: number;
  currentLocation?: number;
  /** IoStatus as the driver set it so far (NTSTATUS name or hex, and Information). */
  status?: string;
  information?: number;
  /** AssociatedIrp.SystemBuffer (buffered I/O) and UserBuffer. */
  systemBuffer?: Hex;
  /** An associated IRP (IoMakeAssociatedIrp): its AssociatedIrp.MasterIrp. */
  master?: Hex;
  /** A master IRP with associated IRPs alive: its AssociatedIrp.IrpCount (associated IRPs still to complete). */
  associatedIrpCount?: number;
  userBuffer?: Hex;
  /** Image name of the process that issued the request, null for IRPs built by drivers or the memory manager. */
  requestor?: string | null;
  /** Stack locations from the first (lowest driver) to the last. */
  stack?: IrpStackView[];
}

export interface IrpStackView {
  majorFunction: string;
  minorFunction: number;
  control: number;
  deviceObject: Hex;
  completionRoutine: Hex;
  context: Hex;
  /** This is Irp->Tail.Overlay.CurrentStackLocation. */
  current: boolean;
}

export interface PoolTagView {
  tag: string;
  poolType: 'NonPaged' | 'Paged';
  allocations: number;
  bytes: number;
}

export interface MmEvent {
  seq: number;
  kind:
    | 'allocate'
    | 'lock'
    | 'map'
    | 'unmap'
    | 'unlock'
    | 'free'
    | 'page-out'
    | 'repage'
    | 'page-in'
    | 'pool'
    | 'irp'
    | 'dma'
    | 'verifier'
    | 'bugcheck'
    | 'process';
  text: string;
  mdl: Hex | null;
  location: { file: string; line: number; function: string } | null;
  /** The interpreter's statement counter when it happened (for time travel). */
  step: number | null;
}

export interface MmSnapshot {
  /** Image name of the current process context. */
  process: string | null;
  irql: number;
  irqlName: string;
  verifier: boolean;
  mdls: MdlView[];
  /** Every PFN that some MDL names, plus the dummy page. */
  frames: FrameView[];
  bugcheck: BugcheckView | null;
  processes: ProcessView[];
  pageLists: Record<PageState, number>;
  physicalPages: number;
  dummyPfn: number;
  systemPtes: { total: number; used: number };
  pool: PoolTagView[];
  irps: IrpView[];
  events: MmEvent[];
}
