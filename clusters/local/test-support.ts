/**
 * @module clusters/local/test-support
 * Helpers shared by the local provider's root-only tests: workloads (python3 from the host) and a
 * check that nothing of a cluster is left on the machine.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { KubeObject } from '../cluster.ts';
import { clusterCgroupRoots } from './cgroups.ts';
import { clusterPaths, isClusterNetns } from './naming.ts';

export const isRoot = process.getuid?.() === 0;
export const skipUnlessRoot = isRoot ? false : 'needs root (network namespaces)';

/** A tiny HTTP server answering its pod name, on port 8080. */
export const NAME_SERVER = [
  'python3',
  '-c',
  [
    'import http.server, os',
    'class H(http.server.BaseHTTPRequestHandler):',
    '  def do_GET(s):',
    "    b = os.environ['POD_NAME'].encode()",
    '    s.send_response(200); s.send_header("content-length", str(len(b))); s.end_headers(); s.wfile.write(b)',
    '  def log_message(*a): pass',
    "http.server.ThreadingHTTPServer(('', 8080), H).serve_forever()",
  ].join('\n'),
];

/** A Deployment of NAME_SERVER pods plus its Service (port 80 → named port http). */
export function webApp(ns: string, replicas: number, extraLabels: Record<string, string> = {}): KubeObject[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web', ...extraLabels } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'python:3',
                command: NAME_SERVER,
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
}

/** Python that GETs each URL `n` times (new connection each) and prints one line per answer. */
export function fetchScript(urls: string[], n = 1): string[] {
  return [
    'python3',
    '-c',
    [
      'import sys, urllib.request',
      `for u in ${JSON.stringify(urls)}:`,
      `  for i in range(${n}):`,
      '    try: print(urllib.request.urlopen(u, timeout=3).read().decode())',
      '    except Exception as e: print("ERR", e)',
    ].join('\n'),
  ];
}

/** Asserts nothing named for `cluster` remains: netns, /etc/netns, cgroups, state dir, processes. */
export function assertNothingLeft(cluster: string): void {
  const netns = existsSync('/run/netns')
    ? readdirSync('/run/netns').filter((n) => isClusterNetns(cluster, n))
    : [];
  assert.deepEqual(netns, [], 'network namespaces left');
  const etc = existsSync('/etc/netns')
    ? readdirSync('/etc/netns').filter((n) => isClusterNetns(cluster, n))
    : [];
  assert.deepEqual(etc, [], '/etc/netns dirs left');
  for (const root of clusterCgroupRoots(cluster)) assert.ok(!existsSync(root), `cgroup ${root} left`);
  assert.ok(!existsSync(clusterPaths(cluster).dir), 'state dir left');
  const procs = readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(cluster);
    } catch {
      return false;
    }
  });
  assert.deepEqual(procs, [], 'processes left');
  const links = readdirSync('/sys/class/net').filter((l) => /^mb[0-9a-f]{8}$/.test(l));
  assert.deepEqual(links, [], 'links in the root namespace');
}
