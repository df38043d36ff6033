// Starts the MDL Lab adapter over a toy interpreter (see test/unit/engine/doubles.ts), for
// protocol-level tests that do not depend on the C interpreter.
require('tsx/cjs');
require('./toyAdapterMain.ts');
