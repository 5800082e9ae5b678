/**
 * @module clusters/existing/kube-cluster
 * The `Cluster` over a real Kubernetes API server (one kubeconfig context), shared by the
 * `existing` and `kind` providers: server-side apply through `KubernetesObjectApi`, readiness by
 * polling with a deadline, calls through the echo pod's forward API over a port-forward, `Exec`,
 * `Log`, PodMetrics for usage, and Istio through istioctl.
 */
import {
  ApisApi,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Pod,
} from '@kubernetes/client-node';
import { MeshbenchError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
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
import { validateObjects } from '../manifests.ts';
import { type CommandRunner, execaRunner } from './command-runner.ts';
import { callThroughForward } from './forward-call.ts';
import { installIstio, uninstallIstio } from './istio-mesh.ts';
import { applyOrder, describeRef, headerOf, labelSelectorString, resolveKind } from './kinds.ts';
import { isNotFound, kubeError } from './kube-errors.ts';
import { localHttp } from './local-http.ts';
import { execInPod } from './pod-exec.ts';
import { toPodInfo } from './pod-info.ts';
import { readPodLogs } from './pod-logs.ts';
import { podUsage } from './pod-usage.ts';
import { withPortForward } from './port-forward.ts';
import { waitUntilReady } from './wait-ready.ts';

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
    await waitUntilReady((ref) => this.get(headerOfRef(ref)), refs, options, this.#pollMs);
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
    return callThroughForward(this.#kc, from, request);
  }

  async exec(pod: PodRef, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execInPod(this.#kc, pod, await this.#container(pod, options.container), argv, options);
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
    return readPodLogs(this.#kc, pod, await this.#container(pod, options.container), options.tail);
  }

  /** From metrics.k8s.io PodMetrics (see pod-usage.ts for what the numbers mean there). */
  async usage(pod: PodRef): Promise<PodUsage> {
    if (!this.capabilities.has('usage')) {
      throw new MeshbenchError('E_UNSUPPORTED', `cluster ${this.name} serves no metrics.k8s.io API`, {
        hint: 'install metrics-server',
      });
    }
    return podUsage(this.#kc, pod);
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
