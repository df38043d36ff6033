// The real language and emulator the engine runs scenarios on (tests inject doubles instead).
import { language } from '../lang/index';
import { createKernel } from '../emulator/index';
import type { EngineDeps } from './engine';

export const defaultEngineDeps: EngineDeps = {
  language,
  createKernel: (options) => createKernel(options),
};
