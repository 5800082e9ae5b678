/**
 * @module reference-impl/sidecar/tsx-entry
 * The sidecar through the tsx loader (TypeScript compiled at start): the fallback entry when the
 * local provider could not bundle it (`clusters/local/daemon/sidecar-program.ts`).
 */
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
