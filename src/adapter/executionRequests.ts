// Execution requests: continue, steps, pause, step back, reverse continue and goto-step. Each answers
// at once; the stop arrives later as a `stopped` event from the engine.
import type { DebugEngine } from '../engine/engine';
import type { RunResult, StopEvent } from '../engine/events';

export type ExecutionCommand = 'continue' | 'next' | 'stepIn' | 'stepOut' | 'stepBack' | 'reverseContinue';

/** Throws an Error saying why the motion cannot start now. */
export function checkMotion(engine: DebugEngine, command: ExecutionCommand): void {
  if (engine.state === 'running') throw new Error('the scenario is already running');
  if (engine.state === 'ended') throw new Error('the run has ended');
  if (engine.state === 'unloaded') throw new Error('no scenario is loaded');
  if (engine.state === 'ready') throw new Error('the scenario has not started yet (configurationDone first)');
  if ((command === 'stepBack' || command === 'reverseContinue') && !engine.canTimeTravel) throw new Error('time travel is off for this run');
}

/** Starts the motion; failures surface as output, not a dead adapter. */
export function startMotion(engine: DebugEngine, command: ExecutionCommand, onFailure: (e: Error) => void): void {
  checkMotion(engine, command);
  let p: Promise<StopEvent | RunResult>;
  switch (command) {
    case 'continue':
      p = engine.continue();
      break;
    case 'next':
      p = engine.stepOver();
      break;
    case 'stepIn':
      p = engine.stepIn();
      break;
    case 'stepOut':
      p = engine.stepOut();
      break;
    case 'stepBack':
      p = engine.stepBack();
      break;
    case 'reverseContinue':
      p = engine.reverseContinue();
      break;
  }
  p.catch(onFailure);
}
