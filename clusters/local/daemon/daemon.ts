/**
 * @module clusters/local/daemon/daemon
 * The per-cluster daemon's core (apiserver + controllers + kubelet + kube-proxy + coredns in one
 * process): validates and stores objects, reconciles Deployments, Jobs and Endpoints, runs pods,
 * renders Service rules into every node, serves DNS and mirrors every object into the config dir
 * the mesh watches.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MeshbenchError, ValidationError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { KubeObject, ObjectRef, PodInfo } from '../../cluster.ts';
import { CLUSTER_SCOPED_KINDS, describeObject, validateObjects } from '../../manifests.ts';
import { resolveContainer } from '../images.ts';
import { waypointCommand, waypointEntry } from '../mesh.ts';
import { type ClusterPaths, configFileName, DNS_IP } from '../naming.ts';
import { type StateFile, writeFileAtomic } from '../state.ts';
import {
  type EndpointAddress,
  OWNER_ANNOTATION,
  reconcileDeployment,
  reconcileJob,
  serviceEndpoints,
} from './controllers.ts';
import { serveDns } from './dns.ts';
import { applyRules, renderRules, type ServiceRule } from './kube-proxy.ts';
import { Kubelet, type PodRuntime, type PodSpec } from './kubelet.ts';
import { appContainers, injectSidecar } from './sidecar-injection.ts';
import { prepareSidecarProgram } from './sidecar-program.ts';
import { keyOf, ObjectStore } from './store.ts';
import { reconcileWaypoints } from './waypoint-controller.ts';

/** Readiness of one object as the daemon sees it. */
export interface Readiness {
  ready: boolean;
  /** What was last seen, for timeout messages. */
  seen: string;
  /** True when the object can never become ready (e.g. a failed Job): waits stop at once. */
  failed?: boolean;
  /** Error code to fail a wait with when `failed` (default E_TIMEOUT). */
  code?: 'E_TIMEOUT' | 'E_UNSUPPORTED';
}

export class LocalDaemon {
  readonly store = new ObjectStore();
  readonly kubelet: Kubelet;
  private readonly endpoints = new Map<string, EndpointAddress[]>();
  /** Config files written, by store key. */
  private readonly written = new Map<string, string>();
  /** Store keys changed since the config dir was last synced. */
  private readonly changed = new Set<string>();
  private lastRules = '';
  private nextVip = 1 * 256 + 1;
  private reconciling = false;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private closeDns?: () => void;
  started = false;

  constructor(
    readonly name: string,
    readonly paths: ClusterPaths,
    readonly state: StateFile,
    readonly logger: Logger,
  ) {
    this.kubelet = new Kubelet({
      cluster: name,
      state,
      logsDir: paths.logsDir,
      logger,
      onStatus: () => this.schedule(),
    });
    this.store.onChange = (key) => {
      this.changed.add(key);
      this.schedule();
    };
  }

  /** Begins serving: DNS, kube-proxy tables and the built-in objects. */
  async start(): Promise<void> {
    const nodes = this.state.state.nodes;
    this.closeDns = serveDns(
      nodes.map((n) => n.netns),
      (q) => this.resolve(q),
      this.logger,
    );
    for (const ns of ['default', 'kube-system'])
      this.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    this.ensureDefaultServiceAccount('default');
    this.ensureDefaultServiceAccount('kube-system');
    this.store.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { clusterIP: DNS_IP, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    });
    this.started = true;
    await this.syncRules();
    this.schedule();
  }

  private ensureDefaultServiceAccount(ns: string): void {
    if (!this.store.get({ kind: 'ServiceAccount', namespace: ns, name: 'default' })) {
      this.store.put({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: ns },
      });
    }
  }

  private resolve(name: string): string[] | undefined {
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(name);
    if (m) {
      const svc = this.store.get({ kind: 'Service', namespace: m[2]!, name: m[1]! });
      if (!svc) return undefined;
      const ip = (svc.spec as { clusterIP?: string }).clusterIP;
      if (ip && ip !== 'None') return [ip];
      return (this.endpoints.get(keyOf({ kind: 'Service', namespace: m[2]!, name: m[1]! })) ?? []).map(
        (e) => e.ip,
      );
    }
    const p = /^(\d+)-(\d+)-(\d+)-(\d+)\.[a-z0-9-]+\.pod\.cluster\.local$/.exec(name);
    if (p) return [`${p[1]}.${p[2]}.${p[3]}.${p[4]}`];
    return undefined;
  }

  /** Validates every object, then stores them all (all-or-nothing). */
  apply(objects: readonly KubeObject[]): void {
    validateObjects(objects);
    const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    objects.forEach((o) => {
      const ns = o.metadata.namespace ?? 'default';
      const obj = describeObject({ ...o, metadata: { ...o.metadata, namespace: ns } });
      if (
        !CLUSTER_SCOPED_KINDS.has(o.kind) &&
        !namespaces.has(ns) &&
        !this.store.get({ kind: 'Namespace', name: ns })
      ) {
        throw new ValidationError(
          'E_MANIFEST_FIELD',
          { object: obj, field: 'metadata.namespace' },
          `namespace "${ns}" does not exist`,
          {
            hint: 'apply the Namespace first (or in the same batch)',
          },
        );
      }
      const podSpec =
        o.kind === 'Pod'
          ? (o.spec as PodSpec)
          : o.kind === 'Deployment' || o.kind === 'Job'
            ? (o.spec as { template: { spec: PodSpec } }).template.spec
            : undefined;
      const base = o.kind === 'Pod' ? 'spec' : 'spec.template.spec';
      podSpec?.containers.forEach((c, j) => {
        resolveContainer(c, `${base}.containers[${j}]`, obj);
      });
      const nodeName = podSpec?.nodeName;
      if (nodeName && !this.state.state.nodes.some((n) => n.name === nodeName)) {
        throw new ValidationError(
          'E_MANIFEST_FIELD',
          { object: obj, field: `${base}.nodeName` },
          `no node named "${nodeName}"`,
          {
            hint: `nodes are ${this.state.state.nodes.map((n) => n.name).join(', ')}`,
          },
        );
      }
      if (o.kind === 'Pod') {
        const old = this.store.get({ kind: 'Pod', namespace: ns, name: o.metadata.name });
        if (old && JSON.stringify(appContainers(old)) !== JSON.stringify((o.spec as PodSpec).containers)) {
          throw new ValidationError(
            'E_MANIFEST_FIELD',
            { object: obj, field: 'spec' },
            'a Pod spec is immutable',
            {
              hint: 'delete the pod and apply it again',
            },
          );
        }
      }
    });
    for (const o of objects) {
      const copy = structuredClone(o);
      if (copy.kind === 'Service') {
        const spec = (copy.spec ?? {}) as { clusterIP?: string };
        const old = this.store.get({
          kind: 'Service',
          namespace: copy.metadata.namespace,
          name: copy.metadata.name,
        });
        spec.clusterIP ??= (old?.spec as { clusterIP?: string } | undefined)?.clusterIP ?? this.allocVip();
        copy.spec = spec;
      }
      if (copy.kind === 'Pod') {
        const old = this.store.get({
          kind: 'Pod',
          namespace: copy.metadata.namespace,
          name: copy.metadata.name,
        });
        if (old) {
          copy.spec = old.spec;
          copy.metadata = {
            ...copy.metadata,
            annotations: { ...old.metadata.annotations, ...copy.metadata.annotations },
          };
        }
      }
      this.store.put(this.admit(copy));
      if (copy.kind === 'Namespace') this.ensureDefaultServiceAccount(copy.metadata.name);
    }
  }

  /** Mutating admission of a new object: sidecar injection (sidecar-injection.ts); others unchanged. */
  private admit(o: KubeObject): KubeObject {
    const ns = this.store.get({ kind: 'Namespace', name: o.metadata.namespace ?? 'default' });
    const xds = `${this.state.state.nodes[0]?.ip}:15012`;
    return injectSidecar(o, ns?.metadata.labels, { meshDir: this.paths.meshDir, xds });
  }

  private allocVip(): string {
    const used = new Set(this.store.list('Service').map((s) => (s.spec as { clusterIP?: string }).clusterIP));
    for (;;) {
      const n = this.nextVip++;
      const ip = `198.19.${Math.floor(n / 256) % 256}.${n % 256}`;
      if (n % 256 !== 0 && n % 256 !== 255 && !used.has(ip)) return ip;
    }
  }

  /** Deletes objects (missing ones ignored), cascading to owned pods and namespace contents. */
  delete(refs: readonly ObjectRef[]): void {
    for (const ref of refs) {
      const gone = this.store.delete(ref);
      if (!gone) continue;
      if (gone.kind === 'Namespace') {
        for (const key of [...this.store.keys()]) {
          const o = this.store.getByKey(key);
          if (o && o.metadata.namespace === gone.metadata.name)
            this.store.delete({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
        }
      }
      if (gone.kind === 'Deployment' || gone.kind === 'Job') {
        const owner = `${gone.kind}/${gone.metadata.name}`;
        for (const p of this.store.list('Pod', gone.metadata.namespace)) {
          if (p.metadata.annotations?.[OWNER_ANNOTATION] === owner)
            this.store.delete({ kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name });
        }
      }
    }
  }

  /** PodInfo of a stored pod, from its runtime. */
  podInfo(pod: KubeObject): PodInfo | undefined {
    const rt = this.kubelet.pods.get(pod.metadata.uid ?? '');
    return rt ? this.kubelet.info(rt) : undefined;
  }

  runtimeOf(namespace: string, name: string): PodRuntime | undefined {
    const pod = this.store.get({ kind: 'Pod', namespace, name });
    return pod ? this.kubelet.pods.get(pod.metadata.uid ?? '') : undefined;
  }

  /** Pods (with runtime state) in a namespace, optionally by labels. */
  pods(namespace?: string, selector?: Record<string, string>): PodInfo[] {
    return this.store
      .list('Pod', namespace, selector)
      .map((p) => {
        const info = this.podInfo(p);
        if (info) return info;
        return {
          namespace: p.metadata.namespace ?? 'default',
          name: p.metadata.name,
          node: (p.spec as PodSpec).nodeName ?? '',
          ip: '',
          phase: 'Pending' as const,
          ready: false,
          labels: p.metadata.labels ?? {},
          serviceAccount: (p.spec as PodSpec).serviceAccountName ?? 'default',
          restarts: 0,
          containers: [],
          hostNetwork: (p.spec as PodSpec).hostNetwork === true,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Readiness of one object. */
  readiness(ref: ObjectRef): Readiness {
    const o = this.store.get(ref);
    if (!o) return { ready: false, seen: 'not found' };
    const status = (o.status ?? {}) as Record<string, unknown>;
    switch (o.kind) {
      case 'Deployment': {
        const want = (o.spec as { replicas?: number }).replicas ?? 1;
        const progressing = (status.conditions as { type: string; status: string }[] | undefined)?.find(
          (c) => c.type === 'Progressing',
        );
        const ready = Number(status.readyReplicas ?? 0);
        return {
          ready:
            status.observedGeneration === o.metadata.generation &&
            ready >= want &&
            progressing?.status === 'True' &&
            Number(status.replicas ?? 0) === want,
          seen: `${ready}/${want} replicas ready, ${status.updatedReplicas ?? 0} updated, ${status.replicas ?? 0} total`,
        };
      }
      case 'Pod': {
        const info = this.podInfo(o);
        return {
          ready: info?.ready === true,
          seen: `phase ${info?.phase ?? 'Pending'}, ready ${info?.ready ?? false}, restarts ${info?.restarts ?? 0}`,
          failed: info?.phase === 'Failed' || info?.phase === 'Succeeded',
        };
      }
      case 'Job': {
        const conds = (status.conditions as { type: string; status: string }[] | undefined) ?? [];
        const failed = conds.some((c) => c.type === 'Failed' && c.status === 'True');
        return {
          ready: conds.some((c) => c.type === 'Complete' && c.status === 'True'),
          seen: `succeeded ${status.succeeded ?? 0}, failed ${status.failed ?? 0}, active ${status.active ?? 0}${failed ? ' (Failed: backoff limit exceeded)' : ''}`,
          failed,
        };
      }
      case 'Service': {
        const eps =
          this.endpoints.get(
            keyOf({ kind: 'Service', namespace: o.metadata.namespace, name: o.metadata.name }),
          ) ?? [];
        return { ready: eps.length > 0, seen: `${eps.length} endpoints` };
      }
      case 'Gateway': {
        const conds = (status.conditions as { type: string; status: string }[] | undefined) ?? [];
        if (conds.some((c) => c.type === 'Programmed' && c.status === 'True'))
          return { ready: true, seen: 'Programmed' };
        if ((o.spec as { gatewayClassName?: string }).gatewayClassName === 'istio-waypoint') {
          if (!existsSync(waypointEntry(this.paths))) {
            return {
              ready: false,
              seen: 'not Programmed: no mesh is installed, and the waypoint program comes with it (meshbench mesh install)',
              failed: true,
              code: 'E_UNSUPPORTED',
            };
          }
          const programmed = conds.find((c) => c.type === 'Programmed') as { message?: string } | undefined;
          return {
            ready: false,
            seen: `not Programmed: ${programmed?.message ?? 'waypoint not deployed yet'}`,
          };
        }
        return {
          ready: false,
          seen: 'not Programmed: the local provider runs no gateway controller',
          failed: true,
          code: 'E_UNSUPPORTED',
        };
      }
      default:
        return { ready: true, seen: 'exists' };
    }
  }

  /** Asks for a reconcile soon (coalesced). */
  schedule(): void {
    if (!this.started) return;
    if (this.reconciling) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reconcile();
    }, 5);
  }

  private async reconcile(): Promise<void> {
    this.reconciling = true;
    this.dirty = false;
    try {
      await this.reconcileOnce();
    } catch (err) {
      this.logger.error('reconcile failed', { err: String(err), stack: (err as Error).stack });
    } finally {
      this.reconciling = false;
      if (this.dirty) this.schedule();
    }
  }

  private async reconcileOnce(): Promise<void> {
    const info = (p: KubeObject) => this.podInfo(p);
    this.reconcileWaypoints();
    for (const kind of ['Deployment', 'Job'] as const) {
      for (const owner of this.store.list(kind)) {
        const pods = this.store.list('Pod', owner.metadata.namespace);
        const res =
          kind === 'Deployment' ? reconcileDeployment(owner, pods, info) : reconcileJob(owner, pods, info);
        for (const p of res.delete)
          this.store.delete({ kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name });
        for (const p of res.create) this.store.put(this.admit(p));
        this.store.setStatus(
          keyOf({ kind, namespace: owner.metadata.namespace, name: owner.metadata.name }),
          res.status,
        );
      }
    }
    // Kubelet: start new pods, stop removed ones.
    const stored = this.store.list('Pod');
    const uids = new Set(stored.map((p) => p.metadata.uid));
    const gone = [...this.kubelet.pods.values()]
      .filter((rt) => !uids.has(rt.uid) && !rt.stopping)
      .map((rt) => rt.uid);
    if (gone.length) {
      void this.kubelet
        .stop(gone)
        .catch((err) => this.logger.error('stopping pods failed', { err: String(err) }));
    }
    const fresh = stored.filter((p) => !this.kubelet.pods.has(p.metadata.uid ?? ''));
    if (fresh.length) {
      await prepareSidecarProgram(fresh, this.paths.meshDir, this.logger);
      await this.kubelet.start(fresh.map((obj) => ({ key: obj.metadata.uid ?? '', obj })));
    }
    for (const rt of this.kubelet.pods.values()) {
      if (rt.stopping) continue;
      const key = keyOf({ kind: 'Pod', namespace: rt.namespace, name: rt.name });
      const info = this.kubelet.info(rt);
      this.store.setStatus(
        key,
        {
          phase: info.phase,
          podIP: rt.ip,
          podIPs: [{ ip: rt.ip }],
          hostIP: rt.node.ip,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: info.ready ? 'True' : 'False' },
            { type: 'ContainersReady', status: info.ready ? 'True' : 'False' },
          ],
          containerStatuses: info.containers.map((c) => ({
            name: c.name,
            ready: info.ready,
            restartCount: c.restarts,
            state: c.running ? { running: {} } : { terminated: { exitCode: c.exitCode ?? 0 } },
          })),
        },
        (o) => {
          (o.spec as PodSpec).nodeName = rt.node.name;
          o.metadata.annotations = {
            ...o.metadata.annotations,
            'meshbench.io/netns': `/run/netns/${rt.netns}`,
          };
        },
      );
    }
    // Endpoints.
    const pods = this.store.list('Pod');
    const liveKeys = new Set<string>();
    for (const svc of this.store.list('Service')) {
      const key = keyOf({ kind: 'Service', namespace: svc.metadata.namespace, name: svc.metadata.name });
      liveKeys.add(key);
      if (!(svc.spec as { selector?: unknown }).selector) continue;
      const eps = serviceEndpoints(svc, pods, info);
      if (JSON.stringify(eps) !== JSON.stringify(this.endpoints.get(key))) {
        this.endpoints.set(key, eps);
        this.store.put({
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace },
          subsets: eps.map((e) => ({
            addresses: [
              {
                ip: e.ip,
                nodeName: e.node,
                targetRef: { kind: 'Pod', name: e.pod, namespace: svc.metadata.namespace },
              },
            ],
            ports: e.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
          })),
        });
      }
    }
    for (const key of [...this.endpoints.keys()]) {
      if (!liveKeys.has(key)) {
        this.endpoints.delete(key);
        const [, ns, name] = key.split('/');
        this.store.delete({ kind: 'Endpoints', namespace: ns, name: name! });
      }
    }
    await this.syncRules();
    this.syncConfigDir();
  }

  /** Waypoint Gateways → ServiceAccount + Deployment + Service, and the Gateway's status. */
  private reconcileWaypoints(): void {
    const node0 = this.state.state.nodes[0];
    if (!node0) return;
    const owned = ['ServiceAccount', 'Deployment', 'Service'].flatMap((k) =>
      this.store.list(k, undefined, { 'gateway.istio.io/managed': 'istio.io-mesh-controller' }),
    );
    const plan = reconcileWaypoints(
      this.store.list('Gateway'),
      owned,
      (ref) => this.store.get(ref),
      waypointCommand(this.paths, node0.ip),
    );
    if (plan.apply.length) this.apply(plan.apply);
    if (plan.delete.length) this.delete(plan.delete);
    for (const s of plan.status)
      this.store.setStatus(keyOf({ kind: 'Gateway', namespace: s.namespace, name: s.name }), s.status);
  }

  private async syncRules(): Promise<void> {
    const rules: ServiceRule[] = [];
    for (const svc of this.store.list('Service')) {
      const spec = svc.spec as {
        clusterIP?: string;
        ports?: { port: number; name?: string; protocol?: string }[];
      };
      if (!spec.clusterIP || spec.clusterIP === 'None') continue;
      const eps =
        this.endpoints.get(
          keyOf({ kind: 'Service', namespace: svc.metadata.namespace, name: svc.metadata.name }),
        ) ?? [];
      for (const port of spec.ports ?? []) {
        rules.push({
          clusterIP: spec.clusterIP,
          port: port.port,
          protocol: (port.protocol ?? 'TCP').toLowerCase() === 'udp' ? 'udp' : 'tcp',
          endpoints: eps.flatMap((e) => {
            const p = e.ports.find((x) => x.port === port.port);
            return p ? [{ ip: e.ip, port: p.targetPort }] : [];
          }),
        });
      }
    }
    const script = renderRules(rules);
    if (script === this.lastRules) return;
    await Promise.all(this.state.state.nodes.map((n) => applyRules(n.netns, script)));
    this.lastRules = script;
  }

  /** Mirrors changed objects into `<state>/config/` (one file per object, atomic writes). */
  private syncConfigDir(): void {
    const keys = [...this.changed];
    this.changed.clear();
    for (const key of keys) {
      const o = this.store.getByKey(key);
      const old = this.written.get(key);
      if (!o) {
        if (old) rmSync(join(this.paths.configDir, old), { force: true });
        this.written.delete(key);
        continue;
      }
      const file = configFileName(o.kind, o.metadata.namespace, o.metadata.name);
      writeFileAtomic(join(this.paths.configDir, file), stringify(o));
      this.written.set(key, file);
    }
  }

  /** Stops every pod and the DNS server. */
  async shutdown(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.kubelet.stop([...this.kubelet.pods.keys()], 1000);
    this.closeDns?.();
  }

  /** Removes stale config files left from a previous daemon (none expected). */
  cleanConfigDir(): void {
    try {
      for (const f of readdirSync(this.paths.configDir))
        rmSync(join(this.paths.configDir, f), { force: true });
    } catch {}
  }

  /** Throws E_NOT_FOUND for a missing pod. */
  requirePod(namespace: string, name: string): PodRuntime {
    const rt = this.runtimeOf(namespace, name);
    if (!rt) {
      throw new MeshbenchError('E_NOT_FOUND', `pod ${namespace}/${name} not found (or not started yet)`, {
        hint: 'list pods with cluster.pods(namespace)',
      });
    }
    return rt;
  }
}
