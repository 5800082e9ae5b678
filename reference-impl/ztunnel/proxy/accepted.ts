/**
 * @module reference-impl/ztunnel/proxy/accepted
 * Steps shared by the listeners: preparing a captured socket, and copying an inbound connection
 * that policy may close while it lives.
 */
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionRecord } from '../telemetry/connection-telemetry.ts';
import type { ConnectionFacts } from './authorize.ts';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { pipeBoth } from './pipe.ts';

/**
 * Prepares a socket a capture listener of `pod` accepted and returns where it was meant to go;
 * when that cannot be read, logs it, destroys the socket and returns undefined.
 */
export function acceptCaptured(
  inputs: ProxyInputs,
  pod: PodContext,
  socket: net.Socket,
  listener: string,
): { address: string; port: number } | undefined {
  socket.on('error', () => {});
  // Proxied bytes are written as they arrive, in pieces (HBONE DATA frames are ≤16 KiB); with Nagle
  // the tail of every burst waits for the peer's delayed ACK (~40 ms per round trip).
  socket.setNoDelay(true);
  try {
    return pod.originalDestination(socket);
  } catch (err) {
    inputs.logger.warn('no original destination', {
      listener,
      pod: `${pod.namespace}/${pod.name}`,
      error: String(err),
    });
    socket.destroy();
    return undefined;
  }
}

/**
 * Copies `down` ⇄ `upstream` of an inbound connection to `workload` and registers it with the
 * tracker, so a policy change can close it (`cancel` ends the downstream side); bytes and result go to `rec`.
 */
export function pipeTracked(
  inputs: ProxyInputs,
  pod: PodContext,
  workloadUid: string,
  facts: ConnectionFacts,
  down: Duplex,
  upstream: Duplex,
  rec: ConnectionRecord,
  cancel: () => void,
): void {
  let closedBy: string | undefined;
  const untrack = inputs.tracker.add({
    workloadUid,
    podUid: pod.uid,
    facts,
    close: (reason) => {
      closedBy = reason;
      cancel();
      upstream.destroy();
    },
  });
  pipeBoth(down, upstream, {
    onDone: (r) => {
      untrack();
      rec.addReceived(r.bytesUp);
      rec.addSent(r.bytesDown);
      rec.close(
        closedBy === 'closed-by-policy'
          ? { result: 'closed-by-policy', responseFlags: 'DENY' }
          : { result: 'ok', error: r.error?.message },
      );
    },
  });
}
