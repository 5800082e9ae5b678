/**
 * @module reference-impl/echo/grpc-listener
 * Istio's `proto.EchoTestService/Echo` on @grpc/grpc-js. Loaded lazily (grpc-js costs start-up time) by
 * echo-server.ts only when a gRPC port is configured. The reply's `message` holds the echo fields, as
 * Istio's EchoGrpcHandler writes them: request metadata, `StatusCode=200`, version, port, `IP`,
 * `Proto=GRPC`, `Echo=<request message>`, `Hostname`.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../core/logger.ts';
import { ECHO_METHOD_PATH, type EchoMessage, echoRequestCodec, echoResponseCodec } from './echo-proto.ts';
import type { EchoIdentity } from './http-handler.ts';
import { splitHostPort } from './peer-address.ts';
import { type EchoFieldEntry, formatEchoFields } from './response-format.ts';

/** A bound gRPC echo server. */
export interface GrpcListener {
  readonly port: number;
  close(graceMs: number): Promise<void>;
}

const service: grpc.ServiceDefinition = {
  Echo: {
    path: ECHO_METHOD_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: echoRequestCodec.encode,
    requestDeserialize: (b: Buffer) => echoRequestCodec.decode(b),
    responseSerialize: echoResponseCodec.encode,
    responseDeserialize: (b: Buffer) => echoResponseCodec.decode(b),
  },
};

/** Formats the reply fields for one Echo call. */
export function grpcEchoFields(
  identity: EchoIdentity,
  port: number,
  call: { metadata: grpc.Metadata; getPeer(): string; getHost?: () => string },
  message: string,
): string {
  const entries: EchoFieldEntry[] = [];
  const host = call.getHost?.() ?? '';
  if (host) entries.push(['Host', host], ['RequestHeader', [':authority', host]]);
  const md = call.metadata.toJSON() as Record<string, unknown[]>;
  for (const key of Object.keys(md).sort()) {
    if (key.endsWith('-bin')) continue;
    for (const v of md[key] ?? []) entries.push(['RequestHeader', [key, String(v)]]);
  }
  entries.push(['StatusCode', '200'], ['ServiceVersion', identity.version], ['ServicePort', String(port)]);
  if (identity.cluster) entries.push(['Cluster', identity.cluster]);
  if (identity.namespace) entries.push(['Namespace', identity.namespace]);
  entries.push(['IP', splitHostPort(call.getPeer()).ip || '0.0.0.0'], ['Proto', 'GRPC']);
  for (const line of message.split('\n')) entries.push(['Echo', line]);
  entries.push(['Hostname', identity.hostname]);
  return formatEchoFields(entries);
}

/** Binds `bind:port` and serves Echo. Rejects with the bind error (e.g. address in use). */
export function startGrpcListener(
  identity: EchoIdentity,
  bind: string,
  port: number,
  logger: Logger,
): Promise<GrpcListener> {
  // grpc-js logs to stderr on its own; route its lines through our logger instead.
  grpc.setLogger({ error: (...args: unknown[]) => logger.debug('grpc-js', { message: args.join(' ') }) });
  const server = new grpc.Server({ 'grpc.max_connection_idle_ms': 300_000 });
  let boundPort = port;
  server.addService(service, {
    Echo: (
      call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>,
      callback: grpc.sendUnaryData<EchoMessage>,
    ) => {
      logger.debug('grpc echo request', { peer: call.getPeer() });
      callback(null, { message: grpcEchoFields(identity, boundPort, call, call.request.message) });
    },
  });
  const address = bind.includes(':') ? `[${bind}]:${port}` : `${bind}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, actual) => {
      if (err) {
        server.forceShutdown();
        reject(err);
        return;
      }
      boundPort = actual;
      resolve({
        port: actual,
        close: (graceMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              server.forceShutdown();
              done();
            }, graceMs);
            timer.unref();
            server.tryShutdown(() => {
              clearTimeout(timer);
              done();
            });
          }),
      });
    });
  });
}
