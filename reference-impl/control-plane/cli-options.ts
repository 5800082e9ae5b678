/**
 * @module reference-impl/control-plane/cli-options
 * The process contract's flags, parsed and validated:
 * `--config-dir DIR | --kubeconfig PATH`, `--listen HOST:PORT` (15012), `--admin HOST:PORT` (15014),
 * `--ca-dir DIR`, `--node-tokens FILE`, `--trust-domain` (cluster.local), `--cert-ttl SECONDS` (86400).
 */
import { parseArgs } from 'node:util';
import { ValidationError } from '../../core/errors.ts';
import { DEFAULT_CERT_TTL_SECONDS } from './ca/authority.ts';

export interface ControlPlaneFlags {
  configDir?: string;
  kubeconfig?: string;
  listen: { host: string; port: number };
  admin: { host: string; port: number };
  caDir?: string;
  nodeTokens?: string;
  trustDomain: string;
  certTtlSeconds: number;
}

/** `host:port` → parts; names the flag on error. */
export function parseHostPort(flag: string, v: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || port > 65535) {
    throw new ValidationError('E_FLAG', { field: `--${flag}` }, `"${v}" is not HOST:PORT`, {
      hint: 'e.g. 0.0.0.0:15012',
    });
  }
  return { host: m[1], port };
}

/** Parses argv (without node and script). */
export function parseControlPlaneFlags(argv: string[]): ControlPlaneFlags {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'config-dir': { type: 'string' },
        kubeconfig: { type: 'string' },
        listen: { type: 'string', default: '0.0.0.0:15012' },
        admin: { type: 'string', default: '0.0.0.0:15014' },
        'ca-dir': { type: 'string' },
        'node-tokens': { type: 'string' },
        'trust-domain': { type: 'string', default: 'cluster.local' },
        'cert-ttl': { type: 'string', default: String(DEFAULT_CERT_TTL_SECONDS) },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new ValidationError('E_FLAG', {}, (err as Error).message, { cause: err });
  }
  if (!values['config-dir'] === !values.kubeconfig) {
    throw new ValidationError(
      'E_FLAG',
      { field: '--config-dir' },
      'give exactly one of --config-dir or --kubeconfig',
    );
  }
  const ttl = Number(values['cert-ttl']);
  if (!Number.isInteger(ttl) || ttl < 1) {
    throw new ValidationError(
      'E_FLAG',
      { field: '--cert-ttl' },
      `"${values['cert-ttl']}" is not a positive number of seconds`,
    );
  }
  const td = values['trust-domain']!;
  if (!/^[a-z0-9.-]+$/.test(td))
    throw new ValidationError('E_FLAG', { field: '--trust-domain' }, `"${td}" is not a trust domain`);
  return {
    configDir: values['config-dir'],
    kubeconfig: values.kubeconfig,
    listen: parseHostPort('listen', values.listen!),
    admin: parseHostPort('admin', values.admin!),
    caDir: values['ca-dir'],
    nodeTokens: values['node-tokens'],
    trustDomain: td,
    certTtlSeconds: ttl,
  };
}
