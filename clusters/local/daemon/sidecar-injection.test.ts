/**
 * Unit tests of the sidecar injector's policy and mutation (pure; no root).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../cluster.ts';
import { postStartHook } from './container-start.ts';
import type { PodSpec } from './kubelet.ts';
import {
  appContainers,
  INJECTION_LABEL,
  injectSidecar,
  PROXY_CONTAINER,
  STATUS_ANNOTATION,
  wantsSidecar,
} from './sidecar-injection.ts';

const target = { meshDir: '/var/lib/meshbench/clusters/x/mesh', xds: '198.18.0.10:15012' };
const pod = (labels: Record<string, string> = {}, spec: Partial<PodSpec> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app-1', namespace: 'ns', labels: { app: 'app', ...labels } },
  spec: { containers: [{ name: 'app', image: 'meshbench/echo' }], ...spec },
});
const enabled = { [INJECTION_LABEL]: 'enabled' };

test('policy: namespace label injects; pod label false opts out; pod label true opts in', () => {
  assert.equal(wantsSidecar(pod(), enabled), true);
  assert.equal(wantsSidecar(pod(), undefined), false);
  assert.equal(wantsSidecar(pod(), { 'istio.io/dataplane-mode': 'ambient' }), false);
  assert.equal(wantsSidecar(pod({ 'sidecar.istio.io/inject': 'false' }), enabled), false);
  assert.equal(wantsSidecar(pod({ 'sidecar.istio.io/inject': 'true' }), undefined), true);
  assert.equal(wantsSidecar(pod({}, { hostNetwork: true }), enabled), false);
  assert.equal(wantsSidecar(pod({ 'gateway.networking.k8s.io/gateway-name': 'waypoint' }), enabled), false);
});

test('injection puts istio-proxy first, with readiness and a postStart hold, and marks the pod', () => {
  const original = pod();
  const out = injectSidecar(original, enabled, target);
  const containers = (out.spec as PodSpec).containers;
  assert.deepEqual(
    containers.map((c) => c.name),
    [PROXY_CONTAINER, 'app'],
  );
  const proxy = containers[0]!;
  assert.equal(proxy.command?.[1], `${target.meshDir}/bin/sidecar.mjs`);
  assert.deepEqual(proxy.command?.slice(-6), [
    '--xds',
    target.xds,
    '--ca-root',
    `${target.meshDir}/ca/root-cert.pem`,
    '--token-dir',
    target.meshDir,
  ]);
  assert.equal(proxy.readinessProbe?.httpGet?.port, 15021);
  assert.deepEqual(postStartHook(proxy)?.httpGet, { path: '/healthz/ready', port: 15021 });
  assert.equal(postStartHook(containers[1]!), undefined);
  assert.ok(out.metadata.annotations?.[STATUS_ANNOTATION]);
  assert.equal(out.metadata.labels?.['networking.istio.io/tunnel'], 'http');
  // The input is not mutated; injecting twice is a no-op; the author's containers are recoverable.
  assert.equal((original.spec as PodSpec).containers.length, 1);
  assert.equal(injectSidecar(out, enabled, target), out);
  assert.deepEqual(appContainers(out), (original.spec as PodSpec).containers);
  assert.equal(injectSidecar(original, undefined, target), original);
});
