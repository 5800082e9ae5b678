/**
 * @module reference-impl/control-plane/config/config-store
 * The one config store both sources (watched directory, Kubernetes API) write into. Every object is
 * validated on the way in; a rejected object is logged with object, field and reason, and the last
 * good version of it stays in force. Cross-object checks (policy naming a missing namespace,
 * conflicting routes) only warn. Listeners hear about every accepted change.
 */
import { describeError, ValidationError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { ControlPlaneMetrics } from '../metrics.ts';
import type { EventLog } from './event-log.ts';
import { IGNORED_KINDS, type Kind, keyOf, type MeshObject, objectKey } from './objects.ts';
import { describeObject, validateObject } from './validate.ts';

export type ConfigListener = (change: { key: string; kind: Kind; origin: number }) => void;

export interface ConfigStoreOptions {
  logger: Logger;
  events: EventLog;
  metrics?: ControlPlaneMetrics;
}

/** Outcome of one apply. */
export type ApplyResult = { ok: true; key: string; changed: boolean } | { ok: false; error: ValidationError };

/** Namespaces a policy's rules name (`from.source.namespaces`, `notNamespaces`). */
function referencedNamespaces(o: MeshObject): string[] {
  if (o.kind !== 'AuthorizationPolicy') return [];
  const out: string[] = [];
  for (const r of o.spec?.rules ?? []) {
    for (const f of r.from ?? [])
      out.push(...(f.source?.namespaces ?? []), ...(f.source?.notNamespaces ?? []));
  }
  return out.filter((n) => !n.includes('*'));
}

/** Creates an empty config store. */
export function createConfigStore(options: ConfigStoreOptions) {
  const { logger, events, metrics } = options;
  const byKind = new Map<Kind, Map<string, MeshObject>>();
  const listeners = new Set<ConfigListener>();
  let revision = 0;

  const table = (kind: Kind) => {
    let t = byKind.get(kind);
    if (!t) {
      t = new Map();
      byKind.set(kind, t);
    }
    return t;
  };
  const notify = (key: string, kind: Kind, origin: number) => {
    revision++;
    for (const l of listeners) l({ key, kind, origin });
  };

  const crossWarnings = (o: MeshObject): string[] => {
    const w: string[] = [];
    const nss = table('Namespace');
    if (nss.size > 0) {
      for (const ns of referencedNamespaces(o)) {
        if (!nss.has(objectKey('Namespace', undefined, ns)))
          w.push(`${describeObject(o)}: references namespace "${ns}", which does not exist`);
      }
    }
    if (o.kind === 'VirtualService') {
      for (const other of table('VirtualService').values()) {
        if (other.metadata.name === o.metadata.name && other.metadata.namespace === o.metadata.namespace)
          continue;
        if (other.metadata.namespace !== o.metadata.namespace) continue;
        const shared = (o.spec?.hosts ?? []).filter((h: string) => (other.spec?.hosts ?? []).includes(h));
        if (shared.length)
          w.push(
            `${describeObject(o)}: conflicting routes: hosts ${shared.join(', ')} also routed by ${describeObject(other)}`,
          );
      }
    }
    if (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') {
      const seen = new Set<string>();
      for (const [i, r] of (o.spec?.rules ?? []).entries()) {
        const m = JSON.stringify(r.matches ?? []);
        if (seen.has(m))
          w.push(
            `${describeObject(o)}: conflicting routes: rule ${i} repeats the matches of an earlier rule and never applies`,
          );
        seen.add(m);
      }
    }
    return w;
  };

  return {
    /** Validates and stores `raw`; on rejection the previous version (if any) stays. */
    apply(raw: unknown, source: { file?: string } = {}): ApplyResult {
      const origin = performance.now();
      const rawKind = (raw as { kind?: unknown } | null)?.kind;
      if (typeof rawKind === 'string' && IGNORED_KINDS.has(rawKind)) {
        logger.debug('config: kind not used by the control plane, skipped', {
          kind: rawKind,
          file: source.file,
        });
        return { ok: true, key: '', changed: false };
      }
      let validated: ReturnType<typeof validateObject>;
      try {
        validated = validateObject(raw, source.file);
      } catch (err) {
        const error =
          err instanceof ValidationError
            ? err
            : new ValidationError('E_MANIFEST_FIELD', { file: source.file }, describeError(err), {
                cause: err,
              });
        const kind = (raw as { kind?: string } | null)?.kind ?? 'unknown';
        metrics?.rejectedConfigs.inc({ kind });
        events.record({
          level: 'rejected',
          object: error.object,
          file: error.file,
          field: error.field,
          reason: error.message,
          code: error.code,
        });
        logger.warn('config: rejected', {
          object: error.object,
          file: error.file,
          field: error.field,
          reason: error.message,
        });
        return { ok: false, error };
      }
      const o = validated.object;
      for (const w of [...validated.warnings, ...crossWarnings(o)]) {
        events.record({ level: 'warning', object: describeObject(o), file: source.file, reason: w });
        logger.warn('config: warning', { reason: w });
      }
      const key = keyOf(o);
      const t = table(o.kind);
      const prev = t.get(key);
      if (prev && JSON.stringify(prev) === JSON.stringify(o)) return { ok: true, key, changed: false };
      t.set(key, o);
      notify(key, o.kind, origin);
      return { ok: true, key, changed: true };
    },
    /** Records a rejection found before an object could be parsed (bad YAML, oversize file). */
    reject(e: { file?: string; reason: string; code: string }): void {
      metrics?.rejectedConfigs.inc({ kind: 'unknown' });
      events.record({ level: 'rejected', file: e.file, reason: e.reason, code: e.code });
      logger.warn('config: rejected', { file: e.file, reason: e.reason });
    },
    /** Deletes an object; no-op when absent. */
    remove(kind: Kind, namespace: string | undefined, name: string): boolean {
      const key = objectKey(kind, namespace, name);
      const t = table(kind);
      if (!t.delete(key)) return false;
      notify(key, kind, performance.now());
      return true;
    },
    /** Objects of one kind. */
    list(kind: Kind): MeshObject[] {
      return [...table(kind).values()];
    },
    get(kind: Kind, namespace: string | undefined, name: string): MeshObject | undefined {
      return table(kind).get(objectKey(kind, namespace, name));
    },
    /** Number of accepted changes so far. */
    revision: () => revision,
    onChange(l: ConfigListener): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export type ConfigStore = ReturnType<typeof createConfigStore>;
