/**
 * @module reference-impl/control-plane/client/test-fixtures
 * Shared builders for tests: a minimal workload and service of the workload API.
 */
import type { Service, Workload } from '../../api/workload.ts';

/** A healthy HBONE workload `ns/name` on `node` with `ip`. */
export function testWorkload(name: string, ip: string, node = 'node-a', ns = 'default'): Workload {
  return {
    uid: `Kubernetes//Pod/${ns}/${name}`,
    name,
    namespace: ns,
    addresses: [ip],
    network: '',
    tunnelProtocol: 'HBONE',
    trustDomain: 'cluster.local',
    serviceAccount: 'default',
    node,
    canonicalName: name,
    canonicalRevision: 'latest',
    workloadType: 'POD',
    workloadName: name,
    services: {},
    authorizationPolicies: [],
    status: 'HEALTHY',
    clusterId: 'Kubernetes',
  };
}

/** A service `ns/name` with one port 80 → 8080. */
export function testService(name: string, vip: string, ns = 'default'): Service {
  return {
    name,
    namespace: ns,
    hostname: `${name}.${ns}.svc.cluster.local`,
    addresses: [{ network: '', address: vip }],
    ports: [{ servicePort: 80, targetPort: 8080 }],
    subjectAltNames: [],
  };
}
