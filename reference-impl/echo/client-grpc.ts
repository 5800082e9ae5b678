/**
 * @module reference-impl/echo/client-grpc
 * `grpc://` calls: one unary `proto.EchoTestService/Echo` per call, spoken directly over HTTP/2 (the
 * gRPC wire format is a 5-byte length prefix per message, status in trailers). Doing it by hand keeps
 * @grpc/grpc-js out of the forwarder and lets gRPC share `dial` (SOCKS5) and connection reuse with h2c.
 * Request headers become metadata; `body` is the EchoRequest message.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { CallError } from './call-error.ts';
import { ECHO_METHOD_PATH, echoRequestCodec, echoResponseCodec } from './echo-proto.ts';
import type { ForwardPlan } from './forward-request.ts';
import { H2Connection, h2Exchange } from './h2-connection.ts';
import type { ProtocolClient } from './protocol-client.ts';
import { parseEchoFields } from './response-format.ts';

/** gRPC status code names (index = code). */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The gRPC status implied by a non-200 HTTP status (gRPC's http-grpc-status-mapping.md). */
export function grpcStatusForHttp(status: number): number {
  if (status === 400) return 13;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return 12;
  if ([429, 502, 503, 504].includes(status)) return 14;
  return 2;
}

/** Frames one message: compressed flag 0, 4-byte big-endian length, bytes. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The first message of a gRPC body, or undefined when there is none. */
export function firstGrpcMessage(body: Buffer): Buffer | undefined {
  if (body.length < 5) return undefined;
  if (body[0] !== 0) throw new CallError('EPROTO', 'compressed gRPC messages are not supported');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new CallError('EPROTO', 'truncated gRPC message');
  return body.subarray(5, 5 + len);
}

/** Creates the gRPC client of one forward. */
export function createGrpcClient(plan: ForwardPlan): ProtocolClient {
  const connection = new H2Connection(plan);
  const headers: OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': ECHO_METHOD_PATH,
    ':authority': plan.target.authority,
    ':scheme': 'http',
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': `${plan.timeoutMs}m`,
  };
  for (const [k, v] of plan.headers) {
    if (k.toLowerCase() === 'host') headers[':authority'] = v;
    else headers[k.toLowerCase()] = v;
  }
  const frame = grpcFrame(echoRequestCodec.encode({ message: plan.body ?? '' }));

  return {
    async call(signal) {
      const { session, release } = await connection.acquire(signal);
      try {
        const reply = await h2Exchange(session, headers, frame, signal, plan.timeoutMs, true);
        const all = new Map([...reply.headers, ...reply.trailers]);
        const grpcStatusText = all.get('grpc-status');
        const grpcMessage = decodeURIComponent(all.get('grpc-message') ?? '');
        if (reply.status !== 200) {
          const name = GRPC_STATUS_NAMES[grpcStatusForHttp(reply.status)];
          const body = reply.body.text();
          return {
            status: reply.status,
            ok: false,
            error: { code: `GRPC_${name}`, message: `HTTP ${reply.status} instead of a gRPC response` },
            fields: parseEchoFields(body),
            body,
          };
        }
        const grpcStatus = grpcStatusText === undefined ? 2 : Number(grpcStatusText);
        if (grpcStatus !== 0) {
          const errno = /\b(E[A-Z]{4,})\b/.exec(grpcMessage)?.[1];
          const name = GRPC_STATUS_NAMES[grpcStatus] ?? String(grpcStatus);
          return {
            status: reply.status,
            ok: false,
            error: { code: errno ?? `GRPC_${name}`, message: `gRPC ${name}: ${grpcMessage}` },
            fields: {},
            body: '',
          };
        }
        const msg = firstGrpcMessage(reply.raw);
        const message = msg ? echoResponseCodec.decode(msg).message : '';
        return { status: 200, ok: true, fields: parseEchoFields(message), body: message };
      } finally {
        release();
      }
    },
    close: () => connection.close(),
  };
}
