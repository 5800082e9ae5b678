/**
 * @module reference-impl/node-agent/redirect-rules
 * Istio's in-pod redirection (istio/istio cni/pkg/iptables/iptables.go, REDIRECT mode), installed in
 * the pod's network namespace: mark 0x539/0xfff exempts ztunnel's own sockets, connmark 0x111 keeps
 * its connections recognisable; nat OUTPUT TCP not to 127.0.0.1 → 15001; nat PREROUTING TCP not to
 * 127.0.0.1 and dport ≠ 15008 → 15006; DNS (UDP and TCP 53) → 15053 when DNS capture is on.
 *
 * Original source: ztunnel connects to the application from the client's IP (IP_TRANSPARENT). Those
 * sockets carry mark 0x539, which the mangle PREROUTING rule turns into connmark 0x111 as the packets
 * loop through `lo`; the application's replies get the mark back in mangle OUTPUT, and Istio's
 * `ip rule add fwmark 0x111/0xfff pref 32764 lookup 100` + `ip route add local 0.0.0.0/0 dev lo
 * table 100` deliver them locally (to ztunnel) instead of routing them to the client's address.
 */
import { execFileSync } from 'node:child_process';
import { MeshbenchError } from '../../core/errors.ts';

/** Ports and marks of the rules (Istio's values by default). */
export interface RedirectOptions {
  outboundPort: number;
  inboundPlaintextPort: number;
  hbonePort: number;
  dnsPort: number;
  dnsCapture: boolean;
  mark: string;
  connmark: string;
  /** Kubelet health-probe source SNAT address, exempt from capture. */
  probeIp: string;
  /** Routing table whose `local 0.0.0.0/0 dev lo` route takes connmark-ed replies (Istio: 100). */
  routeTable: number;
  /** Priority of the `fwmark <connmark> lookup <routeTable>` rule (Istio: 32764). */
  rulePriority: number;
}

/** Istio's defaults. */
export const defaultRedirectOptions: RedirectOptions = {
  outboundPort: 15001,
  inboundPlaintextPort: 15006,
  hbonePort: 15008,
  dnsPort: 15053,
  dnsCapture: true,
  mark: '0x539/0xfff',
  connmark: '0x111/0xfff',
  probeIp: '169.254.7.127',
  routeTable: 100,
  rulePriority: 32764,
};

const PRERT = 'ISTIO_PRERT';
const OUTPUT = 'ISTIO_OUTPUT';

/** The `iptables-restore --noflush` input that installs the rules (chains are created empty). */
export function redirectRulesScript(o: RedirectOptions = defaultRedirectOptions): string {
  const dns = o.dnsCapture
    ? [
        `-A ${OUTPUT} ! -o lo -p udp -m mark ! --mark ${o.mark} -m udp --dport 53 -j REDIRECT --to-ports ${o.dnsPort}`,
        `-A ${OUTPUT} ! -d 127.0.0.1/32 -p tcp -m mark ! --mark ${o.mark} -m tcp --dport 53 -j REDIRECT --to-ports ${o.dnsPort}`,
      ]
    : [];
  return [
    '*mangle',
    `:${PRERT} - [0:0]`,
    `:${OUTPUT} - [0:0]`,
    `-A PREROUTING -j ${PRERT}`,
    `-A OUTPUT -j ${OUTPUT}`,
    `-A ${OUTPUT} -m connmark --mark ${o.connmark} -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff`,
    `-A ${PRERT} -m mark --mark ${o.mark} -j CONNMARK --set-xmark ${o.connmark}`,
    'COMMIT',
    '*nat',
    `:${PRERT} - [0:0]`,
    `:${OUTPUT} - [0:0]`,
    `-A OUTPUT -j ${OUTPUT}`,
    `-A PREROUTING -j ${PRERT}`,
    `-A ${OUTPUT} -d ${o.probeIp}/32 -p tcp -m tcp -j ACCEPT`,
    `-A ${OUTPUT} -p tcp -m mark --mark ${o.connmark} -j ACCEPT`,
    `-A ${OUTPUT} ! -d 127.0.0.1/32 -o lo -j ACCEPT`,
    ...dns,
    `-A ${OUTPUT} ! -d 127.0.0.1/32 -p tcp -m mark ! --mark ${o.mark} -j REDIRECT --to-ports ${o.outboundPort}`,
    `-A ${PRERT} -s ${o.probeIp}/32 -p tcp -m tcp -j ACCEPT`,
    `-A ${PRERT} ! -d 127.0.0.1/32 -p tcp ! --dport ${o.hbonePort} -m mark ! --mark ${o.mark} -j REDIRECT --to-ports ${o.inboundPlaintextPort}`,
    'COMMIT',
    '',
  ].join('\n');
}

/** The `ip` commands (argv without `ip`) that route connmark-ed replies to the local stack. */
export function originalSourceRouting(o: RedirectOptions = defaultRedirectOptions): {
  add: string[][];
  remove: string[][];
} {
  const rule = ['fwmark', o.connmark, 'priority', String(o.rulePriority), 'lookup', String(o.routeTable)];
  return {
    add: [
      ['-4', 'rule', 'add', ...rule],
      ['-4', 'route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(o.routeTable)],
    ],
    remove: [
      ['-4', 'rule', 'del', ...rule],
      ['-4', 'route', 'flush', 'table', String(o.routeTable)],
    ],
  };
}

/** Runs a command inside the network namespace at `netnsPath`. */
export type NetnsExec = (netnsPath: string, argv: string[], input?: string) => string;

/** `nsenter --net=<path> <argv>`. */
export const nsenterExec: NetnsExec = (netnsPath, argv, input) =>
  execFileSync('nsenter', [`--net=${netnsPath}`, ...argv], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();

/** Removes the rules and the routing rule/table (idempotent: missing ones are fine). */
export function removeRedirect(
  netnsPath: string,
  exec: NetnsExec = nsenterExec,
  options: RedirectOptions = defaultRedirectOptions,
): void {
  const tryRun = (argv: string[]) => {
    try {
      exec(netnsPath, argv);
      return true;
    } catch {
      return false;
    }
  };
  for (const table of ['mangle', 'nat']) {
    for (const [base, chain] of [
      ['PREROUTING', PRERT],
      ['OUTPUT', OUTPUT],
    ] as const) {
      for (let i = 0; i < 10 && tryRun(['iptables', '-w', '5', '-t', table, '-D', base, '-j', chain]); i++);
      tryRun(['iptables', '-w', '5', '-t', table, '-F', chain]);
      tryRun(['iptables', '-w', '5', '-t', table, '-X', chain]);
    }
  }
  const [delRule, flushTable] = originalSourceRouting(options).remove;
  for (let i = 0; i < 10 && tryRun(['ip', ...delRule!]); i++);
  tryRun(['ip', ...flushTable!]);
}

/** Installs the rules, replacing any previous copy. */
export function installRedirect(
  netnsPath: string,
  options: RedirectOptions = defaultRedirectOptions,
  exec: NetnsExec = nsenterExec,
): void {
  removeRedirect(netnsPath, exec, options);
  try {
    exec(netnsPath, ['iptables-restore', '-w', '5', '--noflush'], redirectRulesScript(options));
    for (const argv of originalSourceRouting(options).add) exec(netnsPath, ['ip', ...argv]);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new MeshbenchError(
      'E_KERNEL_FEATURE',
      `cannot install redirect rules in ${netnsPath}: ${stderr || String(err)}`,
      {
        cause: err,
        hint: 'needs root and iptables (nf_tables) in the pod network namespace',
      },
    );
  }
}

/** True when the rules are present in the namespace. */
export function hasRedirect(netnsPath: string, exec: NetnsExec = nsenterExec): boolean {
  try {
    exec(netnsPath, ['iptables', '-w', '5', '-t', 'nat', '-C', 'PREROUTING', '-j', PRERT]);
    return true;
  } catch {
    return false;
  }
}
