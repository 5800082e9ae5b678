/**
 * @module reference-impl/ztunnel/proxy/socks5
 * SOCKS5 outbound (15080, opt-in): an application names its destination explicitly (RFC 1928,
 * no authentication, CONNECT only, IPv4 or a service hostname) instead of being captured.
 * Malformed greetings are answered with a failure code and closed.
 */
import type net from 'node:net';
import type { PodContext, ProxyInputs } from './inputs.ts';
import { proxyOutbound } from './outbound.ts';

const REPLY_OK = 0x00;
const REPLY_FAILURE = 0x01;
const REPLY_HOST_UNREACHABLE = 0x04;
const REPLY_CMD_UNSUPPORTED = 0x07;
const REPLY_ATYP_UNSUPPORTED = 0x08;

const reply = (code: number) => Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);

/** Parses the SOCKS5 handshake from the buffered bytes; undefined while incomplete. */
export function parseSocks5(buf: Buffer):
  | { state: 'incomplete'; greetingLength?: number }
  | { state: 'error'; code: number; greetingDone: boolean }
  | {
      state: 'connect';
      host: string;
      port: number;
      kind: 'ip' | 'name';
      consumed: number;
      greetingLength: number;
    } {
  if (buf.length < 2) return { state: 'incomplete' };
  if (buf[0] !== 0x05) return { state: 'error', code: REPLY_FAILURE, greetingDone: false };
  const nMethods = buf[1]!;
  const gLen = 2 + nMethods;
  if (buf.length < gLen) return { state: 'incomplete' };
  if (!buf.subarray(2, gLen).includes(0x00)) return { state: 'error', code: 0xff, greetingDone: false };
  const req = buf.subarray(gLen);
  if (req.length < 4) return { state: 'incomplete', greetingLength: gLen };
  if (req[0] !== 0x05) return { state: 'error', code: REPLY_FAILURE, greetingDone: true };
  if (req[1] !== 0x01) return { state: 'error', code: REPLY_CMD_UNSUPPORTED, greetingDone: true };
  const atyp = req[3];
  if (atyp === 0x01) {
    if (req.length < 10) return { state: 'incomplete', greetingLength: gLen };
    return {
      state: 'connect',
      host: `${req[4]}.${req[5]}.${req[6]}.${req[7]}`,
      port: req.readUInt16BE(8),
      kind: 'ip',
      consumed: gLen + 10,
      greetingLength: gLen,
    };
  }
  if (atyp === 0x03) {
    if (req.length < 5) return { state: 'incomplete', greetingLength: gLen };
    const n = req[4]!;
    if (req.length < 5 + n + 2) return { state: 'incomplete', greetingLength: gLen };
    return {
      state: 'connect',
      host: req.subarray(5, 5 + n).toString('latin1'),
      port: req.readUInt16BE(5 + n),
      kind: 'name',
      consumed: gLen + 5 + n + 2,
      greetingLength: gLen,
    };
  }
  return { state: 'error', code: REPLY_ATYP_UNSUPPORTED, greetingDone: true };
}

/** Handles one SOCKS5 client of `pod`. */
export function handleSocks5(inputs: ProxyInputs, pod: PodContext, socket: net.Socket): void {
  socket.on('error', () => {});
  // Replies arrive from HBONE in ≤16 KiB DATA frames, each written as it comes; with Nagle the tail
  // of every burst waits for the application's delayed ACK (~40 ms per round trip).
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let greeted = false;
  const timer = setTimeout(() => socket.destroy(), 10_000);
  socket.once('close', () => clearTimeout(timer));
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (buf.length > 1024) {
      inputs.telemetry.rejected('socks5', 'too-long');
      socket.destroy();
      return;
    }
    const p = parseSocks5(buf);
    if ((p.state === 'incomplete' || p.state === 'connect') && p.greetingLength !== undefined && !greeted) {
      greeted = true;
      socket.write(Buffer.from([0x05, 0x00]));
    }
    if (p.state === 'incomplete') return;
    socket.off('data', onData);
    clearTimeout(timer);
    if (p.state === 'error') {
      inputs.telemetry.rejected('socks5', 'bad-request');
      socket.end(
        p.greetingDone
          ? Buffer.concat([Buffer.from([0x05, 0x00]), reply(p.code)])
          : Buffer.from([0x05, 0xff]),
      );
      return;
    }
    let ip = p.host;
    if (p.kind === 'name') {
      const svc = inputs.state.serviceByHostname(p.host);
      const vip = svc?.addresses[0]?.address;
      if (!vip) {
        inputs.telemetry.rejected('socks5', 'unknown-host');
        socket.end(reply(REPLY_HOST_UNREACHABLE));
        return;
      }
      ip = vip;
    }
    // Loopback and unspecified destinations would loop back into ztunnel's own listeners.
    if (ip.startsWith('127.') || ip.startsWith('0.')) {
      inputs.telemetry.rejected('socks5', 'loopback-destination');
      socket.end(reply(REPLY_HOST_UNREACHABLE));
      return;
    }
    socket.pause();
    const rest = buf.subarray(p.consumed);
    if (rest.length) socket.unshift(rest);
    proxyOutbound(
      inputs,
      pod,
      socket,
      { ip, port: p.port },
      'socks5',
      () => {
        socket.write(reply(REPLY_OK));
        socket.resume();
      },
      // Only the reply: proxyOutbound closes the socket right after, with a reset when the upstream
      // failed. Ending it here first would leave it shutting down, and libuv refuses to reset a TCP
      // handle that is shutting down (UV_EINVAL): Node then never closes it, so the fd leaks and, at
      // exit, the process spins at 100% CPU waiting for that handle (found by the fuzz test).
      () => {
        if (!socket.destroyed) socket.write(reply(REPLY_HOST_UNREACHABLE));
      },
    );
  };
  socket.on('data', onData);
}
