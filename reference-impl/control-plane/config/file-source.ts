/**
 * @module reference-impl/control-plane/config/file-source
 * Config source (a): a flat directory of manifests the local cluster writes, one object per file
 * named `<kind>.<namespace>.<name>.yaml`, written atomically (tmp + rename) and deleted when the
 * object is deleted. Watched with fs.watch, plus a periodic rescan that catches missed events.
 */
import { type FSWatcher, mkdirSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { ConfigStore } from './config-store.ts';
import { type Kind, keyOf, type MeshObject } from './objects.ts';
import { MAX_OBJECT_BYTES } from './validate.ts';

export interface FileSourceOptions {
  dir: string;
  store: ConfigStore;
  logger: Logger;
  /** Rescan period in ms (0 disables); default 5000. */
  rescanMs?: number;
}

const isManifest = (f: string) => /\.ya?ml$/.test(f) && !f.startsWith('.');

/** Starts watching `dir`; resolves after the initial load. */
export async function startFileSource(
  options: FileSourceOptions,
): Promise<{ stop(): void; loaded(): number }> {
  const { dir, store, logger } = options;
  mkdirSync(dir, { recursive: true });
  /** file → keys of the objects it defined, and its last seen stat. */
  const files = new Map<string, { keys: { kind: Kind; ns?: string; name: string }[]; stamp: string }>();
  const queued = new Set<string>();

  const stampOf = (path: string): string | undefined => {
    try {
      const s = statSync(path);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return undefined;
    }
  };

  const removeFile = (file: string) => {
    const prev = files.get(file);
    if (!prev) return;
    files.delete(file);
    for (const k of prev.keys) store.remove(k.kind, k.ns, k.name);
  };

  const load = (file: string) => {
    const path = join(dir, file);
    const stamp = stampOf(path);
    if (stamp === undefined) return removeFile(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return removeFile(file);
    }
    const prev = files.get(file);
    if (Buffer.byteLength(text) > MAX_OBJECT_BYTES) {
      const e = new ValidationError(
        'E_MANIFEST_FIELD',
        { file },
        `oversize object: file over ${MAX_OBJECT_BYTES} bytes`,
      );
      store.reject({ file, reason: e.message, code: e.code });
      files.set(file, { keys: prev?.keys ?? [], stamp });
      return;
    }
    const docs = parseAllDocuments(text);
    const keys: { kind: Kind; ns?: string; name: string }[] = [];
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length) {
        const reason = `YAML: ${doc.errors[0]!.message}`;
        store.reject({ file, reason, code: 'E_MANIFEST_YAML' });
        // The last good objects of this file stay in force.
        files.set(file, { keys: prev?.keys ?? [], stamp });
        return;
      }
      const raw = doc.toJS();
      if (raw == null) continue;
      const r = store.apply(raw, { file });
      if (r.ok && !r.key) continue;
      if (r.ok) {
        const o = raw as MeshObject;
        keys.push({ kind: o.kind, ns: o.metadata.namespace, name: o.metadata.name });
      } else {
        // Keep the previously loaded object of the same key, if any.
        const k = prev?.keys.find((pk) => pk.kind === raw?.kind && pk.name === raw?.metadata?.name);
        if (k) keys.push(k);
      }
    }
    // Objects the file no longer defines are deleted.
    const now = new Set(
      keys.map((k) => keyOf({ kind: k.kind, metadata: { name: k.name, namespace: k.ns } })),
    );
    for (const k of prev?.keys ?? []) {
      if (!now.has(keyOf({ kind: k.kind, metadata: { name: k.name, namespace: k.ns } })))
        store.remove(k.kind, k.ns, k.name);
    }
    files.set(file, { keys, stamp });
  };

  const queue = (file: string) => {
    if (!isManifest(file) || queued.has(file)) return;
    queued.add(file);
    setImmediate(() => {
      queued.delete(file);
      try {
        load(file);
      } catch (err) {
        logger.error('config: file load failed', { file, error: String(err) });
      }
    });
  };

  const rescan = () => {
    let names: string[];
    try {
      names = readdirSync(dir).filter(isManifest);
    } catch {
      return;
    }
    const present = new Set(names);
    for (const f of names) if (files.get(f)?.stamp !== stampOf(join(dir, f))) queue(f);
    for (const f of [...files.keys()]) if (!present.has(f)) queue(f);
  };

  // Initial load: namespaces first so cross-object checks see them.
  const initial = readdirSync(dir)
    .filter(isManifest)
    .sort((a, b) => Number(!/^namespace\./i.test(a)) - Number(!/^namespace\./i.test(b)));
  for (const f of initial) load(f);

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_ev, filename) => {
      if (filename) queue(filename.toString());
      else rescan();
    });
    watcher.on('error', (err) =>
      logger.warn('config: watch error; relying on rescans', { error: String(err) }),
    );
  } catch (err) {
    logger.warn('config: cannot watch directory; relying on rescans', { dir, error: String(err) });
  }
  const period = options.rescanMs ?? 5000;
  const timer = period > 0 ? setInterval(rescan, period) : undefined;
  timer?.unref();
  logger.info('config: directory loaded', { dir, files: files.size });
  return {
    stop() {
      watcher?.close();
      if (timer) clearInterval(timer);
    },
    loaded: () => files.size,
  };
}
