/**
 * @module reference-impl/echo/client-h2c
 * `h2c://` calls: HTTP/2 with prior knowledge over cleartext (Istio's forwarder `http2` option). A `host`
 * header, if given, becomes `:authority`.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import type { ForwardPlan } from './forward-request.ts';
import { H2Connection, h2Exchange } from './h2-connection.ts';
import { httpReplyFields, isOkStatus, type ProtocolClient } from './protocol-client.ts';

/** Creates the h2c client of one forward. */
export function createH2cClient(plan: ForwardPlan): ProtocolClient {
  const connection = new H2Connection(plan);
  const headers: OutgoingHttpHeaders = {
    ':method': plan.method,
    ':path': plan.target.path,
    ':authority': plan.target.authority,
    ':scheme': 'http',
  };
  for (const [k, v] of plan.headers) {
    if (k.toLowerCase() === 'host') headers[':authority'] = v;
    else headers[k.toLowerCase()] = v;
  }
  return {
    async call(signal) {
      const { session, release } = await connection.acquire(signal);
      try {
        const reply = await h2Exchange(session, headers, plan.body, signal, plan.timeoutMs);
        const body = reply.body.text();
        return {
          status: reply.status,
          ok: isOkStatus(reply.status),
          fields: httpReplyFields(reply.status, reply.headers, body),
          body,
        };
      } finally {
        release();
      }
    },
    close: () => connection.close(),
  };
}
