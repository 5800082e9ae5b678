/**
 * @module reference-impl/echo/wire-types
 * The forward API's JSON shapes. They mirror `CallRequest` / `CallOutcome` of clusters/cluster.ts field
 * for field (reference-impl may not import the harness, so the types are restated here).
 */

/** `POST /forward` body: one call repeated `count` times from this process. */
export interface ForwardRequest {
  /** `http://`, `h2c://`, `grpc://`, `tcp://` or `server-first://` URL. */
  url: string;
  /** Number of calls; default 1, at most 10,000. */
  count?: number;
  method?: string;
  headers?: Record<string, string>;
  /** Request body (HTTP), message (gRPC, TCP). */
  body?: string;
  /** Per-call deadline; default 5000 ms. */
  timeoutMs?: number;
  /** Fresh connection per call (true) or one reused connection (false). See forwarder.ts for the default. */
  newConnectionPerRequest?: boolean;
  /** Open connections through this SOCKS5 proxy, `host:port`. */
  socks5?: string;
  /** Pause between calls. */
  intervalMs?: number;
}

/** A transport or protocol error, with an errno-like `code` (`ECONNREFUSED`, `ETIMEDOUT`, ...). */
export interface ForwardError {
  code: string;
  message: string;
}

/** What happened to one call. */
export interface ForwardOutcome {
  index: number;
  ok: boolean;
  /** HTTP status, or 0 when no HTTP response (TCP, transport errors). */
  status: number;
  error?: ForwardError;
  latencyMs: number;
  /** Parsed `Field=value` lines of the reply, plus `StatusCode`/`ResponseHeader` as the caller saw them. */
  fields: Record<string, string[]>;
  /** Raw reply, truncated to 64 KiB. */
  body: string;
}

/** `POST /forward` reply. */
export interface ForwardResponse {
  outcomes: ForwardOutcome[];
}
