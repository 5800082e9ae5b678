/**
 * @module clusters/existing/quantity
 * Kubernetes resource quantities (`250m`, `12345n`, `64Mi`, `1G`) as numbers: CPU in cores,
 * memory in bytes. Pure, tested beside it.
 */
import { MeshbenchError } from '../../core/errors.ts';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a quantity into a plain number (`100m` → 0.1, `1Ki` → 1024). */
export function parseQuantity(text: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]{0,2})$/.exec(text.trim());
  const factor = m ? SUFFIX[m[2]!] : undefined;
  if (!m || factor === undefined) {
    throw new MeshbenchError('E_KUBE_API', `"${text}" is not a Kubernetes quantity`);
  }
  return Number(m[1]) * factor;
}
