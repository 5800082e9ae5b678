/**
 * @module suites/performance/resource-suite
 * Resource cost of the proxies (`Cluster.usage`, from each pod's cgroup as kubelet reads it):
 * - per 1000 rps: fortio at 1000 qps through each mode; CPU seconds and peak memory of the proxy
 *   pods (ztunnel of the client and server nodes, the waypoint, or the sidecar pods). Peak memory is
 *   the processes' peak RSS during the load window where the provider resets peaks (local), else the
 *   pod cgroup's lifetime peak. A sidecar's
 *   figure is its `istio-proxy` container where the provider splits pod usage by container, else
 *   the pod's usage minus the same pod's cost in `baseline` (the application alone);
 * - scaling: N = 1..32 idle server replicas; total proxy memory and CPU, sidecar-per-pod against
 *   ztunnel-per-node (plus the waypoint pod in waypoint mode).
 */
import type { Cluster, MeshInfo, PodInfo, PodRef, PodUsage } from '../../clusters/cluster.ts';
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type { Mode, ResourcePoint, ScalingPoint, SkippedMode } from '../../results/performance/types.ts';
import { runFortioLoad } from './fortio-driver.ts';
import type { SuiteProgress } from './latency-suite.ts';
import type { ModeDeployment } from './mode-deployment.ts';
import { deployModes } from './mode-set.ts';
import { WAYPOINT_NAME, withBaseline } from './modes.ts';
import { type Profile, type ProfileName, resolveProfile } from './profiles.ts';

const MIB = 1024 * 1024;
/** Istio's name for the injected proxy container. */
const SIDECAR_CONTAINER = 'istio-proxy';

export interface ResourceSuiteOptions {
  modes: readonly Mode[];
  profile: ProfileName | Profile;
  durationSeconds?: number;
  replicas?: number[];
  mesh?: MeshInfo | undefined;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: SuiteProgress) => void;
}

export interface ResourceSuiteResult {
  resources: ResourcePoint[];
  scaling: ScalingPoint[];
  skippedModes: SkippedMode[];
}

type Component = ResourcePoint['component'];

/** The pods whose usage counts as the proxy cost of `d`'s mode. */
export async function proxyPods(
  cluster: Cluster,
  d: ModeDeployment,
  mesh: MeshInfo | undefined,
): Promise<{ pod: PodInfo; component: Component }[]> {
  if (d.mode === 'baseline') {
    return [d.client, d.server].map((pod) => ({ pod, component: 'application' as const }));
  }
  if (d.mode === 'sidecar')
    return [d.client, d.server].map((pod) => ({ pod, component: 'sidecar' as const }));
  const nodes = new Set([d.client.node, d.server.node]);
  const ztunnels = mesh
    ? (await cluster.pods(mesh.systemNamespace, { app: 'ztunnel' })).filter((p) => nodes.has(p.node))
    : [];
  const out: { pod: PodInfo; component: Component }[] = ztunnels.map((pod) => ({
    pod,
    component: 'ztunnel',
  }));
  if (d.mode === 'waypoint') {
    const waypoints = await cluster.pods(d.namespace, {
      'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME,
    });
    out.push(...waypoints.map((pod) => ({ pod, component: 'waypoint' as const })));
  }
  return out;
}

/**
 * A pod's peak memory over the load window: its processes' peak RSS (reset before the window) where
 * the provider splits usage per container and resets peaks; else the pod cgroup's peak (its whole
 * life, page cache and socket buffers included).
 */
function windowPeak(u: PodUsage, peaksWereReset: boolean): number {
  const containers = Object.values(u.containers ?? {});
  if (!peaksWereReset || containers.length === 0) return u.peakMemoryBytes;
  return containers.reduce((sum, c) => sum + c.peakMemoryBytes, 0);
}

async function usageOf(cluster: Cluster, pods: readonly PodRef[]): Promise<PodUsage[]> {
  return Promise.all(pods.map((p) => cluster.usage(p)));
}

/** Runs the per-1000-rps measurement and the scaling measurement in every available mode. */
export async function runResourceSuite(
  cluster: Cluster,
  options: ResourceSuiteOptions,
): Promise<ResourceSuiteResult> {
  const logger = options.logger ?? silentLogger;
  const profile = resolveProfile(options.profile);
  if (!cluster.capabilities.has('usage')) {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `cluster ${cluster.name} (provider ${cluster.provider}) cannot measure pod usage`,
      {
        hint: 'the resource suite needs Cluster.usage (capability "usage")',
      },
    );
  }
  const seconds = options.durationSeconds ?? profile.resourceSeconds;
  const modes: Mode[] = withBaseline(options.modes);
  const resources: ResourcePoint[] = [];
  const skippedModes: SkippedMode[] = [];
  const set = await deployModes(cluster, modes, {
    mesh: options.mesh,
    logger,
    signal: options.signal,
    prefix: 'mb-res',
  });
  skippedModes.push(...set.skipped);
  try {
    const appCpu = new Map<string, number>(); // role (client/server) → baseline CPU seconds
    for (const [i, d] of set.deployments.entries()) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ step: `${d.mode} resources`, done: i, total: set.deployments.length });
      const targets = await proxyPods(cluster, d, options.mesh);
      if (targets.length === 0) {
        skippedModes.push({
          mode: d.mode,
          reason: `mode ${d.mode}: no proxy pods found to measure (ztunnel/waypoint pods missing)`,
        });
        continue;
      }
      try {
        const before = await usageOf(
          cluster,
          targets.map((t) => t.pod),
        );
        // The peak of this load window, not of the proxy's whole life (earlier suites' bulk
        // transfers), where the provider can reset it.
        await Promise.all(targets.map((t) => cluster.resetPeakMemory?.(t.pod)));
        const sample = await runFortioLoad(cluster, d.client, {
          url: d.httpUrl,
          qps: profile.qps,
          connections: 8,
          durationSeconds: seconds,
          payloadBytes: profile.payloadBytes,
          uniform: true,
          noCatchUp: true,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const after = await usageOf(
          cluster,
          targets.map((t) => t.pod),
        );
        const rps = sample.qpsActual;
        targets.forEach((t, k) => {
          const role = t.pod === d.client ? 'client' : t.pod === d.server ? 'server' : '';
          const proxyBefore =
            t.component === 'sidecar' ? before[k]!.containers?.[SIDECAR_CONTAINER] : undefined;
          const proxyAfter =
            t.component === 'sidecar' ? after[k]!.containers?.[SIDECAR_CONTAINER] : undefined;
          let cpu = Math.max(0, after[k]!.cpuSeconds - before[k]!.cpuSeconds);
          let peak = windowPeak(after[k]!, cluster.resetPeakMemory !== undefined);
          if (t.component === 'application' && role) appCpu.set(role, cpu);
          if (proxyBefore && proxyAfter) {
            // the provider splits the pod: the sidecar container's own process
            cpu = Math.max(0, proxyAfter.cpuSeconds - proxyBefore.cpuSeconds);
            peak = proxyAfter.peakMemoryBytes;
          } else if (t.component === 'sidecar' && role) cpu = Math.max(0, cpu - (appCpu.get(role) ?? 0));
          resources.push({
            mode: d.mode,
            component: t.component,
            pod: `${t.pod.namespace}/${t.pod.name}`,
            rps,
            durationSeconds: sample.durationSeconds,
            cpuSeconds: cpu,
            cpuCoresPer1000Rps:
              rps > 0 && sample.durationSeconds > 0 ? cpu / sample.durationSeconds / (rps / 1000) : 0,
            peakMemoryMiB: peak / MIB,
          });
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        // one mode failing under load is reported as skipped; the other modes still count
        const reason = `mode ${d.mode}: load through it failed: ${describeError(err)}`;
        logger.warn('mode skipped', { mode: d.mode, reason });
        skippedModes.push({ mode: d.mode, reason });
      }
    }
  } finally {
    await set.teardown();
  }
  const scaling = await runScaling(
    cluster,
    modes,
    options.replicas ?? profile.scalingReplicas,
    options,
    logger,
  );
  return { resources, scaling, skippedModes };
}

/** Scaling: for each replica count, deploy N servers per mode and sum the proxies' memory and CPU. */
async function runScaling(
  cluster: Cluster,
  modes: Mode[],
  replicaCounts: number[],
  options: ResourceSuiteOptions,
  logger: Logger,
): Promise<ScalingPoint[]> {
  const scaling: ScalingPoint[] = [];
  for (const n of replicaCounts) {
    options.signal?.throwIfAborted();
    options.onProgress?.({ step: `scaling ${n} replicas`, done: 0, total: 0 });
    const set = await deployModes(cluster, modes, {
      mesh: options.mesh,
      logger,
      signal: options.signal,
      serverReplicas: n,
      prefix: `mb-scale-${n}`,
    });
    try {
      let appPodMemory = 0;
      let appPodCpu = 0;
      for (const d of set.deployments) {
        const servers = await cluster.pods(d.namespace, { app: 'fortio-server' });
        const meshPods =
          (d.mode === 'ambient' || d.mode === 'waypoint') && options.mesh
            ? await cluster.pods(options.mesh.systemNamespace, { app: 'ztunnel' })
            : [];
        const waypoints =
          d.mode === 'waypoint'
            ? await cluster.pods(d.namespace, { 'gateway.networking.k8s.io/gateway-name': WAYPOINT_NAME })
            : [];
        const pods = d.mode === 'ambient' || d.mode === 'waypoint' ? [...meshPods, ...waypoints] : servers;
        const u0 = await usageOf(cluster, pods);
        await new Promise((r) => setTimeout(r, 1000));
        const u1 = await usageOf(cluster, pods);
        // a split sidecar pod counts only its proxy container
        const part = (u: PodUsage) =>
          (d.mode === 'sidecar' ? u.containers?.[SIDECAR_CONTAINER] : undefined) ?? u;
        const split = d.mode === 'sidecar' && u1.every((u) => u.containers?.[SIDECAR_CONTAINER]);
        const memory = u1.reduce((s, u) => s + part(u).memoryBytes, 0) / MIB;
        const cpu = u1.reduce((s, u, k) => s + Math.max(0, part(u).cpuSeconds - part(u0[k]!).cpuSeconds), 0);
        if (d.mode === 'baseline') {
          appPodMemory = memory / Math.max(1, pods.length);
          appPodCpu = cpu / Math.max(1, pods.length);
          continue;
        }
        const subtractApp = d.mode === 'sidecar' && !split;
        const proxyMemory = subtractApp ? Math.max(0, memory - appPodMemory * pods.length) : memory;
        const proxyCpu = subtractApp ? Math.max(0, cpu - appPodCpu * pods.length) : cpu;
        scaling.push({
          mode: d.mode,
          replicas: n,
          proxies: pods.length,
          totalProxyMemoryMiB: proxyMemory,
          totalProxyCpuCores: proxyCpu,
        });
      }
    } finally {
      await set.teardown();
    }
  }
  return scaling;
}
