/**
 * @module reference-impl/echo/call-error
 * Turns anything a call throws into an outcome error `{ code, message }` with an errno-like code
 * (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `ENETUNREACH`, ...), so suites match on codes whatever the
 * scheme. SOCKS5 replies map to the errno the proxy reported (RFC 1928 REP field).
 */
import type { ForwardError } from './wire-types.ts';

/** An error carrying an errno-like code, thrown by the echo's clients. */
export class CallError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallError';
    this.code = code;
  }
}

const SOCKS5_REPLY_CODES: Record<string, string> = {
  Failure: 'ESOCKS_FAILURE',
  NotAllowed: 'ESOCKS_NOT_ALLOWED',
  NetworkUnreachable: 'ENETUNREACH',
  HostUnreachable: 'EHOSTUNREACH',
  ConnectionRefused: 'ECONNREFUSED',
  TTLExpired: 'ETIMEDOUT',
  CommandNotSupported: 'ESOCKS_COMMAND_NOT_SUPPORTED',
  AddressNotSupported: 'ESOCKS_ADDRESS_NOT_SUPPORTED',
};

/** The `{ code, message }` of an outcome for any thrown value. */
export function toForwardError(err: unknown): ForwardError {
  if (err instanceof CallError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const message = err.message;
    if (err.constructor?.name === 'SocksClientError' || err.name === 'SocksClientError') {
      const reply = /rejected connection - (\w+)/.exec(message)?.[1];
      if (reply)
        return { code: SOCKS5_REPLY_CODES[reply] ?? 'ESOCKS_FAILURE', message: `SOCKS5 proxy: ${message}` };
      if (message.includes('timed out')) return { code: 'ETIMEDOUT', message: `SOCKS5 proxy: ${message}` };
      const errno = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
      return { code: errno ?? 'ESOCKS_FAILURE', message: `SOCKS5 proxy: ${message}` };
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code) return { code, message };
    if (err.name === 'TimeoutError') return { code: 'ETIMEDOUT', message };
    if (err.name === 'AbortError') return { code: 'ECANCELED', message };
    return { code: 'EUNKNOWN', message };
  }
  return { code: 'EUNKNOWN', message: String(err) };
}

/** The error to throw when a call's signal fires: a timeout or a cancelled forward. */
export function abortError(signal: AbortSignal, timeoutMs: number): CallError {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason instanceof CallError) return reason;
  if (reason?.name === 'TimeoutError') return new CallError('ETIMEDOUT', `no reply within ${timeoutMs} ms`);
  return new CallError('ECANCELED', 'the forward request was cancelled');
}
