/**
 * @module clusters/existing/fake-websocket
 * TEST SUPPORT: the smallest server side of RFC 6455 the fake API server needs to serve
 * port-forward the way the API server does (`v4.channel.k8s.io`): the upgrade handshake, binary
 * frames out, masked frames in (binary, close, ping), no extensions.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A server-side WebSocket connection over an upgraded socket. */
export interface FakeWebSocket {
  send(payload: Buffer): void;
  close(): void;
  onMessage(fn: (payload: Buffer) => void): void;
  onClose(fn: () => void): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : (() => {
            const b = Buffer.alloc(10);
            b[0] = 0x80 | opcode;
            b[1] = 127;
            b.writeBigUInt64BE(BigInt(len), 2);
            return b;
          })();
  return Buffer.concat([head, payload]);
}

/** Completes the upgrade with `protocol` and returns the connection. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, protocol: string): FakeWebSocket {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const messageHandlers: ((p: Buffer) => void)[] = [];
  const closeHandlers: (() => void)[] = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const h of closeHandlers) h();
  };
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      const masked = (buf[1]! & 0x80) !== 0;
      let len = buf[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buf.length < offset + len) return;
      const payload = Buffer.from(buf.subarray(offset, offset + len));
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[maskOffset + (i % 4)]!;
      buf = buf.subarray(offset + len);
      if (opcode === 0x8) {
        if (!socket.destroyed) socket.end(frame(0x8, Buffer.alloc(0)));
        finish();
        return;
      }
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      else if (opcode === 0x2 || opcode === 0x1 || opcode === 0x0)
        for (const h of messageHandlers) h(payload);
    }
  });
  socket.on('close', finish);
  socket.on('error', finish);
  return {
    send(payload) {
      if (!closed && !socket.destroyed) socket.write(frame(0x2, payload));
    },
    close() {
      if (!closed && !socket.destroyed) socket.end(frame(0x8, Buffer.alloc(0)));
      finish();
    },
    onMessage: (fn) => messageHandlers.push(fn),
    onClose: (fn) => closeHandlers.push(fn),
  };
}
