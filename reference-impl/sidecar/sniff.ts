/**
 * @module reference-impl/sidecar/sniff
 * Protocol detection (Envoy's http_inspector, as Istio's sidecars do for ports not declared with an
 * `appProtocol`): the first bytes of a client-first connection say HTTP/1.x (a request line) or
 * HTTP/2 (the connection preface); anything else, or nothing within the detection timeout (a
 * server-first protocol), is TCP. The bytes read are put back, so the stream is untouched.
 */
import type { Duplex } from 'node:stream';

export type Sniffed = 'http1' | 'h2' | 'tcp';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** Classifies the first bytes (pure). Undefined: not enough bytes yet to tell. */
export function classify(head: Buffer): Sniffed | undefined {
  const n = Math.min(head.length, H2_PREFACE.length);
  if (head.subarray(0, n).equals(H2_PREFACE.subarray(0, n)))
    return head.length >= H2_PREFACE.length ? 'h2' : undefined;
  const text = head.subarray(0, 16).toString('latin1');
  const space = text.indexOf(' ');
  if (space < 0) return METHODS.some((m) => m.startsWith(text)) && text.length < 8 ? undefined : 'tcp';
  return METHODS.includes(text.slice(0, space)) ? 'http1' : 'tcp';
}

/** App-protocol names that mean HTTP to the sidecar (`appProtocol`, Istio port-name prefixes). */
export function declaredProtocol(appProtocol: string | undefined): 'http' | 'tcp' | undefined {
  if (!appProtocol) return undefined;
  const p = appProtocol.toLowerCase();
  if (/^(http|http2|grpc|grpc-web|h2c|kubernetes\.io\/h2c)(-|$)/.test(p)) return 'http';
  return 'tcp';
}

/** Waits for the first bytes of `stream` (at most `timeoutMs`), classifies them and puts them back. */
export function sniff(stream: Duplex, timeoutMs: number): Promise<Sniffed> {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    let done = false;
    const finish = (kind: Sniffed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      if (head.length > 0) stream.unshift(head);
      resolve(kind);
    };
    const onReadable = () => {
      for (
        let chunk = stream.read() as Buffer | null;
        chunk !== null;
        chunk = stream.read() as Buffer | null
      ) {
        head = Buffer.concat([head, chunk]);
        const kind = classify(head);
        if (kind) return finish(kind);
      }
    };
    const onEnd = () => finish('tcp');
    const timer = setTimeout(() => finish('tcp'), timeoutMs);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
  });
}
