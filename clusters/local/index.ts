/**
 * @module clusters/local
 * Placeholder until the local provider lands: every call says so.
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { ClusterProvider } from '../cluster.ts';

const notYet = (): never => {
  throw new MeshbenchError('E_UNSUPPORTED', 'the local provider is not built yet');
};

export const localProvider: ClusterProvider = {
  name: 'local',
  up: notYet,
  connect: notYet,
  down: notYet,
  list: notYet,
};
