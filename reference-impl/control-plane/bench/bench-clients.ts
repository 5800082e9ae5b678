/**
 * @module reference-impl/control-plane/bench/bench-clients
 * Worker-thread side of the push-latency bench: runs the delta-xDS clients off the control plane's
 * event loop and reports, in wall-clock milliseconds (`timeOrigin + now`), when every client has a
 * watched change. Messages in: `{ cmd: 'watch-workload', id, uid, status }`,
 * `{ cmd: 'watch-policy', id, key, port }`, `{ cmd: 'close' }`; out: `{ synced, ms }`, `{ id, at }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createXdsClient, type XdsClient } from '../client/xds-client.ts';

const {
  address,
  rootCertPem,
  clients: count,
  workloads,
} = workerData as {
  address: string;
  rootCertPem: string;
  clients: number;
  workloads: number;
};
const now = () => performance.timeOrigin + performance.now();
const port = parentPort!;

const t0 = now();
const clients: XdsClient[] = Array.from({ length: count }, (_, i) =>
  createXdsClient({ address, rootCertPem, token: `tok-${i}`, node: `ztunnel~node-${i}` }),
);

/** Resolves with the time every client satisfies `pred`. */
function allHave(pred: (c: XdsClient) => boolean): Promise<number> {
  return Promise.all(
    clients.map(
      (c) =>
        new Promise<number>((resolve) => {
          const check = () => {
            if (pred(c)) {
              c.off('change', check);
              resolve(now());
            }
          };
          c.on('change', check);
          check();
        }),
    ),
  ).then((times) => Math.max(...times));
}

await allHave((c) => c.workloads.size >= workloads);
port.postMessage({ synced: true, ms: now() - t0 });

port.on(
  'message',
  (m: { cmd: string; id?: number; uid?: string; status?: string; key?: string; port?: number }) => {
    if (m.cmd === 'watch-workload') {
      void allHave((c) => c.workloads.get(m.uid!)?.status === m.status).then((at) =>
        port.postMessage({ id: m.id, at }),
      );
    } else if (m.cmd === 'watch-policy') {
      void allHave(
        (c) => c.authorizations.get(m.key!)?.rules[0]?.clauses[0]?.matches[0]?.destinationPorts[0] === m.port,
      ).then((at) => port.postMessage({ id: m.id, at }));
    } else if (m.cmd === 'close') {
      for (const c of clients) c.close();
      port.postMessage({ closed: true });
    }
  },
);
