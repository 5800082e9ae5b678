/**
 * @module clusters/existing/kube-config
 * Loads a kubeconfig (a given file, else `$KUBECONFIG`, else `~/.kube/config`) and selects a
 * context by name; an unknown context is `E_CLUSTER_NOT_FOUND` listing the ones that exist.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';

/** Where to read the kubeconfig: a file, or a ready KubeConfig (tests). */
export type KubeConfigSource = string | KubeConfig | undefined;

/** True when the default loader would find a real kubeconfig (file or in-cluster service account). */
function defaultKubeconfigExists(env: NodeJS.ProcessEnv): boolean {
  const files = env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter(Boolean)
    : [join(homedir(), '.kube', 'config')];
  return files.some((f) => existsSync(f)) || Boolean(env.KUBERNETES_SERVICE_HOST);
}

/**
 * The kubeconfig from `source` (without choosing a context). With no source and no kubeconfig
 * anywhere it is empty, rather than client-node's made-up `loaded-context` on localhost:8080.
 */
export function loadKubeConfig(source: KubeConfigSource, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  if (source instanceof KubeConfig) return source;
  const kc = new KubeConfig();
  if (source) kc.loadFromFile(source);
  else if (defaultKubeconfigExists(env)) kc.loadFromDefault();
  return kc;
}

/** Names of every context in the kubeconfig. */
export function contextNames(kc: KubeConfig): string[] {
  return kc.getContexts().map((c) => c.name);
}

/**
 * A copy of `kc` with `context` current. `current` means the kubeconfig's current context.
 */
export function selectContext(kc: KubeConfig, context: string): KubeConfig {
  const names = contextNames(kc);
  const name = context === 'current' ? kc.getCurrentContext() : context;
  if (!name || !names.includes(name)) {
    throw new MeshbenchError('E_CLUSTER_NOT_FOUND', `no kubeconfig context named "${context}"`, {
      hint: names.length
        ? `use --name with one of: ${names.join(', ')} (or --name current)`
        : 'the kubeconfig has no contexts: set KUBECONFIG or create ~/.kube/config',
    });
  }
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  copy.setCurrentContext(name);
  return copy;
}
