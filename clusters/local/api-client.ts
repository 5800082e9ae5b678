/**
 * @module clusters/local/api-client
 * A client of the daemon's API over its unix socket; turns error bodies back into typed errors.
 */
import http from 'node:http';
import { type ErrorCode, MeshbenchError, ValidationError } from '../../core/errors.ts';

/** Calls `POST /v1/<op>` on the daemon at `socketPath`. */
export function callDaemon<T>(
  socketPath: string,
  op: string,
  body: unknown = {},
  timeoutMs = 30_000,
): Promise<T> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        path: `/v1/${op}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: {
            error?: { code: ErrorCode; message: string; name?: string; details?: Record<string, unknown> };
          };
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString());
          } catch (err) {
            reject(
              new MeshbenchError('E_CLUSTER_DAEMON', `daemon sent a bad response to ${op}`, { cause: err }),
            );
            return;
          }
          const e = parsed.error;
          if (e) {
            if (e.name === 'ValidationError') {
              const d = e.details ?? {};
              const err = new ValidationError(e.code as 'E_MANIFEST_FIELD', {}, e.message, { details: d });
              Object.assign(err, { file: d.file, object: d.object, field: d.field });
              reject(err);
            } else reject(new MeshbenchError(e.code, e.message, { details: e.details }));
          } else resolve(parsed as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`daemon call ${op} timed out`)));
    req.on('error', (err) =>
      reject(
        new MeshbenchError(
          'E_CLUSTER_DAEMON',
          `cannot reach the cluster daemon at ${socketPath}: ${err.message}`,
          {
            cause: err,
            hint: 'the daemon may have died: run `down` and `up` again',
          },
        ),
      ),
    );
    req.end(text);
  });
}
