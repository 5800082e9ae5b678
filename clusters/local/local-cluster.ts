/**
 * @module clusters/local/local-cluster
 * `LocalCluster`, the `Cluster` of the local provider: a thin client of the cluster daemon's API.
 * Pod-level operations (call, podHttp, exec, logs, usage, capture) run here, in the harness, by
 * entering the pod's network namespace and cgroup, never through a host route.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type {
  CallRequest,
  CallResult,
  Capability,
  CaptureOptions,
  CaptureTarget,
  Cluster,
  ExecOptions,
  ExecResult,
  HttpResponse,
  KubeObject,
  LogOptions,
  MeshInfo,
  MeshInstallOptions,
  ObjectRef,
  PacketCapture,
  PodHttpRequest,
  PodInfo,
  PodRef,
  PodUsage,
  WaitOptions,
} from '../cluster.ts';
import { callDaemon } from './api-client.ts';
import { startCapture } from './capture.ts';
import { cgroupProcsEnv, cgroupShArgs, groupUsage } from './cgroups.ts';
import type { Readiness } from './daemon/daemon.ts';
import { httpIn } from './daemon/probe.ts';
import { REPO_ROOT } from './images.ts';
import { installReferenceMesh, uninstallReferenceMesh } from './mesh.ts';
import type { ClusterPaths } from './naming.ts';
import { containerUsage, resetProcessPeak } from './process-usage.ts';
import { teardownCluster } from './teardown.ts';

/** What the daemon tells about a pod's runtime. */
export interface PodRuntimeInfo {
  netns: string;
  cgroups: string[];
  env: Record<string, string>;
  ip: string;
  node: string;
  hostNetwork: boolean;
  containers: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalCluster implements Cluster {
  readonly provider = 'local';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'capture',
    'usage',
    'exec',
    'mesh:reference',
  ]);

  constructor(
    readonly name: string,
    readonly paths: ClusterPaths,
    private readonly logger: Logger,
  ) {}

  /** Calls the daemon. */
  api<T>(op: string, body: unknown = {}, timeoutMs?: number): Promise<T> {
    return callDaemon<T>(this.paths.socket, op, body, timeoutMs);
  }

  async apply(objects: readonly KubeObject[]): Promise<void> {
    await this.api('apply', { objects });
  }

  async delete(refs: readonly (ObjectRef | KubeObject)[]): Promise<void> {
    await this.api('delete', { refs });
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return (await this.api<{ object: KubeObject | null }>('get', { ref })).object ?? undefined;
  }

  async list(
    kind: string,
    namespace?: string,
    labelSelector?: Record<string, string>,
  ): Promise<KubeObject[]> {
    return (await this.api<{ items: KubeObject[] }>('list', { kind, namespace, labelSelector })).items;
  }

  async waitReady(refs: readonly (ObjectRef | KubeObject)[], options: WaitOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (const ref of refs) {
      for (;;) {
        options.signal?.throwIfAborted();
        const r = await this.api<Readiness>('ready', { ref });
        if (r.ready) break;
        const m = 'metadata' in ref ? (ref as KubeObject).metadata : (ref as ObjectRef);
        const what = `${ref.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
        if (r.failed) {
          throw new MeshbenchError(r.code ?? 'E_TIMEOUT', `${what} will never become ready: ${r.seen}`, {
            hint: `check cluster.pods() and cluster.logs(); the daemon log is ${this.paths.daemonLog}`,
          });
        }
        if (Date.now() > deadline) {
          throw new MeshbenchError(
            'E_TIMEOUT',
            `${what} not ready after ${options.timeoutMs ?? 60_000} ms; last seen: ${r.seen}`,
            { hint: `check cluster.pods() and cluster.logs(); the daemon log is ${this.paths.daemonLog}` },
          );
        }
        await sleep(50);
      }
    }
  }

  async pods(namespace: string, labelSelector?: Record<string, string>): Promise<PodInfo[]> {
    return (await this.api<{ pods: PodInfo[] }>('pods', { namespace, labelSelector })).pods;
  }

  /** Runtime facts of a pod (namespace, cgroups, env). */
  runtime(pod: PodRef): Promise<PodRuntimeInfo> {
    return this.api<PodRuntimeInfo>('runtime', pod);
  }

  async call(from: PodRef, request: CallRequest): Promise<CallResult> {
    const rt = await this.runtime(from);
    const count = request.count ?? 1;
    const budget = count * ((request.timeoutMs ?? 5000) + (request.intervalMs ?? 0)) + 5000;
    let res: HttpResponse;
    try {
      res = await httpIn(rt.netns, '127.0.0.1', 7071, {
        method: 'POST',
        path: '/forward',
        body: JSON.stringify(request),
        headers: { 'content-type': 'application/json' },
        timeoutMs: budget,
      });
    } catch (err) {
      throw new MeshbenchError(
        'E_CALL',
        `cannot reach the echo forward API of ${from.namespace}/${from.name}: ${(err as Error).message}`,
        {
          cause: err,
          hint: 'the pod must run the echo app (image meshbench/echo) with its control port 7071',
        },
      );
    }
    if (res.status !== 200) {
      throw new MeshbenchError(
        'E_CALL',
        `echo forward API of ${from.namespace}/${from.name} answered ${res.status}: ${res.body.slice(0, 300)}`,
      );
    }
    const parsed = JSON.parse(res.body) as { outcomes: CallResult['outcomes'] };
    return { from, request, outcomes: parsed.outcomes };
  }

  async exec(pod: PodRef, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const rt = await this.runtime(pod);
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const child = spawn('sh', [...cgroupShArgs('mb-exec'), 'ip', 'netns', 'exec', rt.netns, ...argv], {
        env: {
          // Tools the images map to (fortio) resolve in exec too, as inside their container.
          PATH: `${REPO_ROOT}/.tools/bin:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
          HOME: process.env.HOME ?? '/root',
          ...rt.env,
          ...cgroupProcsEnv(rt.cgroups),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {}
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      options.signal?.addEventListener('abort', kill, { once: true });
      child.on('error', (err) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', kill);
        reject(
          new MeshbenchError('E_EXEC', `exec in ${pod.namespace}/${pod.name} failed: ${err.message}`, {
            cause: err,
          }),
        );
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', kill);
        if (timedOut) {
          reject(
            new MeshbenchError(
              'E_TIMEOUT',
              `exec ${argv.join(' ')} in ${pod.namespace}/${pod.name} exceeded ${timeoutMs} ms`,
            ),
          );
        } else resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  }

  async podHttp(pod: PodRef, request: PodHttpRequest): Promise<HttpResponse> {
    const rt = await this.runtime(pod);
    return httpIn(rt.netns, '127.0.0.1', request.port, request);
  }

  async logs(pod: PodRef, options: LogOptions = {}): Promise<string> {
    const rt = await this.runtime(pod);
    const container = options.container ?? rt.containers[0];
    const file = join(this.paths.logsDir, pod.namespace, pod.name, `${container}.log`);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (options.tail === undefined) return text;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-options.tail).join('\n') + (lines.length ? '\n' : '');
  }

  async usage(pod: PodRef): Promise<PodUsage> {
    const [rt, info] = await Promise.all([
      this.runtime(pod),
      this.pods(pod.namespace).then((l) => l.find((p) => p.name === pod.name)),
    ]);
    return { ...groupUsage(rt.cgroups), containers: containerUsage(info?.containers ?? []) };
  }

  async resetPeakMemory(pod: PodRef): Promise<void> {
    const info = (await this.pods(pod.namespace)).find((p) => p.name === pod.name);
    for (const c of info?.containers ?? []) if (c.pid && c.running) resetProcessPeak(c.pid);
  }

  async capture(target: CaptureTarget, options: CaptureOptions = {}): Promise<PacketCapture> {
    if ('underlay' in target) return startCapture(this.name, this.paths, { underlay: true }, options);
    const rt = await this.runtime(target.pod);
    return startCapture(this.name, this.paths, { netns: rt.netns, iface: 'eth0' }, options);
  }

  installMesh(options: MeshInstallOptions, wait?: WaitOptions): Promise<MeshInfo> {
    return installReferenceMesh(this, options, wait);
  }

  uninstallMesh(): Promise<void> {
    return uninstallReferenceMesh(this);
  }

  async teardown(): Promise<void> {
    await teardownCluster(this.name, this.logger);
  }
}
