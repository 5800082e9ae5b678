/**
 * @module reference-impl/echo/config
 * The echo process contract: flags and pod environment → a validated `EchoConfig`.
 * `node --import tsx reference-impl/echo/main.ts [--http PORT]... [--grpc PORT]... [--tcp PORT]...
 * [--server-first PORT]... [--control-port 7071] [--version v1] [--cluster NAME] [--bind 0.0.0.0]`.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { ValidationError } from '../../core/errors.ts';

/** The protocols the echo serves on its data ports. */
export type EchoProtocol = 'http' | 'grpc' | 'tcp' | 'server-first';

/** One data port. */
export interface EchoPort {
  protocol: EchoProtocol;
  /** 0 picks an ephemeral port (tests). */
  port: number;
}

/** Everything the echo needs to run; built once at the edge by `parseEchoArgs`. */
export interface EchoConfig {
  ports: EchoPort[];
  controlPort: number;
  bind: string;
  /** `ServiceVersion` field. */
  version: string;
  /** `Cluster` field (written only when non-empty). */
  cluster: string;
  /** `Hostname` field: POD_NAME, else the OS hostname. */
  hostname: string;
  /** `Namespace` field: POD_NAMESPACE (written only when non-empty). */
  namespace: string;
  podIp: string;
  nodeName: string;
  serviceAccount: string;
}

/** Ports used when no data-port flag is given. */
export const DEFAULT_PORTS: readonly EchoPort[] = [
  { protocol: 'http', port: 8080 },
  { protocol: 'grpc', port: 7070 },
  { protocol: 'tcp', port: 9090 },
  { protocol: 'server-first', port: 9091 },
];

/** The forward API's port when `--control-port` is absent. */
export const DEFAULT_CONTROL_PORT = 7071;

const PROTOCOL_FLAGS: Record<EchoProtocol, string> = {
  http: 'http',
  grpc: 'grpc',
  tcp: 'tcp',
  'server-first': 'server-first',
};

/** Parses a port flag value; 0 is allowed (ephemeral). */
export function parsePort(flag: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError('E_FLAG', { field: `--${flag}` }, `"${value}" is not a port`, {
      hint: 'give an integer from 0 to 65535',
    });
  }
  return port;
}

/** Builds the config from argv (without `node main.ts`) and the pod environment. */
export function parseEchoArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EchoConfig {
  let values: Record<string, string | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        http: { type: 'string', multiple: true },
        grpc: { type: 'string', multiple: true },
        tcp: { type: 'string', multiple: true },
        'server-first': { type: 'string', multiple: true },
        'control-port': { type: 'string' },
        version: { type: 'string' },
        cluster: { type: 'string' },
        bind: { type: 'string' },
      },
    }) as { values: Record<string, string | string[] | undefined> });
  } catch (err) {
    throw new ValidationError('E_FLAG', { object: 'echo' }, (err as Error).message, {
      cause: err,
      hint: 'flags: --http --grpc --tcp --server-first --control-port --version --cluster --bind',
    });
  }

  const ports: EchoPort[] = [];
  for (const protocol of Object.keys(PROTOCOL_FLAGS) as EchoProtocol[]) {
    const flag = PROTOCOL_FLAGS[protocol];
    for (const v of (values[flag] as string[] | undefined) ?? [])
      ports.push({ protocol, port: parsePort(flag, v) });
  }
  const chosen = ports.length ? ports : DEFAULT_PORTS.map((p) => ({ ...p }));
  const controlRaw = values['control-port'] as string | undefined;
  const controlPort = controlRaw === undefined ? DEFAULT_CONTROL_PORT : parsePort('control-port', controlRaw);

  const seen = new Map<number, string>();
  for (const p of [
    ...chosen.map((c) => ({ flag: c.protocol, port: c.port })),
    { flag: 'control-port', port: controlPort },
  ]) {
    if (p.port === 0) continue;
    const other = seen.get(p.port);
    if (other) {
      throw new ValidationError(
        'E_FLAG',
        { field: `--${p.flag}` },
        `port ${p.port} is also given to --${other}`,
        {
          hint: 'give every listener its own port',
        },
      );
    }
    seen.set(p.port, p.flag);
  }

  const bind = (values.bind as string | undefined) ?? '0.0.0.0';
  if (!bind)
    throw new ValidationError('E_FLAG', { field: '--bind' }, 'empty address', { hint: 'e.g. 0.0.0.0' });

  return {
    ports: chosen,
    controlPort,
    bind,
    version: (values.version as string | undefined) ?? 'v1',
    cluster: (values.cluster as string | undefined) ?? '',
    hostname: env.POD_NAME || hostname(),
    namespace: env.POD_NAMESPACE ?? '',
    podIp: env.POD_IP ?? '',
    nodeName: env.NODE_NAME ?? '',
    serviceAccount: env.SERVICE_ACCOUNT ?? '',
  };
}
