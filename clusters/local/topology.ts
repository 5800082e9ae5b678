/**
 * @module clusters/local/topology
 * The cluster's network, built of network namespaces only: an underlay namespace holding a bridge,
 * one namespace per node (underlay address 198.18.0.(10+i), pod CIDR 198.18.(16+i).0/24, routes to
 * the other nodes' pod CIDRs) and one namespace per pod with a veth to its node. Nothing is added to
 * the root namespace and no namespace has a default route. Commands are batched (`ip -batch`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNetns, openNetns } from '../../core/linux/netns.ts';
import {
  CLUSTER_RANGES,
  DNS_IP,
  linkName,
  nodeIp,
  nodeName,
  nodeNetns,
  podGateway,
  podSubnet,
  underlayNetns,
  VIRTUAL_SERVICE_RANGE,
} from './naming.ts';
import { ipBatch, parallel } from './run.ts';
import type { NodeRecord, StateFile } from './state.ts';

/** Writes sysctls inside `netns` (through setns; `/proc/sys/net` follows the opener's namespace). */
export function setSysctls(netns: string, values: Record<string, string>): void {
  const h = openNetns(netns);
  try {
    inNetns(h, () => {
      for (const [k, v] of Object.entries(values)) writeFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, v);
    });
  } finally {
    h.close();
  }
}

/** Builds underlay and nodes, recording every object in the state first. */
export async function buildTopology(stateFile: StateFile, nodes: number): Promise<void> {
  const cluster = stateFile.state.name;
  const u = underlayNetns(cluster);
  const bridge = linkName(cluster, 'bridge');
  const records: NodeRecord[] = Array.from({ length: nodes }, (_, i) => ({
    name: nodeName(i),
    index: i,
    netns: nodeNetns(cluster, i),
    ip: nodeIp(i),
    podCidr: `${podSubnet(i)}.0/24`,
  }));
  const ports = records.map((n) => linkName(cluster, `uplink-${n.name}`));
  stateFile.record((s) => {
    s.nodes = records;
    s.netns.push(u, ...records.map((n) => n.netns));
    s.links.push({ name: bridge, netns: u }, ...ports.map((p) => ({ name: p, netns: u })));
  });
  await ipBatch([
    `netns add ${u}`,
    ...records.map((n) => `netns add ${n.netns}`),
    ...records.map((n, i) => `link add ${ports[i]} netns ${u} type veth peer name eth0 netns ${n.netns}`),
  ]);
  const underlay = ipBatch(
    [
      `link add ${bridge} type bridge`,
      'link set lo up',
      ...ports.flatMap((p) => [`link set ${p} master ${bridge}`, `link set ${p} up`]),
      `link set ${bridge} up`,
    ],
    u,
  );
  const nodeSetup = parallel(records, 4, async (n) => {
    setSysctls(n.netns, {
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.send_redirects': '0',
      'net.ipv4.conf.default.send_redirects': '0',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    });
    await ipBatch(
      [
        'link set lo up',
        `addr add ${DNS_IP}/32 dev lo`,
        `addr add ${n.ip}/24 dev eth0`,
        'link set eth0 up',
        ...records.filter((o) => o !== n).map((o) => `route add ${o.podCidr} via ${o.ip} dev eth0`),
        // A cluster or virtual address nobody owns gets no answer (silently dropped), as on a real
        // network, instead of an immediate "unreachable": connect timeouts toward it are observable.
        `route add blackhole ${CLUSTER_RANGES[0]}`,
        `route add blackhole ${VIRTUAL_SERVICE_RANGE}`,
      ],
      n.netns,
    );
  });
  await Promise.all([underlay, nodeSetup]);
}

/** What the daemon needs to wire one pod. */
export interface PodNet {
  netns: string;
  /** Host-side veth name in the node namespace. */
  hostLink: string;
  ip: string;
  node: NodeRecord;
  /** Files for `/etc/netns/<netns>/`: resolv.conf, hosts. */
  resolvSearch: string[];
  hostname: string;
}

/** Writes `/etc/netns/<netns>/{resolv.conf,hosts}` (bind-mounted by `ip netns exec`). */
export function writeEtcNetns(netns: string, search: string[], ip: string, hostname: string): string {
  const dir = join('/etc/netns', netns);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'resolv.conf'),
    `nameserver ${DNS_IP}\nsearch ${search.join(' ')}\noptions ndots:5\n`,
  );
  writeFileSync(join(dir, 'hosts'), `127.0.0.1\tlocalhost\n${ip}\t${hostname}\n`);
  return dir;
}

/** Removes `/etc/netns/<netns>`. */
export function removeEtcNetns(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Creates many pod namespaces at once (the state must already record them). */
export async function createPodNetworks(pods: readonly PodNet[]): Promise<void> {
  if (pods.length === 0) return;
  for (const p of pods) writeEtcNetns(p.netns, p.resolvSearch, p.ip, p.hostname);
  await ipBatch([
    ...pods.map((p) => `netns add ${p.netns}`),
    ...pods.map(
      (p) => `link add ${p.hostLink} netns ${p.node.netns} type veth peer name eth0 netns ${p.netns}`,
    ),
  ]);
  const byNode = new Map<string, PodNet[]>();
  for (const p of pods) byNode.set(p.node.netns, [...(byNode.get(p.node.netns) ?? []), p]);
  const jobs: (() => Promise<unknown>)[] = [];
  for (const [ns, list] of byNode) {
    jobs.push(() =>
      ipBatch(
        list.flatMap((p) => [
          `link set ${p.hostLink} up`,
          `addr add ${podGateway(p.node.index)}/32 dev ${p.hostLink}`,
          `route add ${p.ip}/32 dev ${p.hostLink}`,
        ]),
        ns,
      ),
    );
  }
  for (const p of pods) {
    const gw = podGateway(p.node.index);
    jobs.push(() =>
      ipBatch(
        [
          'link set lo up',
          `addr add ${p.ip}/32 dev eth0`,
          'link set eth0 up',
          `route add ${gw} dev eth0 scope link`,
          ...CLUSTER_RANGES.slice(0, 1).map((r) => `route add ${r} via ${gw} dev eth0 src ${p.ip}`),
          `route add ${VIRTUAL_SERVICE_RANGE} via ${gw} dev eth0 src ${p.ip}`,
        ],
        p.netns,
      ),
    );
  }
  await parallel(jobs, 6, (j) => j().then(() => undefined));
}

/** Deletes pod namespaces (their veths go with them). Missing ones are ignored. */
export async function deleteNetns(names: readonly string[]): Promise<void> {
  await ipBatch(
    names.map((n) => `netns del ${n}`),
    undefined,
    true,
  );
}

/** Pod address `k` (2..254) on node `i`. */
export const podIp = (nodeIndex: number, k: number) => `${podSubnet(nodeIndex)}.${k}`;
