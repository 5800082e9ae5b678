/**
 * @module reference-impl/ztunnel/hbone/keepalive
 * HTTP/2 keepalive for HBONE server sessions: a session that received nothing for one interval is
 * sent a PING, and one whose PING is not acknowledged within the timeout is destroyed. Besides dead
 * peers, this is what ends a session nghttp2 has terminated on its own: after its rapid-reset guard
 * (CVE-2023-44487) sends GOAWAY, nghttp2 stops wanting to read and Node.js 20 stops reading the
 * socket without destroying the session, so the peer's FIN is never seen and the connection would
 * stay open for ever (found by the 100,000-input fuzz run; nodejs/node#56306 is the GOAWAY trigger).
 */
import type http2 from 'node:http2';

/** When to probe an idle session and how long to wait for the answer. */
export interface KeepaliveOptions {
  intervalMs: number;
  timeoutMs: number;
}

/**
 * ztunnel's figures (src/proxy/h2: PING every 10 s, 20 s to answer); unlike ztunnel, a session that
 * is receiving bytes is not probed.
 */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = { intervalMs: 10_000, timeoutMs: 20_000 };

/**
 * Watches `session` until it closes; calls `onDead` (then destroys the session) when a PING sent
 * after an interval without received bytes is not acknowledged in time. Timers never hold the
 * process open.
 */
export function keepSessionAlive(
  session: http2.Http2Session,
  options: KeepaliveOptions,
  onDead: (reason: string) => void,
): void {
  let lastBytesRead = -1;
  let pingTimer: NodeJS.Timeout | undefined;
  const bytesRead = () => (session.socket as { bytesRead?: number } | undefined)?.bytesRead ?? 0;
  const dead = (reason: string) => {
    clearInterval(tick);
    if (session.destroyed) return;
    onDead(reason);
    session.destroy();
  };
  const tick = setInterval(() => {
    if (session.destroyed || session.closed) return;
    const read = bytesRead();
    if (read !== lastBytesRead || pingTimer) {
      lastBytesRead = read;
      return;
    }
    pingTimer = setTimeout(() => dead('ping-timeout'), options.timeoutMs);
    pingTimer.unref();
    let sent = false;
    try {
      sent = session.ping((err) => {
        clearTimeout(pingTimer);
        pingTimer = undefined;
        if (err) dead('ping-failed');
      });
    } catch {}
    if (!sent) dead('ping-refused');
  }, options.intervalMs);
  tick.unref();
  session.once('close', () => {
    clearInterval(tick);
    clearTimeout(pingTimer);
  });
}
