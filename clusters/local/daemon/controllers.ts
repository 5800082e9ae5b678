/**
 * @module clusters/local/daemon/controllers
 * Deployment, Job and Endpoints controllers: pure functions from the store's objects (and pod
 * runtime views) to the pods to create or delete and the statuses to write.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject, PodInfo } from '../../cluster.ts';
import { shortHash } from '../naming.ts';
import { matches } from './store.ts';

export const OWNER_ANNOTATION = 'meshbench.io/owner';

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Pods owned by `owner` (`Kind/name`) in `pods`. */
export const ownedBy = (pods: readonly KubeObject[], owner: string) =>
  pods.filter((p) => p.metadata.annotations?.[OWNER_ANNOTATION] === owner);

/** A new pod object from a template. */
export function podFromTemplate(owner: KubeObject, template: Template, hash: string): KubeObject {
  const suffix = randomBytes(3).toString('hex').slice(0, 5);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.metadata.name}-${hash}-${suffix}`,
      namespace: owner.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        ...(owner.kind === 'Deployment' ? { 'pod-template-hash': hash } : {}),
      },
      annotations: {
        ...template.metadata?.annotations,
        [OWNER_ANNOTATION]: `${owner.kind}/${owner.metadata.name}`,
      },
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: structuredClone(template.spec),
  };
}

export interface ControllerResult {
  create: KubeObject[];
  delete: KubeObject[];
  status: unknown;
}

/** The Deployment controller: replicas of the current template, rolling out a changed one. */
export function reconcileDeployment(
  d: KubeObject,
  pods: readonly KubeObject[],
  info: (p: KubeObject) => PodInfo | undefined,
): ControllerResult {
  const spec = d.spec as { replicas?: number; template: Template };
  const replicas = spec.replicas ?? 1;
  const hash = shortHash(JSON.stringify(spec.template)).slice(0, 8);
  const owned = ownedBy(pods, `Deployment/${d.metadata.name}`);
  const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
  const old = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash);
  const isReady = (p: KubeObject) => info(p)?.ready === true;
  const create: KubeObject[] = [];
  const del: KubeObject[] = [];
  for (let i = current.length; i < replicas; i++) create.push(podFromTemplate(d, spec.template, hash));
  if (current.length > replicas) {
    const sorted = [...current].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
    del.push(...sorted.slice(0, current.length - replicas));
  }
  const readyNew = current.filter(isReady).length;
  const keepOld = Math.max(0, replicas - readyNew);
  const oldSorted = [...old].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
  del.push(...oldSorted.slice(0, Math.max(0, old.length - keepOld)));
  const readyAll = owned.filter(isReady).length;
  const available = readyNew >= replicas && old.length === 0;
  return {
    create,
    delete: del,
    status: {
      observedGeneration: d.metadata.generation,
      replicas: owned.length,
      updatedReplicas: Math.min(current.length, replicas),
      readyReplicas: readyAll,
      availableReplicas: readyAll,
      conditions: [
        {
          type: 'Available',
          status: readyAll >= replicas ? 'True' : 'False',
          reason: 'MinimumReplicasAvailable',
        },
        {
          type: 'Progressing',
          status: available ? 'True' : 'Unknown',
          reason: available ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
        },
      ],
    },
  };
}

/** The Job controller: completions, parallelism and backoffLimit. */
export function reconcileJob(
  j: KubeObject,
  pods: readonly KubeObject[],
  info: (p: KubeObject) => PodInfo | undefined,
): ControllerResult {
  const spec = j.spec as {
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    template: Template;
  };
  const completions = spec.completions ?? 1;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  const owned = ownedBy(pods, `Job/${j.metadata.name}`);
  const phases = owned.map((p) => info(p)?.phase ?? 'Pending');
  const succeeded = phases.filter((p) => p === 'Succeeded').length;
  const failed =
    phases.filter((p) => p === 'Failed').length + owned.reduce((a, p) => a + (info(p)?.restarts ?? 0), 0);
  const active = phases.filter((p) => p !== 'Succeeded' && p !== 'Failed').length;
  const complete = succeeded >= completions;
  const failedJob = !complete && failed > backoffLimit;
  const create: KubeObject[] = [];
  if (!complete && !failedJob) {
    const want = Math.min(parallelism, completions - succeeded) - active;
    const hash = shortHash(JSON.stringify(spec.template)).slice(0, 5);
    for (let i = 0; i < want; i++) create.push(podFromTemplate(j, spec.template, hash));
  }
  const now = new Date().toISOString();
  const prev = (j.status ?? {}) as { conditions?: unknown[]; completionTime?: string };
  const conditions = complete
    ? [{ type: 'Complete', status: 'True', lastTransitionTime: now }]
    : failedJob
      ? [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: now }]
      : [];
  return {
    create,
    delete: failedJob ? owned.filter((_, i) => phases[i] !== 'Succeeded' && phases[i] !== 'Failed') : [],
    status: {
      active,
      succeeded,
      failed,
      conditions: prev.conditions?.length ? prev.conditions : conditions,
      ...(complete ? { completionTime: prev.completionTime ?? now } : {}),
    },
  };
}

export interface EndpointAddress {
  ip: string;
  pod: string;
  node: string;
  /** Service port name (or number) → resolved target port. */
  ports: { name?: string; port: number; targetPort: number; protocol: string }[];
}

/** The ready endpoints of a Service. */
export function serviceEndpoints(
  svc: KubeObject,
  pods: readonly KubeObject[],
  info: (p: KubeObject) => PodInfo | undefined,
): EndpointAddress[] {
  const spec = svc.spec as {
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  };
  if (!spec.selector || Object.keys(spec.selector).length === 0) return [];
  const out: EndpointAddress[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !matches(pod.metadata.labels, spec.selector))
      continue;
    const i = info(pod);
    if (!i?.ready || !i.ip) continue;
    const containers =
      (pod.spec as { containers?: { ports?: { name?: string; containerPort: number }[] }[] }).containers ??
      [];
    const named = new Map<string, number>();
    for (const c of containers) for (const p of c.ports ?? []) if (p.name) named.set(p.name, p.containerPort);
    const ports = (spec.ports ?? []).flatMap((p) => {
      const tp = p.targetPort ?? p.port;
      const targetPort = typeof tp === 'number' ? tp : (named.get(tp) ?? Number(tp));
      return Number.isInteger(targetPort) && targetPort > 0
        ? [{ name: p.name, port: p.port, targetPort, protocol: p.protocol ?? 'TCP' }]
        : [];
    });
    out.push({ ip: i.ip, pod: pod.metadata.name, node: i.node, ports });
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip));
}
