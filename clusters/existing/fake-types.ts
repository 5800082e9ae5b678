/**
 * @module clusters/existing/fake-types
 * TEST SUPPORT: the types shared by the fake API server and its WebSocket endpoints.
 */

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
}

export interface FakeApiServerOptions {
  /** Advertise metrics.k8s.io in discovery and serve PodMetrics from this (undefined → 404). */
  metrics?: boolean | ((namespace: string, pod: string) => unknown);
  /** Where a port-forward to `namespace/pod:port` goes (a loopback port); undefined refuses it. */
  portForwardTarget?: (namespace: string, pod: string, port: number) => number | undefined;
  /** Serve exec by running the argv on this host (tests only). */
  hostExec?: boolean;
}
