/**
 * @module clusters/local/daemon/kubelet
 * Runs pods (kubelet's role): network namespace and cgroup per pod, each container a process in
 * the pod's namespace and cgroup (`ip netns exec`), logs appended to files, restart policies with
 * backoff, readiness probes from inside the pod, status reported back to the store. A pod's
 * containers start after the node's pod start hook (the mesh's capture, pod-start-hook.ts) is done
 * with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../core/logger.ts';
import type { KubeObject, PodInfo, PodPhase } from '../../cluster.ts';
import { cgroupProcsEnv, cgroupShArgs, createGroup, groupDirs, removeTree } from '../cgroups.ts';
import { REPO_ROOT, resolveContainer } from '../images.ts';
import { clusterPaths, linkName, podNetns, podStartHookSocket } from '../naming.ts';
import type { NodeRecord, StateFile } from '../state.ts';
import { createPodNetworks, deleteNetns, podIp, removeEtcNetns, writeEtcNetns } from '../topology.ts';
import { launchInOrder } from './container-start.ts';
import { runPodStartHook } from './pod-start-hook.ts';
import { type ProbeSpec, runProbe } from './probe.ts';

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { containerPort: number; name?: string; protocol?: string }[];
  readinessProbe?: ProbeSpec;
  workingDir?: string;
}

export interface PodSpec {
  containers: ContainerSpec[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  nodeName?: string;
  hostNetwork?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}

interface ContainerRuntime {
  spec: ContainerSpec;
  argv: string[];
  child?: ChildProcess;
  pid?: number;
  running: boolean;
  restarts: number;
  backoffStep: number;
  exitCode?: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
  /** Exited and will not be restarted. */
  done: boolean;
}

/** A running pod. */
export interface PodRuntime {
  key: string;
  uid: string;
  namespace: string;
  name: string;
  node: NodeRecord;
  hostNetwork: boolean;
  netns: string;
  ip: string;
  cgroups: string[];
  etcDir?: string;
  env: Record<string, string>;
  containers: ContainerRuntime[];
  ready: boolean;
  probeTimer?: NodeJS.Timeout;
  stopping: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  namedPorts: Record<string, number>;
  /** The pod spec as applied (immutable once stored). */
  spec: PodSpec;
}

export interface KubeletOptions {
  cluster: string;
  state: StateFile;
  logsDir: string;
  logger: Logger;
  /** Called whenever a pod's status may have changed. */
  onStatus: (rt: PodRuntime) => void;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** Pod runtime manager. */
export class Kubelet {
  readonly pods = new Map<string, PodRuntime>();
  private rr = 0;
  private readonly usedIps = new Map<number, Set<number>>();
  /** Per node, where the next address search starts (see `allocIp`). */
  private readonly nextIp = new Map<number, number>();

  constructor(private readonly o: KubeletOptions) {}

  private nodes(): NodeRecord[] {
    return this.o.state.state.nodes;
  }

  /**
   * Next-fit: the search starts after the last address handed out, so a just-freed address is not
   * reused at once. A deleted pod's veth (and its /32 route on the node) can outlive `netns del`
   * while something still holds the namespace; lowest-first reuse then made the next pod's wiring
   * fail with "File exists", and every retry picked the same address again.
   */
  private allocIp(node: NodeRecord): string {
    const used = this.usedIps.get(node.index) ?? new Set<number>();
    this.usedIps.set(node.index, used);
    const start = this.nextIp.get(node.index) ?? 2;
    for (let i = 0; i < 253; i++) {
      const k = 2 + ((start - 2 + i) % 253);
      if (!used.has(k)) {
        used.add(k);
        this.nextIp.set(node.index, k === 254 ? 2 : k + 1);
        return podIp(node.index, k);
      }
    }
    throw new Error(`node ${node.name} has no free pod address`);
  }

  private freeIp(rt: PodRuntime): void {
    if (rt.hostNetwork) return;
    this.usedIps.get(rt.node.index)?.delete(Number(rt.ip.split('.')[3]));
  }

  /** Starts every pod in `pods` (new ones), wiring their namespaces in one batch. */
  async start(pods: readonly { key: string; obj: KubeObject }[]): Promise<void> {
    if (pods.length === 0) return;
    const cluster = this.o.cluster;
    const fresh: PodRuntime[] = [];
    for (const { key, obj } of pods) {
      const spec = obj.spec as PodSpec;
      const nodes = this.nodes();
      const node =
        (spec.nodeName && nodes.find((n) => n.name === spec.nodeName)) || nodes[this.rr++ % nodes.length]!;
      const hostNetwork = spec.hostNetwork === true;
      const uid = obj.metadata.uid ?? key;
      const netns = hostNetwork ? node.netns : podNetns(cluster, uid);
      const ip = hostNetwork ? node.ip : this.allocIp(node);
      const ns = obj.metadata.namespace ?? 'default';
      const sa = spec.serviceAccountName ?? 'default';
      const namedPorts: Record<string, number> = {};
      for (const c of spec.containers)
        for (const p of c.ports ?? []) if (p.name) namedPorts[p.name] = p.containerPort;
      const env: Record<string, string> = {
        POD_NAME: obj.metadata.name,
        POD_NAMESPACE: ns,
        POD_IP: ip,
        INSTANCE_IP: ip,
        NODE_NAME: node.name,
        SERVICE_ACCOUNT: sa,
        HOSTNAME: obj.metadata.name,
      };
      fresh.push({
        key,
        uid,
        namespace: ns,
        name: obj.metadata.name,
        node,
        hostNetwork,
        netns,
        ip,
        cgroups: groupDirs(cluster, `pod-${uid}`),
        env,
        containers: spec.containers.map((c, i) => ({
          spec: c,
          argv: resolveContainer(c, `spec.containers[${i}]`),
          running: false,
          restarts: 0,
          backoffStep: 0,
          startedAt: 0,
          done: false,
        })),
        ready: false,
        stopping: false,
        labels: obj.metadata.labels ?? {},
        annotations: obj.metadata.annotations ?? {},
        serviceAccount: sa,
        namedPorts,
        spec,
      });
    }
    const networked = fresh.filter((p) => !p.hostNetwork);
    const nets = networked.map((p) => ({
      netns: p.netns,
      hostLink: linkName(cluster, `pod-${p.uid}`),
      ip: p.ip,
      node: p.node,
      resolvSearch: [`${p.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'],
      hostname: p.name,
    }));
    this.o.state.record((s) => {
      for (const n of nets) {
        s.netns.push(n.netns);
        s.links.push({ name: n.hostLink, netns: n.node.netns });
        s.etcNetns.push(`/etc/netns/${n.netns}`);
      }
      s.cgroups.push(...fresh.flatMap((p) => p.cgroups));
    });
    for (const p of fresh) {
      this.pods.set(p.key, p);
      if (!p.hostNetwork) p.etcDir = `/etc/netns/${p.netns}`;
      else writeEtcNetns(p.netns, ['cluster.local'], p.ip, p.node.name);
      createGroup(p.cgroups);
    }
    try {
      await createPodNetworks(nets);
    } catch (err) {
      // Undo and let the next reconcile retry these pods from scratch.
      this.o.logger.error('wiring pod networks failed; will retry', { err: String(err) });
      for (const p of fresh) p.stopping = true;
      await deleteNetns(nets.map((n) => n.netns));
      for (const p of fresh) {
        for (const d of p.cgroups) removeTree(d);
        if (p.etcDir) removeEtcNetns(p.etcDir);
        this.freeIp(p);
        this.pods.delete(p.key);
      }
      throw err;
    }
    for (const p of fresh) {
      void this.startHookDone(p).then((go) => {
        // Spec order; a container's postStart hook (the injected sidecar's) holds the next ones.
        if (go) void launchInOrder(p, p.containers, (c) => this.launch(p, c), this.o.logger);
      });
      this.scheduleProbe(p, 0);
      this.o.onStatus(p);
    }
  }

  /**
   * Resolves when `p`'s containers may start: at once for host-network pods and when the node has
   * no pod start hook; else once the hook answered (the mesh captured the pod, or it is not a mesh
   * pod) or gave up. False when the pod is being stopped meanwhile.
   */
  private async startHookDone(p: PodRuntime): Promise<boolean> {
    if (p.hostNetwork) return true;
    const socket = podStartHookSocket(clusterPaths(this.o.cluster), p.node.name);
    const started = Date.now();
    const outcome = await runPodStartHook(
      socket,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: p.name,
          namespace: p.namespace,
          uid: p.uid,
          labels: p.labels,
          // As the daemon annotates the pod in the store.
          annotations: { ...p.annotations, 'meshbench.io/netns': `/run/netns/${p.netns}` },
        },
        spec: { nodeName: p.node.name, serviceAccountName: p.serviceAccount },
        status: { phase: 'Pending', podIP: p.ip, podIPs: [{ ip: p.ip }] },
      },
      { cancelled: () => p.stopping },
    );
    if (outcome.kind === 'gave-up')
      this.o.logger.warn('pod start hook did not answer; starting the containers anyway', {
        pod: p.key,
        error: outcome.error,
      });
    else if (outcome.kind === 'answered')
      this.o.logger.debug('pod start hook answered', {
        pod: p.key,
        captured: outcome.captured,
        ms: Date.now() - started,
      });
    return outcome.kind !== 'cancelled' && !p.stopping;
  }

  private launch(p: PodRuntime, c: ContainerRuntime): void {
    if (p.stopping) return;
    const dir = join(this.o.logsDir, p.namespace, p.name);
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `${c.spec.name}.log`), 'a');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...p.env,
      ...cgroupProcsEnv(p.cgroups),
    };
    for (const e of c.spec.env ?? []) {
      const f = e.valueFrom?.fieldRef?.fieldPath;
      env[e.name] =
        e.value ??
        (f === 'metadata.name'
          ? p.name
          : f === 'metadata.namespace'
            ? p.namespace
            : f === 'status.podIP'
              ? p.ip
              : f === 'spec.nodeName'
                ? p.node.name
                : f === 'spec.serviceAccountName'
                  ? p.serviceAccount
                  : '');
    }
    const child = spawn('sh', [...cgroupShArgs('mb-container'), 'ip', 'netns', 'exec', p.netns, ...c.argv], {
      env,
      cwd: c.spec.workingDir ?? REPO_ROOT,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    c.child = child;
    c.pid = child.pid;
    c.running = true;
    c.startedAt = Date.now();
    c.exitCode = undefined;
    child.on('error', (err) =>
      this.o.logger.warn('container failed to start', { pod: p.key, err: String(err) }),
    );
    child.on('exit', (code, signal) => {
      c.running = false;
      c.child = undefined;
      c.exitCode = code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1);
      if (p.stopping) return;
      const policy = p.spec.restartPolicy ?? 'Always';
      const restart = policy === 'Always' || (policy === 'OnFailure' && c.exitCode !== 0);
      if (restart) {
        // Backoff doubles per crash and starts over after a container ran for 10 s.
        if (Date.now() - c.startedAt > 10_000) c.backoffStep = 0;
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(c.backoffStep++, 10));
        c.restarts++;
        c.timer = setTimeout(() => this.launch(p, c), delay);
      } else c.done = true;
      this.updateReady(p);
      this.o.onStatus(p);
    });
  }

  private scheduleProbe(p: PodRuntime, delayMs: number): void {
    clearTimeout(p.probeTimer);
    if (p.stopping) return;
    p.probeTimer = setTimeout(() => void this.probe(p), delayMs);
  }

  private async probe(p: PodRuntime): Promise<void> {
    await this.updateReady(p);
    this.o.onStatus(p);
    const probe = p.spec.containers.find((c) => c.readinessProbe)?.readinessProbe;
    const period = p.ready ? (probe?.periodSeconds ?? 2) * 1000 : 100;
    if (!p.containers.every((c) => c.done)) this.scheduleProbe(p, period);
  }

  private async updateReady(p: PodRuntime): Promise<void> {
    const running = p.containers.every((c) => c.running);
    if (!running) {
      p.ready = false;
      return;
    }
    let ok = true;
    for (const c of p.spec.containers) {
      if (!c.readinessProbe) continue;
      const rt = p.containers.find((x) => x.spec.name === c.name);
      const delay = (c.readinessProbe.initialDelaySeconds ?? 0) * 1000;
      if (!rt || Date.now() - rt.startedAt < delay) ok = false;
      else if (!(await runProbe(c.readinessProbe, p.netns, p.ip, p.namedPorts))) ok = false;
    }
    p.ready = ok && p.containers.every((c) => c.running) && !p.stopping;
  }

  /** The pod's phase from its containers. */
  phase(p: PodRuntime): PodPhase {
    if (p.containers.every((c) => c.done)) {
      return p.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
    }
    return p.containers.some((c) => c.running || c.timer) ? 'Running' : 'Pending';
  }

  /** PodInfo view of a runtime. */
  info(p: PodRuntime): PodInfo {
    return {
      namespace: p.namespace,
      name: p.name,
      node: p.node.name,
      ip: p.ip,
      phase: this.phase(p),
      ready: p.ready,
      labels: p.labels,
      serviceAccount: p.serviceAccount,
      restarts: p.containers.reduce((a, c) => a + c.restarts, 0),
      containers: p.containers.map((c) => ({
        name: c.spec.name,
        pid: c.pid,
        running: c.running,
        restarts: c.restarts,
        exitCode: c.exitCode,
      })),
      hostNetwork: p.hostNetwork,
    };
  }

  /** Stops pods (SIGTERM, SIGKILL after the grace) and removes their namespaces and cgroups. */
  async stop(keys: readonly string[], graceMs = 2000): Promise<void> {
    const list = keys.map((k) => this.pods.get(k)).filter((p): p is PodRuntime => !!p);
    if (list.length === 0) return;
    for (const p of list) {
      p.stopping = true;
      p.ready = false;
      clearTimeout(p.probeTimer);
      for (const c of p.containers) {
        clearTimeout(c.timer);
        if (c.pid && c.running) signalGroup(c.pid, 'SIGTERM');
      }
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && list.some((p) => p.containers.some((c) => c.running))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const p of list) for (const c of p.containers) if (c.pid && c.running) signalGroup(c.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 20));
    await deleteNetns(list.filter((p) => !p.hostNetwork).map((p) => p.netns));
    for (const p of list) {
      for (const d of p.cgroups) removeTree(d);
      if (p.etcDir) removeEtcNetns(p.etcDir);
      this.freeIp(p);
      this.pods.delete(p.key);
    }
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {}
  }
}
