import execScript from './exec.sh?raw';
import initScript from './init.sh?raw';
import signalScript from './signal.sh?raw';

/** Scripts baked into every image; inlined into the bundle at build time. */
export const ASSETS = {
  init: initScript,
  exec: execScript,
  signal: signalScript,
} as const;
