/**
 * @module clusters/local/daemon/store
 * The daemon's object store (the apiserver's role): objects by kind/namespace/name with uid,
 * resourceVersion, generation and creation time; label selection; change notification.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, ObjectRef } from '../../cluster.ts';
import { CLUSTER_SCOPED_KINDS } from '../../manifests.ts';

/** `Kind/namespace/name` (namespace empty for cluster-scoped kinds). */
export const keyOf = (ref: { kind: string; namespace?: string | undefined; name: string }) =>
  `${ref.kind}/${CLUSTER_SCOPED_KINDS.has(ref.kind) ? '' : (ref.namespace ?? 'default')}/${ref.name}`;

/** Reads an object's ref (kind, namespace, name) whether given a ref or an object. */
export function refOf(x: ObjectRef | KubeObject): ObjectRef {
  if ('metadata' in x && typeof x.metadata === 'object') {
    const o = x as KubeObject;
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
  }
  return x as ObjectRef;
}

/** True when `labels` carry every `selector` pair. */
export function matches(
  labels: Record<string, string> | undefined,
  selector: Record<string, string> | undefined,
) {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

const specOf = (o: KubeObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });

/** In-memory store with change callbacks. */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private version = 0;
  onChange: (key: string) => void = () => {};

  get(ref: { kind: string; namespace?: string | undefined; name: string }): KubeObject | undefined {
    return this.objects.get(keyOf(ref));
  }

  list(kind?: string, namespace?: string, selector?: Record<string, string>): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.objects.values()) {
      if (kind && o.kind !== kind) continue;
      if (namespace && o.metadata.namespace !== namespace) continue;
      if (!matches(o.metadata.labels, selector)) continue;
      out.push(o);
    }
    return out;
  }

  /**
   * Creates or updates; keeps uid/creation time, bumps generation when the spec changed. An update
   * that changes nothing keeps the stored object and notifies no one (no reconcile, no config write).
   */
  put(obj: KubeObject): KubeObject {
    const key = keyOf({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
    const old = this.objects.get(key);
    const next: KubeObject = structuredClone(obj);
    if (CLUSTER_SCOPED_KINDS.has(next.kind)) delete next.metadata.namespace;
    else next.metadata.namespace ??= 'default';
    next.metadata.uid = old?.metadata.uid ?? randomUUID();
    next.metadata.creationTimestamp = old?.metadata.creationTimestamp ?? new Date().toISOString();
    const changed = !old || specOf(old) !== specOf(next);
    next.metadata.generation = (old?.metadata.generation ?? 0) + (changed ? 1 : 0);
    next.metadata.resourceVersion = old?.metadata.resourceVersion ?? '';
    if (old?.status && next.status === undefined) next.status = old.status;
    if (old && !changed && JSON.stringify(next) === JSON.stringify(old)) return old;
    next.metadata.resourceVersion = String(++this.version);
    this.objects.set(key, next);
    this.onChange(key);
    return next;
  }

  /** Replaces only the status (and optionally spec.nodeName / annotations), without bumping generation. */
  setStatus(key: string, status: unknown, patch?: (o: KubeObject) => void): void {
    const o = this.objects.get(key);
    if (!o) return;
    const before = JSON.stringify([o.status, o.spec, o.metadata.annotations]);
    o.status = status;
    patch?.(o);
    if (JSON.stringify([o.status, o.spec, o.metadata.annotations]) === before) return;
    o.metadata.resourceVersion = String(++this.version);
    this.onChange(key);
  }

  delete(ref: { kind: string; namespace?: string | undefined; name: string }): KubeObject | undefined {
    const key = keyOf(ref);
    const old = this.objects.get(key);
    if (old) {
      this.objects.delete(key);
      this.onChange(key);
    }
    return old;
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  getByKey(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }
}
