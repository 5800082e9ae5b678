/**
 * @module reference-impl/waypoint/upstream
 * Where a forwarded request goes and how: the endpoint of a backend service (healthy workloads,
 * DestinationRule subset by labels is not modelled in the workload API, so subsets pick among all;
 * round robin), and reusable HTTP clients over an upstream dialer (HBONE for the waypoint):
 * HTTP/1.1 keep-alive sockets per endpoint through an `http.Agent`, one HTTP/2 session per endpoint.
 */

import http from 'node:http';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Service, Workload } from '../api/workload.ts';
import { serviceKey } from '../api/workload.ts';
import type { WorkloadState } from '../ztunnel/state/workload-store.ts';
import { plainDuplex } from './plain-duplex.ts';

/** One chosen upstream endpoint. */
export interface UpstreamTarget {
  workload: Workload;
  /** Application address: pod IP and target port. */
  ip: string;
  port: number;
  service?: Service;
}

/** Opens a byte stream to an endpoint (for the waypoint: an HBONE CONNECT to its ztunnel). */
export type UpstreamDialer = (target: UpstreamTarget) => Promise<Duplex>;

/**
 * Whether workload `w` carries the subset's labels. The workload API has no pod labels; it has the
 * canonical name and revision Istio derives from `app` and `version`, which is what subsets select by
 * in practice. Other label keys cannot be checked here and are taken as matching.
 */
export function inSubset(w: Workload, labels: Record<string, string> | undefined): boolean {
  if (!labels) return true;
  for (const [k, v] of Object.entries(labels)) {
    const rev =
      k === 'version' || k === 'service.istio.io/canonical-revision' || k === 'app.kubernetes.io/version';
    const name = k === 'app' || k === 'service.istio.io/canonical-name' || k === 'app.kubernetes.io/name';
    if (rev && w.canonicalRevision !== v) return false;
    if (name && w.canonicalName !== v) return false;
  }
  return true;
}

/** Resolves a backend (`namespace/hostname` + port) to endpoints, round robin, skipping `exclude`. */
export function createEndpointPicker(state: WorkloadState) {
  const cursor = new Map<string, number>();
  return {
    service(key: string): Service | undefined {
      return state.serviceByKey(key) ?? state.serviceByHostname(key.split('/').pop() ?? key);
    },
    pick(
      service: Service,
      port: number,
      exclude: ReadonlySet<string> = new Set(),
      subsetLabels?: Record<string, string>,
    ): UpstreamTarget | undefined {
      const key = serviceKey(service);
      const svcPort = service.ports.find((p) => p.servicePort === port);
      const all = state
        .endpointsOf(service)
        .filter((w) => w.status === 'HEALTHY' && w.addresses[0] && inSubset(w, subsetLabels))
        .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
      const fresh = all.filter((w) => !exclude.has(`${w.addresses[0]}`));
      const list = fresh.length > 0 ? fresh : all;
      if (list.length === 0) return undefined;
      const n = cursor.get(key) ?? 0;
      cursor.set(key, n + 1);
      const w = list[n % list.length]!;
      const wPort = w.services[key]?.find((p) => p.servicePort === port);
      return {
        workload: w,
        ip: w.addresses[0]!,
        port: wPort?.targetPort || svcPort?.targetPort || port,
        service,
      };
    },
  };
}

/** An http.Agent whose sockets are dialer streams (keep-alive, no TCP socket options). */
class StreamAgent extends http.Agent {
  constructor(
    private readonly open: () => Promise<Duplex>,
    maxSockets: number,
  ) {
    super({ keepAlive: true, maxSockets, maxFreeSockets: 16, scheduling: 'lifo' });
  }
  override createConnection(_options: unknown, cb: (err: Error | null, s?: Duplex) => void): undefined {
    this.open().then(
      (s) => cb(null, plainDuplex(s)),
      (err: Error) => cb(err),
    );
    return undefined;
  }
  override keepSocketAlive(): boolean {
    return true;
  }
  // reuseSocket: Node's own, which also removes the free-socket error listener (an override that
  // skipped it leaked one 'error' listener per reused request).
}

/** Reusable HTTP clients per endpoint over `dial`. */
export interface UpstreamClients {
  agent(target: UpstreamTarget): http.Agent;
  session(target: UpstreamTarget): Promise<http2.ClientHttp2Session>;
  close(): void;
}

export function createUpstreamClients(dial: UpstreamDialer, maxSocketsPerEndpoint = 64): UpstreamClients {
  const agents = new Map<string, StreamAgent>();
  const sessions = new Map<string, Promise<http2.ClientHttp2Session>>();
  const key = (t: UpstreamTarget) => `${t.workload.uid}|${t.ip}:${t.port}`;
  return {
    agent(t) {
      let a = agents.get(key(t));
      if (!a) {
        a = new StreamAgent(() => dial(t), maxSocketsPerEndpoint);
        agents.set(key(t), a);
      }
      return a;
    },
    session(t) {
      const k = key(t);
      const existing = sessions.get(k);
      if (existing) return existing;
      const p = dial(t).then((stream) => {
        const s = http2.connect(`http://${t.ip}:${t.port}`, {
          createConnection: () => plainDuplex(stream) as never,
        });
        const drop = () => {
          if (sessions.get(k) === p) sessions.delete(k);
        };
        s.on('close', drop);
        s.on('error', drop);
        s.on('goaway', drop);
        return new Promise<http2.ClientHttp2Session>((resolve, reject) => {
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
      });
      p.catch(() => {
        if (sessions.get(k) === p) sessions.delete(k);
      });
      sessions.set(k, p);
      return p;
    },
    close() {
      for (const a of agents.values()) a.destroy();
      for (const p of sessions.values())
        p.then(
          (s) => s.destroy(),
          () => {},
        );
      agents.clear();
      sessions.clear();
    },
  };
}
