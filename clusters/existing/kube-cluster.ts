/**
 * @module clusters/existing/kube-cluster
 * The `Cluster` over a real Kubernetes API server (one kubeconfig context), shared by the
 * `existing` and `kind` providers: server-side apply through `KubernetesObjectApi`, readiness by
 * polling with a deadline, calls through the echo pod's forward API over a port-forward, `Exec`,
 * `Log`, PodMetrics for usage, and Istio through istioctl.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  Log,
  PatchStrategy,
  type V1Pod,
  type V1Status,
} from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import type {
  CallOutcome,
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
import { validateObjects } from '../manifests.ts';
import { type CommandRunner, execaRunner } from './command-runner.ts';
import { installIstio, uninstallIstio } from './istio-mesh.ts';
import { applyOrder, describeRef, headerOf, labelSelectorString, resolveKind } from './kinds.ts';
import { isNotFound, kubeError } from './kube-errors.ts';
import { localHttp } from './local-http.ts';
import { toPodInfo } from './pod-info.ts';
import { withPortForward } from './port-forward.ts';
import { parseQuantity } from './quantity.ts';
import { readinessOf } from './readiness.ts';

/** The echo app's forward API port (reference-impl/echo `--control-port`). */
export const ECHO_FORWARD_PORT = 7071;
/** Label put on namespaces meshbench applies, so `teardown` removes exactly those. */
export const MANAGED_LABEL = 'app.kubernetes.io/managed-by';
const FIELD_MANAGER = 'meshbench';

export interface KubeClusterOptions {
  /** The cluster's name as its provider knows it (kind name, kubeconfig context). */
  name: string;
  provider: string;
  /** A KubeConfig whose current context is the cluster. */
  kubeConfig: KubeConfig;
  /** The kubeconfig file, passed to istioctl (default: istioctl's own default). */
  kubeconfigPath?: string;
  runner?: CommandRunner;
  logger?: Logger;
  /** Poll interval of `waitReady`. */
  pollMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Collects a stream's text. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, cb) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        cb();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/** Exit code from the V1Status of an exec (`NonZeroExitCode` carries it in `details.causes`). */
export function execExitCode(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : 1;
}

/** Reads the forward API's reply: `{ outcomes }` (reference echo) or a bare array. */
export function parseForwardReply(body: string): CallOutcome[] {
  const parsed = JSON.parse(body) as { outcomes?: CallOutcome[] } | CallOutcome[];
  const outcomes = Array.isArray(parsed) ? parsed : parsed.outcomes;
  if (!Array.isArray(outcomes)) throw new Error('reply has no outcomes array');
  return outcomes;
}

/** A `Cluster` on one kubeconfig context. Create it with `connectKubeCluster`. */
export class KubeCluster implements Cluster {
  readonly name: string;
  readonly provider: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly #kc: KubeConfig;
  readonly #objects: KubernetesObjectApi;
  readonly #core: CoreV1Api;
  readonly #runner: CommandRunner;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #kubeconfigPath: string | undefined;
  #mesh: MeshInfo | undefined;

  constructor(options: KubeClusterOptions, capabilities: ReadonlySet<Capability>) {
    this.name = options.name;
    this.provider = options.provider;
    this.capabilities = capabilities;
    this.#kc = options.kubeConfig;
    this.#objects = KubernetesObjectApi.makeApiClient(this.#kc);
    this.#core = this.#kc.makeApiClient(CoreV1Api);
    this.#runner = options.runner ?? execaRunner;
    this.#log = (options.logger ?? silentLogger).child({ cluster: options.name, provider: options.provider });
    this.#pollMs = options.pollMs ?? 500;
    this.#kubeconfigPath = options.kubeconfigPath;
  }

  get #server(): string {
    return this.#kc.getCurrentCluster()?.server ?? '';
  }

  async apply(objects: readonly KubeObject[]): Promise<void> {
    validateObjects(objects);
    for (const obj of applyOrder(objects)) {
      const body = structuredClone(obj) as KubeObject;
      if (body.kind === 'Namespace') {
        body.metadata.labels = { [MANAGED_LABEL]: 'meshbench', ...body.metadata.labels };
      }
      delete body.metadata.resourceVersion;
      delete body.metadata.uid;
      delete body.metadata.creationTimestamp;
      try {
        await this.#objects.patch(
          body as KubernetesObject,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        );
      } catch (err) {
        throw kubeError(`apply ${describeRef(obj)}`, err, this.#server);
      }
      this.#log.debug('applied', { object: describeRef(obj) });
    }
  }

  async delete(refs: readonly (ObjectRef | KubeObject)[]): Promise<void> {
    for (const ref of applyOrder(refs).reverse()) {
      try {
        await this.#objects.delete(
          headerOf(ref) as KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        );
      } catch (err) {
        if (!isNotFound(err)) throw kubeError(`delete ${describeRef(ref)}`, err, this.#server);
      }
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.#objects.read(headerOf(ref))) as unknown as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw kubeError(`get ${describeRef(ref)}`, err, this.#server);
    }
  }

  async list(
    kind: string,
    namespace?: string,
    labelSelector?: Record<string, string>,
  ): Promise<KubeObject[]> {
    const { apiVersion, kind: k } = resolveKind(kind);
    try {
      const list = await this.#objects.list(
        apiVersion,
        k,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelectorString(labelSelector),
      );
      // List items come without apiVersion/kind from a real API server.
      return list.items.map(
        (o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? k }) as unknown as KubeObject,
      );
    } catch (err) {
      throw kubeError(`list ${kind}${namespace ? ` in ${namespace}` : ''}`, err, this.#server);
    }
  }

  async waitReady(refs: readonly (ObjectRef | KubeObject)[], options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    let pending = [...refs];
    const reasons = new Map<ObjectRef | KubeObject, string>();
    while (pending.length > 0) {
      const still: (ObjectRef | KubeObject)[] = [];
      for (const ref of pending) {
        const obj = await this.get(headerOfRef(ref));
        if (!obj) {
          reasons.set(ref, 'not found');
          still.push(ref);
          continue;
        }
        const r = readinessOf(obj);
        if (r.ready) continue;
        if (r.failed) throw new MeshbenchError('E_CLUSTER_STATE', `${describeRef(ref)}: ${r.reason}`);
        reasons.set(ref, r.reason);
        still.push(ref);
      }
      pending = still;
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        const what = pending.map((p) => `${describeRef(p)} (${reasons.get(p)})`).join(', ');
        throw new MeshbenchError('E_TIMEOUT', `not ready after ${timeoutMs} ms: ${what}`, {
          hint: 'inspect with `meshbench logs NS/POD` or kubectl describe',
        });
      }
      await sleep(Math.min(this.#pollMs, Math.max(0, deadline - Date.now())), options.signal);
    }
  }

  async pods(namespace: string, labelSelector?: Record<string, string>): Promise<PodInfo[]> {
    try {
      const selector = labelSelectorString(labelSelector);
      const list = await this.#core.listNamespacedPod({
        namespace,
        ...(selector ? { labelSelector: selector } : {}),
      });
      return list.items.map(toPodInfo);
    } catch (err) {
      throw kubeError(`list pods in ${namespace}`, err, this.#server);
    }
  }

  async #pod(pod: PodRef): Promise<V1Pod> {
    try {
      return await this.#core.readNamespacedPod({ name: pod.name, namespace: pod.namespace });
    } catch (err) {
      if (isNotFound(err)) {
        throw new MeshbenchError('E_NOT_FOUND', `pod ${pod.namespace}/${pod.name} does not exist`);
      }
      throw kubeError(`get pod ${pod.namespace}/${pod.name}`, err, this.#server);
    }
  }

  async #container(pod: PodRef, container: string | undefined): Promise<string> {
    if (container) return container;
    const first = (await this.#pod(pod)).spec?.containers?.[0]?.name;
    if (!first) throw new MeshbenchError('E_NOT_FOUND', `pod ${pod.namespace}/${pod.name} has no containers`);
    return first;
  }

  async call(from: PodRef, request: CallRequest): Promise<CallResult> {
    await this.#pod(from);
    const count = request.count ?? 1;
    const budget = count * ((request.timeoutMs ?? 5000) + (request.intervalMs ?? 0)) + 10_000;
    const res = await withPortForward(this.#kc, from, ECHO_FORWARD_PORT, (port) =>
      localHttp({
        port,
        path: '/forward',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        timeoutMs: budget,
      }),
    );
    if (res.status !== 200) {
      throw new MeshbenchError(
        'E_CALL',
        `forward API of ${from.namespace}/${from.name} answered ${res.status}: ${res.body.slice(0, 200)}`,
        { hint: `is the echo app (port ${ECHO_FORWARD_PORT}) running in that pod?` },
      );
    }
    try {
      return { from, request, outcomes: parseForwardReply(res.body) };
    } catch (cause) {
      throw new MeshbenchError(
        'E_CALL',
        `forward API of ${from.namespace}/${from.name} sent an unreadable reply`,
        {
          cause,
        },
      );
    }
  }

  async exec(pod: PodRef, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = await this.#container(pod, options.container);
    const out = collector();
    const err = collector();
    const stdin = options.stdin !== undefined ? Readable.from([options.stdin]) : null;
    let status: V1Status | undefined;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const ws = await new Exec(this.#kc)
      .exec(pod.namespace, pod.name, container, [...argv], out.stream, err.stream, stdin, false, (s) => {
        status = s;
      })
      .catch((e: unknown) => {
        throw kubeError(`exec in ${pod.namespace}/${pod.name}`, e, this.#server);
      });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(
          new MeshbenchError(
            'E_TIMEOUT',
            `exec ${argv.join(' ')} in ${pod.namespace}/${pod.name}: no exit within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const abort = () => {
        clearTimeout(timer);
        ws.close();
        reject(options.signal?.reason);
      };
      options.signal?.addEventListener('abort', abort, { once: true });
      ws.on('close', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        resolve();
      });
    });
    return { exitCode: execExitCode(status), stdout: out.text(), stderr: err.text() };
  }

  async podHttp(pod: PodRef, request: PodHttpRequest): Promise<HttpResponse> {
    await this.#pod(pod);
    return withPortForward(this.#kc, pod, request.port, (port) =>
      localHttp({
        port,
        path: request.path,
        ...(request.method ? { method: request.method } : {}),
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
      }),
    );
  }

  async logs(pod: PodRef, options: LogOptions = {}): Promise<string> {
    const container = await this.#container(pod, options.container);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve, reject) => {
      sink.on('end', resolve);
      sink.on('error', reject);
    });
    try {
      await new Log(this.#kc).log(pod.namespace, pod.name, container, sink, {
        follow: false,
        ...(options.tail !== undefined ? { tailLines: options.tail } : {}),
      });
    } catch (err) {
      throw kubeError(`logs of ${pod.namespace}/${pod.name}`, err, this.#server);
    }
    await ended;
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * From metrics.k8s.io PodMetrics (metrics-server). It reports a rate over a window, not a
   * cgroup counter: `cpuSeconds` is cores × window seconds, and `peakMemoryBytes` is the current
   * working set (the API has no peak).
   */
  async usage(pod: PodRef): Promise<PodUsage> {
    if (!this.capabilities.has('usage')) {
      throw new MeshbenchError('E_UNSUPPORTED', `cluster ${this.name} serves no metrics.k8s.io API`, {
        hint: 'install metrics-server',
      });
    }
    let m: {
      timestamp?: string;
      window?: string;
      containers?: { usage?: { cpu?: string; memory?: string } }[];
    };
    try {
      m = (await this.#kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        namespace: pod.namespace,
        plural: 'pods',
        name: pod.name,
      })) as typeof m;
    } catch (err) {
      throw kubeError(`PodMetrics of ${pod.namespace}/${pod.name}`, err, this.#server);
    }
    const windowS = Number.parseFloat(m.window ?? '0') || 0;
    const cores = (m.containers ?? []).reduce((s, c) => s + parseQuantity(c.usage?.cpu ?? '0'), 0);
    const memory = (m.containers ?? []).reduce((s, c) => s + parseQuantity(c.usage?.memory ?? '0'), 0);
    return {
      cpuSeconds: cores * windowS,
      memoryBytes: memory,
      peakMemoryBytes: memory,
      sampledAt: m.timestamp ?? new Date().toISOString(),
    };
  }

  async capture(_target: CaptureTarget, _options?: CaptureOptions): Promise<PacketCapture> {
    throw new MeshbenchError(
      'E_UNSUPPORTED',
      `packet capture is not available on provider ${this.provider}`,
      {
        hint: 'use --provider local for tests that look at bytes on the wire',
      },
    );
  }

  async installMesh(options: MeshInstallOptions, wait: WaitOptions = {}): Promise<MeshInfo> {
    if (options.implementation !== 'istio') {
      throw new MeshbenchError(
        'E_UNSUPPORTED',
        `the reference mesh cannot be installed on provider ${this.provider} yet`,
        { hint: 'use --implementation istio here, or --provider local for the reference mesh' },
      );
    }
    const info = await installIstio(this.#runner, this.#istioTarget(), options.values, wait.signal);
    await this.waitReady(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: info.systemNamespace, name: 'istiod' },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: info.systemNamespace, name: 'ztunnel' },
      ],
      wait,
    );
    this.#mesh = info;
    return info;
  }

  async uninstallMesh(): Promise<void> {
    await uninstallIstio(this.#runner, this.#istioTarget());
    this.#mesh = undefined;
  }

  #istioTarget() {
    return {
      context: this.#kc.getCurrentContext(),
      ...(this.#kubeconfigPath ? { kubeconfig: this.#kubeconfigPath } : {}),
    };
  }

  /** Deletes the namespaces meshbench applied (labelled `app.kubernetes.io/managed-by=meshbench`). */
  async teardown(): Promise<void> {
    const namespaces = await this.list('Namespace', undefined, { [MANAGED_LABEL]: 'meshbench' });
    await this.delete(namespaces.map((n) => ({ kind: 'Namespace', name: n.metadata.name })));
    this.#log.info('teardown', { namespaces: namespaces.length, mesh: this.#mesh?.implementation ?? 'none' });
  }
}

function headerOfRef(ref: ObjectRef | KubeObject): ObjectRef {
  const h = headerOf(ref);
  return {
    apiVersion: h.apiVersion,
    kind: h.kind,
    name: h.metadata.name,
    ...(h.metadata.namespace ? { namespace: h.metadata.namespace } : {}),
  };
}

/**
 * Connects to the API server of `kubeConfig`'s current context and finds the cluster's
 * capabilities (`usage` only when metrics.k8s.io is served).
 */
export async function connectKubeCluster(options: KubeClusterOptions): Promise<KubeCluster> {
  const caps = new Set<Capability>(['exec', 'mesh:istio']);
  try {
    const groups = await options.kubeConfig.makeApiClient(ApisApi).getAPIVersions();
    if (groups.groups.some((g) => g.name === 'metrics.k8s.io')) caps.add('usage');
  } catch (err) {
    throw kubeError(
      `connect to ${options.provider} cluster "${options.name}"`,
      err,
      options.kubeConfig.getCurrentCluster()?.server,
    );
  }
  return new KubeCluster(options, caps);
}
