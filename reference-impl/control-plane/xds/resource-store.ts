/**
 * @module reference-impl/control-plane/xds/resource-store
 * The versioned resources the xDS server serves: per type URL, name → encoded bytes and a content
 * version (a hash of the bytes, so a restarted control plane gives the same versions and resuming
 * clients receive only what really changed). `replaceType` diffs a full new set against the current
 * one and notifies listeners with the changed and removed names.
 */
import { createHash } from 'node:crypto';
import { encodeResource } from '../wire/resource-codec.ts';

/** One stored resource. */
export interface StoredResource {
  name: string;
  version: string;
  bytes: Uint8Array;
  /** The in-memory value (for /debug/model). */
  value: unknown;
  /** JSON of the value, used to skip re-encoding unchanged values. */
  json: string;
}

/** What one replace changed. */
export interface ResourceChange {
  typeUrl: string;
  changed: string[];
  removed: string[];
  /** `performance.now()` when the config change that caused it was observed, if known. */
  origin?: number;
}

export type ChangeListener = (change: ResourceChange) => void;

/** Content version of encoded bytes: 16 hex digits of SHA-256. */
export const contentVersion = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Creates an empty resource store. */
export function createResourceStore() {
  const types = new Map<string, Map<string, StoredResource>>();
  const listeners = new Set<ChangeListener>();
  const typeVersions = new Map<string, number>();

  const table = (typeUrl: string) => {
    let t = types.get(typeUrl);
    if (!t) {
      t = new Map();
      types.set(typeUrl, t);
    }
    return t;
  };

  /** Stores `value` under `name` unless its JSON is unchanged; true when its version changed. */
  const put = (typeUrl: string, t: Map<string, StoredResource>, name: string, value: unknown): boolean => {
    const json = JSON.stringify(value);
    const cur = t.get(name);
    if (cur && cur.json === json) return false;
    const bytes = encodeResource(typeUrl, value);
    const version = contentVersion(bytes);
    t.set(name, { name, version, bytes, value, json });
    return !cur || cur.version !== version;
  };

  /** Bumps the type version and notifies listeners when anything changed; returns the change. */
  const publish = (
    typeUrl: string,
    changed: string[],
    removed: string[],
    origin?: number,
  ): ResourceChange => {
    const change: ResourceChange = { typeUrl, changed, removed };
    if (origin !== undefined) change.origin = origin;
    if (changed.length || removed.length) {
      typeVersions.set(typeUrl, (typeVersions.get(typeUrl) ?? 0) + 1);
      for (const l of listeners) l(change);
    }
    return change;
  };

  return {
    /** Every resource of `typeUrl`. */
    all(typeUrl: string): ReadonlyMap<string, StoredResource> {
      return table(typeUrl);
    },
    /** One resource, or undefined. */
    get(typeUrl: string, name: string): StoredResource | undefined {
      return types.get(typeUrl)?.get(name);
    },
    /** A counter bumped on every effective change of `typeUrl` (the `system_version_info`). */
    typeVersion(typeUrl: string): string {
      return String(typeVersions.get(typeUrl) ?? 0);
    },
    /**
     * Replaces the whole set of `typeUrl` with `next` (name → value); unchanged values keep their
     * version and are not re-encoded. Returns the change (also sent to listeners when non-empty).
     */
    replaceType(typeUrl: string, next: ReadonlyMap<string, unknown>, origin?: number): ResourceChange {
      const t = table(typeUrl);
      const changed: string[] = [];
      const removed: string[] = [];
      for (const [name, value] of next) {
        if (put(typeUrl, t, name, value)) changed.push(name);
      }
      for (const name of t.keys()) {
        if (!next.has(name)) removed.push(name);
      }
      for (const name of removed) t.delete(name);
      return publish(typeUrl, changed, removed, origin);
    },
    /**
     * Updates only the named resources of `typeUrl` (value undefined = remove); the rest stay.
     * Returns the change (also sent to listeners when non-empty).
     */
    patchType(
      typeUrl: string,
      patch: ReadonlyMap<string, unknown | undefined>,
      origin?: number,
    ): ResourceChange {
      const t = table(typeUrl);
      const changed: string[] = [];
      const removed: string[] = [];
      for (const [name, value] of patch) {
        if (value === undefined) {
          if (t.delete(name)) removed.push(name);
          continue;
        }
        if (put(typeUrl, t, name, value)) changed.push(name);
      }
      return publish(typeUrl, changed, removed, origin);
    },
    /** Subscribes to changes; returns the unsubscribe function. */
    onChange(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ResourceStore = ReturnType<typeof createResourceStore>;
