/**
 * @module clusters/existing
 * Placeholder until the existing provider lands: every call says so.
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { ClusterProvider } from '../cluster.ts';

const notYet = (): never => {
  throw new MeshbenchError('E_UNSUPPORTED', 'the existing provider is not built yet');
};

export const existingProvider: ClusterProvider = {
  name: 'existing',
  up: notYet,
  connect: notYet,
  down: notYet,
  list: notYet,
};
