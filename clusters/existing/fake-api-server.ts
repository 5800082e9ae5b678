/**
 * @module clusters/existing/fake-api-server
 * TEST SUPPORT: a small in-memory Kubernetes API server on 127.0.0.1:0, enough for the object
 * API (discovery, create, server-side apply, read, list with label selectors, delete), pod
 * listing, pod logs (text set by the test) and port-forward (`v4.channel.k8s.io`), which it
 * relays to a real TCP address on 127.0.0.1 chosen by the test (e.g. a real echo app), and exec
 * (`v5.channel.k8s.io`/`v4`), which runs the argv as a real host process when the test enables
 * it. It stands in for the API server only; what is behind a port-forward or an exec is real.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { FakeApiServerOptions, SeenRequest } from './fake-types.ts';
import { handleUpgrade } from './fake-upgrades.ts';

export type { FakeApiServerOptions, SeenRequest } from './fake-types.ts';

interface Resource {
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
}

const GROUPS: Record<string, Resource[]> = {
  v1: [
    { name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false },
    { name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false },
    { name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true },
    { name: 'services', singularName: 'service', kind: 'Service', namespaced: true },
    { name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', namespaced: true },
    { name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true },
  ],
  'apps/v1': [
    { name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true },
    { name: 'daemonsets', singularName: 'daemonset', kind: 'DaemonSet', namespaced: true },
  ],
  'batch/v1': [{ name: 'jobs', singularName: 'job', kind: 'Job', namespaced: true }],
  'security.istio.io/v1': [
    {
      name: 'authorizationpolicies',
      singularName: 'authorizationpolicy',
      kind: 'AuthorizationPolicy',
      namespaced: true,
    },
  ],
};

/** A stored object. */
export type FakeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string; labels?: Record<string, string> };
};

export interface FakeApiServer {
  url: string;
  /** A KubeConfig with one context, `fake`, pointing at this server. */
  kubeConfig(): KubeConfig;
  /** The same, as kubeconfig file text (for KUBECONFIG files in child-process tests). */
  kubeConfigText(): string;
  objects(): FakeObject[];
  /** Puts (or replaces) an object directly, e.g. a pod with a status. */
  put(obj: FakeObject): void;
  /** Sets what `GET .../pods/<pod>/log` returns for a pod. */
  setLogs(namespace: string, pod: string, text: string): void;
  /** Merges `status` into a stored object (simulates a controller). */
  setStatus(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    status: unknown,
  ): void;
  requests: SeenRequest[];
  close(): Promise<void>;
}

function matchesSelector(labels: Record<string, string> = {}, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k] === v;
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function statusBody(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses `/api/v1/...` or `/apis/g/v/...` into group-version, namespace, resource, name. */
function route(path: string) {
  const parts = path.split('/').filter(Boolean);
  let gv: string;
  let rest: string[];
  if (parts[0] === 'api') {
    gv = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    gv = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  return { gv, resource: rest[0], name: rest[1], namespace };
}

/** Starts the fake server on 127.0.0.1 and an ephemeral port. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const store = new Map<string, FakeObject>();
  const requests: SeenRequest[] = [];
  const logs = new Map<string, string>();
  let rv = 1;
  const key = (gv: string, kind: string, ns: string | undefined, name: string) =>
    `${gv}|${kind}|${ns ?? ''}|${name}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      contentType: String(req.headers['content-type'] ?? ''),
    });
    if (url.pathname === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url.pathname === '/apis') {
      const groups = Object.keys(GROUPS)
        .filter((gv) => gv.includes('/'))
        .map((gv) => {
          const [name, version] = gv.split('/');
          return {
            name,
            versions: [{ groupVersion: gv, version }],
            preferredVersion: { groupVersion: gv, version },
          };
        });
      if (options.metrics) {
        const gv = 'metrics.k8s.io/v1beta1';
        groups.push({
          name: 'metrics.k8s.io',
          versions: [{ groupVersion: gv, version: 'v1beta1' }],
          preferredVersion: { groupVersion: gv, version: 'v1beta1' },
        });
      }
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const logPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (logPath) {
      const text = logs.get(`${logPath[1]}/${logPath[2]}`);
      if (text === undefined)
        return send(res, 404, statusBody(404, 'NotFound', `pods "${logPath[2]}" not found`));
      const tail = Number(url.searchParams.get('tailLines') ?? 'NaN');
      const lines = text.split('\n').filter(Boolean);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`${(Number.isInteger(tail) ? lines.slice(-tail) : lines).join('\n')}\n`);
    }
    const metricsPath = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(
      url.pathname,
    );
    if (metricsPath && typeof options.metrics === 'function') {
      const m = options.metrics(metricsPath[1]!, metricsPath[2]!);
      return m
        ? send(res, 200, m)
        : send(res, 404, statusBody(404, 'NotFound', `podmetrics "${metricsPath[2]}" not found`));
    }
    const r = route(url.pathname);
    const resources = r ? GROUPS[r.gv] : undefined;
    if (!r || !resources) return send(res, 404, statusBody(404, 'NotFound', `no API at ${url.pathname}`));
    if (!r.resource) {
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: r.gv,
        resources: resources.map((x) => ({
          ...x,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
        })),
      });
    }
    const resource = resources.find((x) => x.name === r.resource);
    if (!resource) return send(res, 404, statusBody(404, 'NotFound', `no resource ${r.resource}`));
    const method = req.method ?? 'GET';
    if (!r.name) {
      if (method === 'GET') {
        const items = [...store.values()].filter(
          (o) =>
            o.apiVersion === r.gv &&
            o.kind === resource.kind &&
            (!r.namespace || o.metadata.namespace === r.namespace) &&
            matchesSelector(o.metadata.labels, url.searchParams.get('labelSelector')),
        );
        return send(res, 200, { kind: `${resource.kind}List`, apiVersion: r.gv, metadata: {}, items });
      }
      if (method === 'POST') {
        const obj = JSON.parse(await readBody(req)) as FakeObject;
        const k = key(r.gv, resource.kind, r.namespace, obj.metadata.name);
        if (store.has(k))
          return send(res, 409, statusBody(409, 'AlreadyExists', `${obj.metadata.name} exists`));
        return send(res, 201, save(k, obj, r.namespace));
      }
      return send(res, 405, statusBody(405, 'MethodNotAllowed', method));
    }
    const k = key(r.gv, resource.kind, r.namespace, r.name);
    const existing = store.get(k);
    switch (method) {
      case 'GET':
        return existing
          ? send(res, 200, existing)
          : send(res, 404, statusBody(404, 'NotFound', `${r.resource} "${r.name}" not found`));
      case 'DELETE':
        if (!existing)
          return send(res, 404, statusBody(404, 'NotFound', `${r.resource} "${r.name}" not found`));
        store.delete(k);
        return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
      case 'PUT':
      case 'PATCH': {
        const ct = String(req.headers['content-type'] ?? '');
        if (method === 'PATCH' && ct !== 'application/apply-patch+yaml') {
          return send(
            res,
            415,
            statusBody(415, 'UnsupportedMediaType', `fake supports only server-side apply, not ${ct}`),
          );
        }
        if (method === 'PATCH' && !url.searchParams.get('fieldManager')) {
          return send(res, 422, statusBody(422, 'Invalid', 'fieldManager is required for apply patch'));
        }
        const obj = JSON.parse(await readBody(req)) as FakeObject;
        if (obj.metadata.name !== r.name)
          return send(res, 400, statusBody(400, 'BadRequest', 'name mismatch'));
        if (obj.kind === 'Deployment' && typeof (obj.spec as { replicas?: unknown })?.replicas === 'string') {
          return send(res, 422, statusBody(422, 'Invalid', 'spec.replicas: must be an integer'));
        }
        const status = existing?.status;
        const saved = save(k, { ...obj, ...(status ? { status } : {}) }, r.namespace, existing);
        return send(res, existing ? 200 : 201, saved);
      }
      default:
        return send(res, 405, statusBody(405, 'MethodNotAllowed', method));
    }
  };

  const save = (k: string, obj: FakeObject, ns: string | undefined, prev?: FakeObject): FakeObject => {
    const specChanged = JSON.stringify(prev?.spec) !== JSON.stringify(obj.spec);
    const prevGen = (prev?.metadata.generation as number | undefined) ?? 0;
    const stored: FakeObject = {
      ...obj,
      metadata: {
        ...obj.metadata,
        ...(ns ? { namespace: ns } : {}),
        uid: (prev?.metadata.uid as string | undefined) ?? `uid-${rv}`,
        resourceVersion: String(++rv),
        generation: prev ? (specChanged ? prevGen + 1 : prevGen) : 1,
        creationTimestamp:
          (prev?.metadata.creationTimestamp as string | undefined) ?? new Date().toISOString(),
      },
    };
    store.set(k, stored);
    return stored;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, statusBody(500, 'InternalError', String(err))));
  });
  server.on('upgrade', (req: IncomingMessage, socket) => handleUpgrade(req, socket, options, requests));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const config = {
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
    currentContext: 'fake',
  };
  const kubeConfig = () => {
    const kc = new KubeConfig();
    kc.loadFromOptions(structuredClone(config));
    return kc;
  };
  return {
    url,
    requests,
    kubeConfig,
    kubeConfigText: () => kubeConfig().exportConfig(),
    objects: () => [...store.values()],
    put(obj) {
      const gv = obj.apiVersion;
      save(
        key(gv, obj.kind, obj.metadata.namespace, obj.metadata.name),
        obj,
        obj.metadata.namespace,
        store.get(key(gv, obj.kind, obj.metadata.namespace, obj.metadata.name)),
      );
    },
    setLogs(namespace, pod, text) {
      logs.set(`${namespace}/${pod}`, text);
    },
    setStatus(apiVersion, kind, namespace, name, status) {
      const k = key(apiVersion, kind, namespace, name);
      const o = store.get(k);
      if (!o) throw new Error(`fake: no ${k}`);
      o.status = { ...(o.status as object), ...(status as object) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
