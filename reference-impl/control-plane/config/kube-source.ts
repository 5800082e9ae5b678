/**
 * @module reference-impl/control-plane/config/kube-source
 * Config source (b): a live Kubernetes API through @kubernetes/client-node informers (list + watch
 * per kind). Items of a list carry no kind/apiVersion, so `fromApiObject` restores them before the
 * object goes through the same validation as file manifests. A kind whose CRD is not installed is
 * retried in the background.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../../core/logger.ts';
import type { ConfigStore } from './config-store.ts';
import { KIND_INFO } from './kinds.ts';
import { KINDS, type Kind } from './objects.ts';

/** The object as the config store takes it: kind and apiVersion set, server-only metadata dropped. */
export function fromApiObject(kind: Kind, raw: k8s.KubernetesObject): Record<string, unknown> {
  const info = KIND_INFO[kind];
  const { metadata, ...rest } = raw as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const { managedFields: _m, ...meta } = metadata ?? {};
  return {
    ...rest,
    apiVersion:
      (raw.apiVersion as string | undefined) ?? (info.group ? `${info.group}/${info.version}` : info.version),
    kind,
    metadata: meta,
  };
}

/** API path of a kind's collection (all namespaces). */
export function collectionPath(kind: Kind): string {
  const i = KIND_INFO[kind];
  return i.group ? `/apis/${i.group}/${i.version}/${i.plural}` : `/api/${i.version}/${i.plural}`;
}

/** Starts one informer per kind; resolves once the initial lists were attempted. */
export async function startKubeSource(options: {
  kubeconfig: string;
  store: ConfigStore;
  logger: Logger;
}): Promise<{ stop(): void }> {
  const { store, logger } = options;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informers: k8s.Informer<k8s.KubernetesObject>[] = [];
  let stopped = false;
  const list = (kind: Kind) => async (): Promise<k8s.KubernetesListObject<k8s.KubernetesObject>> => {
    const i = KIND_INFO[kind];
    if (!i.group) {
      switch (kind) {
        case 'Namespace':
          return core.listNamespace() as never;
        case 'Pod':
          return core.listPodForAllNamespaces() as never;
        case 'Service':
          return core.listServiceForAllNamespaces() as never;
        default:
          return core.listServiceAccountForAllNamespaces() as never;
      }
    }
    return custom.listClusterCustomObject({ group: i.group, version: i.version, plural: i.plural }) as never;
  };
  await Promise.all(
    KINDS.map(async (kind) => {
      const inf = k8s.makeInformer(kc, collectionPath(kind), list(kind));
      const upsert = (o: k8s.KubernetesObject) =>
        store.apply(fromApiObject(kind, o), { file: `k8s:${kind}` });
      inf.on('add', upsert);
      inf.on('update', upsert);
      inf.on('delete', (o) => store.remove(kind, o.metadata?.namespace, o.metadata?.name ?? ''));
      inf.on('error', (err) => {
        logger.warn('kube: informer error; retrying in 5 s', { kind, error: String(err) });
        setTimeout(() => {
          if (!stopped) inf.start().catch(() => undefined);
        }, 5000).unref();
      });
      informers.push(inf);
      try {
        await inf.start();
      } catch (err) {
        logger.warn('kube: cannot list kind (CRD missing?)', { kind, error: String(err) });
      }
    }),
  );
  return {
    stop() {
      stopped = true;
      for (const i of informers) void i.stop();
    },
  };
}
