// The editor's knowledge of the emulated routines, read from the emulator's routine table — the
// same table the interpreter binds calls to — so hovers and completion never disagree with behaviour.
import { createKernel, MDL_FLAGS, type MdlFlagInfo, type RoutineDoc } from '../../emulator';

let routines: Map<string, RoutineDoc> | undefined;

/** Every emulated routine's documentation, by name. */
export function routineDocs(): Map<string, RoutineDoc> {
  if (routines) return routines;
  // A small kernel is enough: the table is the same whatever the memory size.
  const k = createKernel({ physicalMemory: 16 * 1024 * 1024 });
  routines = new Map();
  for (const name of k.routineNames()) {
    const r = k.routine(name);
    if (!r) continue;
    const { impl: _impl, ...doc } = r;
    routines.set(name, doc);
  }
  return routines;
}

export function routineDoc(name: string): RoutineDoc | undefined {
  return routineDocs().get(name);
}

const flagsByName = new Map<string, MdlFlagInfo>();
for (const f of MDL_FLAGS) {
  flagsByName.set(f.name, f);
  if (f.alias) flagsByName.set(f.alias, f);
}

/** The MDL_* flag called `name` with its one-line explanation. */
export function mdlFlag(name: string): MdlFlagInfo | undefined {
  return flagsByName.get(name);
}
