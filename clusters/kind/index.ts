/**
 * @module clusters/kind
 * Placeholder until the kind provider lands: every call says so.
 */
import { MeshbenchError } from '../../core/errors.ts';
import type { ClusterProvider } from '../cluster.ts';

const notYet = (): never => {
  throw new MeshbenchError('E_UNSUPPORTED', 'the kind provider is not built yet');
};

export const kindProvider: ClusterProvider = {
  name: 'kind',
  up: notYet,
  connect: notYet,
  down: notYet,
  list: notYet,
};
