/**
 * @module clusters/existing/kube-errors
 * Turns what @kubernetes/client-node throws (`ApiException` with an HTTP code and a `V1Status`
 * body, or a fetch failure) into one `E_KUBE_API` line naming the request and the server's reason.
 */
import { MeshbenchError } from '../../core/errors.ts';

interface ApiExceptionLike {
  code?: number;
  body?: unknown;
  message?: string;
}

/** HTTP status of an API error, or undefined when the request never got an answer. */
export function httpStatus(err: unknown): number | undefined {
  const code = (err as ApiExceptionLike | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for a 404 from the API server. */
export function isNotFound(err: unknown): boolean {
  return httpStatus(err) === 404;
}

function serverMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return serverMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 300) || undefined;
    }
  }
  const msg = (body as { message?: unknown } | undefined)?.message;
  return typeof msg === 'string' ? msg : undefined;
}

function rootCause(err: unknown): string {
  let e: unknown = err;
  let text = err instanceof Error ? err.message : String(err);
  while (e instanceof Error && e.cause) {
    e = e.cause;
    const code = (e as NodeJS.ErrnoException).code;
    text = code ? `${code} ${(e as Error).message}` : (e as Error).message;
  }
  return text;
}

/** Wraps an API failure: `<what> failed: <server reason or transport cause>`. */
export function kubeError(what: string, err: unknown, server?: string): MeshbenchError {
  if (err instanceof MeshbenchError) return err;
  const status = httpStatus(err);
  if (status !== undefined && status < 600) {
    const reason = serverMessage((err as ApiExceptionLike).body) ?? `HTTP ${status}`;
    return new MeshbenchError('E_KUBE_API', `${what} failed: ${reason} (HTTP ${status})`, {
      cause: err,
      details: { status },
    });
  }
  return new MeshbenchError(
    'E_KUBE_API',
    `${what} failed: cannot reach the API server${server ? ` ${server}` : ''}: ${rootCause(err)}`,
    {
      cause: err,
      hint: 'check the kubeconfig context and that the cluster is running',
    },
  );
}
