/**
 * @module clusters/local/daemon/kube-proxy
 * Renders Services and their endpoints into one nftables table per node namespace, like
 * kube-proxy's nftables mode: DNAT from the ClusterIP:port to a random ready endpoint, for traffic
 * from pods (prerouting) and from host-network pods (output); hairpin traffic is masqueraded.
 */
import { KUBE_PROXY_TABLE } from '../naming.ts';
import { run } from '../run.ts';

export interface ServiceRule {
  clusterIP: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Endpoint `ip:targetPort` pairs. */
  endpoints: { ip: string; port: number }[];
}

/** The full `nft -f` script (replaces the table atomically). */
export function renderRules(rules: readonly ServiceRule[]): string {
  const t = KUBE_PROXY_TABLE;
  const lines = [`table ip ${t}`, `delete table ip ${t}`, `table ip ${t} {`];
  const svcLines: string[] = [];
  rules.forEach((r, i) => {
    if (r.endpoints.length === 0) return;
    const chain = `svc${i}`;
    svcLines.push(`    ip daddr ${r.clusterIP} ${r.protocol} dport ${r.port} goto ${chain}`);
    const map = r.endpoints.map((_, j) => `${j} : goto ${chain}_ep${j}`).join(', ');
    lines.push(`  chain ${chain} { numgen random mod ${r.endpoints.length} vmap { ${map} }; }`);
    r.endpoints.forEach((ep, j) => {
      lines.push(
        `  chain ${chain}_ep${j} { ip saddr ${ep.ip} meta mark set meta mark | 0x4000; ${r.protocol} dport ${r.port} dnat to ${ep.ip}:${ep.port}; }`,
      );
    });
  });
  lines.push(
    '  chain services {',
    ...svcLines,
    '  }',
    '  chain prerouting { type nat hook prerouting priority -100; policy accept; jump services; }',
    '  chain output { type nat hook output priority -100; policy accept; jump services; }',
    '  chain postrouting { type nat hook postrouting priority 100; policy accept; meta mark & 0x4000 == 0x4000 masquerade; }',
    '}',
  );
  return `${lines.join('\n')}\n`;
}

/** Loads `script` into `netns`. */
export async function applyRules(netns: string, script: string): Promise<void> {
  await run('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: script });
}
