/**
 * @module clusters/cluster
 * The `Cluster` interface: the only way suites reach a cluster. A suite describes its topology as
 * Kubernetes objects plus real mesh APIs (Istio, Gateway API) and drives it through these methods;
 * providers (local network namespaces, kind, an existing kubeconfig context) implement them.
 *
 * Everything here is a type: providers own behaviour, suites own assertions.
 */

/** Any Kubernetes object (core, apps, batch, Istio, Gateway API), as applied. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  [field: string]: unknown;
}

/** Names one object. `apiVersion` may be omitted for core kinds. */
export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Names one pod. */
export interface PodRef {
  namespace: string;
  name: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** What a provider knows of one pod. */
export interface PodInfo extends PodRef {
  node: string;
  /** Pod IP (empty while Pending). */
  ip: string;
  phase: PodPhase;
  ready: boolean;
  labels: Record<string, string>;
  serviceAccount: string;
  /** Restarts summed over containers. */
  restarts: number;
  /** Per-container state; `pid` is the current main process where the provider can see it. */
  containers: ContainerInfo[];
  /** True when the pod shares its node's network (node proxies). */
  hostNetwork: boolean;
}

export interface ContainerInfo {
  name: string;
  pid?: number;
  running: boolean;
  restarts: number;
  exitCode?: number;
}

/** Options common to every wait. Every wait has a deadline. */
export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One call made *from* a pod through its echo app's forward API (in the spirit of Istio's echo
 * `ForwardEcho`). The URL scheme picks the protocol:
 * `http://`, `h2c://` (HTTP/2 prior knowledge), `grpc://` (echo gRPC), `tcp://` (raw echo),
 * `server-first://` (read the banner first).
 */
export interface CallRequest {
  url: string;
  /** Number of calls; default 1. */
  count?: number;
  method?: string;
  headers?: Record<string, string>;
  /** Request body (HTTP) or message (TCP). */
  body?: string;
  /** Per-call deadline; default 5000 ms. */
  timeoutMs?: number;
  /** Open a fresh connection for each call instead of reusing one. */
  newConnectionPerRequest?: boolean;
  /** Route the call through a SOCKS5 proxy `host:port` (ztunnel's 15080). */
  socks5?: string;
  /** Pause between calls. */
  intervalMs?: number;
}

/** What happened to one call. `fields` are the echo's `Field=value` lines, parsed. */
export interface CallOutcome {
  index: number;
  ok: boolean;
  /** HTTP status, or 0 when no HTTP response (TCP, transport errors). */
  status: number;
  /** Transport or protocol error, e.g. `{ code: 'ECONNRESET' }`. */
  error?: { code: string; message: string };
  latencyMs: number;
  /** Echo response fields: `Hostname`, `ServiceVersion`, `Proto`, `IP`, `RequestHeader`, ... */
  fields: Record<string, string[]>;
  /** Raw response body (or TCP bytes received), truncated to 64 KiB. */
  body: string;
}

export interface CallResult {
  from: PodRef;
  request: CallRequest;
  outcomes: CallOutcome[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions extends WaitOptions {
  container?: string;
  /** Written to the command's stdin. */
  stdin?: string;
}

/** CPU and memory of a pod, from its cgroup (as kubelet measures it). */
export interface PodUsage {
  cpuSeconds: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  sampledAt: string;
  /** Per running container, where the provider can split the pod (e.g. the sidecar `istio-proxy`). */
  containers?: Record<string, ContainerUsage>;
}

/** One container's share of a pod's usage (its process: CPU seconds, RSS and peak RSS). */
export interface ContainerUsage {
  cpuSeconds: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  /** The anonymous part of `memoryBytes` (heap and buffers, not mapped files), where known. */
  anonymousBytes?: number;
}

export interface LogOptions {
  container?: string;
  /** Only the last N lines. */
  tail?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A plain HTTP request from inside a pod's network to `127.0.0.1:port` (admin, metrics, readiness). */
export interface PodHttpRequest {
  port: number;
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Where to capture packets: the underlay between nodes, or one pod's interface. */
export type CaptureTarget = { underlay: true } | { pod: PodRef };

export interface CaptureOptions {
  /** A pcap filter expression, e.g. `tcp port 15008`. */
  filter?: string;
}

/** One TCP segment with payload seen on the wire. */
export interface CapturedSegment {
  timeMs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

export interface PacketCapture {
  /** Stops capturing and returns every TCP segment that carried payload. */
  stop(): Promise<CapturedSegment[]>;
}

/** Which mesh to install and how. Modes are chosen per namespace by labels, not here. */
export interface MeshInstallOptions {
  /** `reference`: meshbench's own control plane, ztunnel and waypoint; `istio`: real Istio (istioctl). */
  implementation: 'reference' | 'istio';
  /** Workload certificate TTL in seconds (reference mesh; tests shorten it to watch rotation). */
  certificateTtlSeconds?: number;
  /** Extra settings passed to the implementation, e.g. Istio values. */
  values?: Record<string, unknown>;
}

export interface MeshInfo {
  implementation: 'reference' | 'istio';
  version: string;
  /** Namespace holding the control plane and node proxies (`istio-system`). */
  systemNamespace: string;
}

/** Optional abilities; a suite skips (with the reason) what its cluster lacks. */
export type Capability = 'capture' | 'usage' | 'exec' | 'mesh:reference' | 'mesh:istio';

/** The cluster every suite talks to. */
export interface Cluster {
  readonly name: string;
  readonly provider: string;
  readonly capabilities: ReadonlySet<Capability>;

  /** Validates every object first, then creates or updates them all; nothing changes if one is invalid. */
  apply(objects: readonly KubeObject[]): Promise<void>;
  /** Deletes objects; missing ones are ignored. */
  delete(refs: readonly (ObjectRef | KubeObject)[]): Promise<void>;
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(kind: string, namespace?: string, labelSelector?: Record<string, string>): Promise<KubeObject[]>;
  /** Waits until each object is ready (Deployment available, Pod ready, Job complete, ...). */
  waitReady(refs: readonly (ObjectRef | KubeObject)[], options?: WaitOptions): Promise<void>;

  pods(namespace: string, labelSelector?: Record<string, string>): Promise<PodInfo[]>;
  /** Calls from `from` (a pod running the echo app) through its forward API. */
  call(from: PodRef, request: CallRequest): Promise<CallResult>;
  exec(pod: PodRef, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Plain HTTP to `127.0.0.1:port` inside the pod's network (metrics, admin, readiness). */
  podHttp(pod: PodRef, request: PodHttpRequest): Promise<HttpResponse>;
  logs(pod: PodRef, options?: LogOptions): Promise<string>;
  usage(pod: PodRef): Promise<PodUsage>;
  /**
   * Resets the peak RSS of the pod's container processes to their current RSS, so that the next
   * `usage().containers[*].peakMemoryBytes` is the peak since now (a load window's peak). Providers
   * that cannot (the cgroup's own peak is for its whole life) leave it out.
   */
  resetPeakMemory?(pod: PodRef): Promise<void>;
  capture(target: CaptureTarget, options?: CaptureOptions): Promise<PacketCapture>;

  installMesh(options: MeshInstallOptions, wait?: WaitOptions): Promise<MeshInfo>;
  uninstallMesh(): Promise<void>;
  /** Removes everything this cluster made. Idempotent. */
  teardown(): Promise<void>;
}

/** Options for creating a cluster. */
export interface ClusterUpOptions {
  name: string;
  nodes?: number;
  signal?: AbortSignal;
  /** Called as provisioning progresses, for progress displays. */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface ClusterSummary {
  name: string;
  provider: string;
  nodes: number;
  pods: number;
  healthy: boolean;
  createdAt: string;
}

/** What `down` removed, so callers and tests can check nothing is left. */
export interface DownReport {
  name: string;
  existed: boolean;
  removed: { namespaces: number; links: number; cgroups: number; processes: number; files: number };
}

/** A provider creates, connects to, lists and removes clusters of one kind. */
export interface ClusterProvider {
  readonly name: string;
  up(options: ClusterUpOptions): Promise<Cluster>;
  connect(name: string): Promise<Cluster>;
  down(name: string): Promise<DownReport>;
  list(): Promise<ClusterSummary[]>;
}
