/**
 * @module core/linux/netns
 * Sockets inside other network namespaces, without touching the caller's own network.
 *
 * The technique (DESIGN.md, "Local provider"): `setns` the current thread into the target namespace,
 * create (and bind / listen) the socket with libc, `setns` back, then hand the fd to Node
 * (`net.Server.listen({ fd })`, `new net.Socket({ fd })`). Node cannot do this itself because it
 * binds later, after the thread has switched back. Everything between the two `setns` calls is
 * synchronous, so no other JavaScript ever runs in the foreign namespace.
 *
 * Also: `SO_MARK` (ztunnel's 0x539 exemption from capture), `SO_ORIGINAL_DST` (the address a
 * redirected connection was meant for) and `IP_TRANSPARENT` (a connection that leaves from an address
 * the namespace does not own: ztunnel's original source). Linux only; needs CAP_SYS_ADMIN (root).
 */
import net from 'node:net';
import koffi from 'koffi';
import { MeshbenchError } from '../errors.ts';

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const SO_MARK = 36;
const SOL_IP = 0;
const SO_ORIGINAL_DST = 80;
const IP_TRANSPARENT = 19;
const O_RDONLY = 0;
const ENOENT = 2;
const O_CLOEXEC = 0o2000000;
const CLONE_NEWNET = 0x40000000;

type LibC = {
  open: (path: string, flags: number) => number;
  close: (fd: number) => number;
  setns: (fd: number, nstype: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Buffer, len: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: Buffer, len: number[]) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  strerror: (errnum: number) => string;
};

let libc: LibC | undefined;
let ownNetnsFd = -1;

function load(): LibC {
  if (libc) return libc;
  if (process.platform !== 'linux') {
    throw new MeshbenchError('E_NOT_LINUX', `network namespaces need Linux; this is ${process.platform}`);
  }
  const lib = koffi.load('libc.so.6');
  libc = {
    open: lib.func('int open(const char *path, int flags)'),
    close: lib.func('int close(int fd)'),
    setns: lib.func('int setns(int fd, int nstype)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    getsockopt: lib.func(
      'int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *len)',
    ),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
    listen: lib.func('int listen(int fd, int backlog)'),
    strerror: lib.func('const char *strerror(int errnum)'),
  } as LibC;
  ownNetnsFd = libc.open('/proc/thread-self/ns/net', O_RDONLY | O_CLOEXEC);
  if (ownNetnsFd < 0) throw sysError('open /proc/thread-self/ns/net');
  return libc;
}

function sysError(what: string): MeshbenchError {
  const errno = koffi.errno();
  const text = libc ? libc.strerror(errno) : `errno ${errno}`;
  const hint = errno === 1 ? 'needs root (CAP_SYS_ADMIN / CAP_NET_ADMIN)' : undefined;
  return new MeshbenchError('E_KERNEL_FEATURE', `${what}: ${text}`, { hint, details: { errno } });
}

/** An open handle on a network namespace (a file descriptor). Close it when done. */
export interface NetnsHandle {
  readonly fd: number;
  readonly path: string;
  close(): void;
}

/**
 * Opens a network namespace by `ip netns` name (`/run/netns/<name>`) or by path
 * (`/proc/<pid>/ns/net`).
 */
export function openNetns(nameOrPath: string): NetnsHandle {
  const c = load();
  const path = nameOrPath.includes('/') ? nameOrPath : `/run/netns/${nameOrPath}`;
  const fd = c.open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw sysError(`open network namespace ${path}`);
  let closed = false;
  return {
    fd,
    path,
    close() {
      if (!closed) c.close(fd);
      closed = true;
    },
  };
}

/** Runs synchronous `fn` with this thread inside `ns`, always switching back. */
export function inNetns<T>(ns: NetnsHandle, fn: () => T): T {
  const c = load();
  if (c.setns(ns.fd, CLONE_NEWNET) !== 0) throw sysError(`setns into ${ns.path}`);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Always switch back; continuing in a foreign namespace would be unsafe.
  if (c.setns(ownNetnsFd, CLONE_NEWNET) !== 0) throw sysError('setns back to the original network namespace');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

function sockaddrIn(host: string, port: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeUInt16LE(AF_INET, 0);
  buf.writeUInt16BE(port, 2);
  const parts = host.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new MeshbenchError('E_FLAG', `not an IPv4 address: ${host}`);
  }
  Buffer.from(parts).copy(buf, 4);
  return buf;
}

function setInt(fd: number, level: number, name: number, value: number, what: string): void {
  const c = load();
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  if (c.setsockopt(fd, level, name, v, 4) !== 0) {
    const err = sysError(what);
    c.close(fd);
    throw err;
  }
}

export interface SocketOptions {
  /** SO_MARK value, e.g. 0x539 so capture rules let the socket through. */
  mark?: number;
  reusePort?: boolean;
}

function newSocket(type: number, options: SocketOptions): number {
  const c = load();
  const fd = c.socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sysError('socket');
  setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'setsockopt SO_REUSEADDR');
  if (options.reusePort) setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1, 'setsockopt SO_REUSEPORT');
  if (options.mark !== undefined) setInt(fd, SOL_SOCKET, SO_MARK, options.mark, 'setsockopt SO_MARK');
  return fd;
}

function bindFd(fd: number, host: string, port: number, where: string): void {
  const c = load();
  if (c.bind(fd, sockaddrIn(host, port), 16) !== 0) {
    const err = sysError(`bind ${host}:${port} in ${where}`);
    c.close(fd);
    throw err;
  }
}

/**
 * A listening TCP socket bound to `host:port` inside `ns`. Serve it with
 * `net.createServer(...).listen({ fd })`.
 */
export function listenTcpIn(
  ns: NetnsHandle,
  host: string,
  port: number,
  options: SocketOptions = {},
): number {
  return inNetns(ns, () => {
    const fd = newSocket(SOCK_STREAM, options);
    bindFd(fd, host, port, ns.path);
    if (load().listen(fd, 1024) !== 0) {
      const err = sysError(`listen ${host}:${port} in ${ns.path}`);
      load().close(fd);
      throw err;
    }
    return fd;
  });
}

/** A UDP socket bound to `host:port` inside `ns`; use with `dgram.createSocket('udp4').bind({ fd })`. */
export function bindUdpIn(ns: NetnsHandle, host: string, port: number, options: SocketOptions = {}): number {
  return inNetns(ns, () => {
    const fd = newSocket(SOCK_DGRAM, options);
    bindFd(fd, host, port, ns.path);
    return fd;
  });
}

export interface ConnectOptions extends SocketOptions {
  host: string;
  port: number;
  /** Source address to bind before connecting (must exist in `ns`, unless `transparent`). */
  localAddress?: string;
  /**
   * Sets `IP_TRANSPARENT` before binding `localAddress`, so the connection may leave from an address
   * the namespace does not own (a client's, for original-source proxying). Replies reach the socket
   * only if the namespace routes them back locally (Istio: `ip rule fwmark 0x111/0xfff lookup 100`).
   */
  transparent?: boolean;
}

/**
 * A TCP connection that leaves from inside `ns` (so its source address is that namespace's), as
 * a regular `net.Socket`. Listen for `connect` / `error` as usual.
 */
export function connectFromNetns(ns: NetnsHandle, options: ConnectOptions): net.Socket {
  const fd = inNetns(ns, () => {
    const s = newSocket(SOCK_STREAM, options);
    if (options.transparent) {
      if (!options.localAddress) {
        load().close(s);
        throw new MeshbenchError('E_FLAG', 'a transparent connection needs the localAddress to leave from');
      }
      setInt(s, SOL_IP, IP_TRANSPARENT, 1, 'setsockopt IP_TRANSPARENT');
    }
    if (options.localAddress) bindFd(s, options.localAddress, 0, ns.path);
    return s;
  });
  const socket = new net.Socket({ fd, readable: true, writable: true });
  socket.connect(options.port, options.host);
  return socket;
}

/** The file descriptor behind a connected or accepted `net.Socket` (Linux). */
export function socketFd(socket: net.Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new MeshbenchError('E_INTERNAL', 'socket has no file descriptor (closed, or not a TCP socket)');
  }
  return fd;
}

/**
 * The destination a connection had before an iptables/nftables REDIRECT or DNAT rewrote it
 * (`getsockopt(SOL_IP, SO_ORIGINAL_DST)`). A connection that was not rewritten (no NAT entry:
 * ENOENT) was meant for its local address.
 */
export function originalDestination(socket: net.Socket): { address: string; port: number } {
  const c = load();
  const buf = Buffer.alloc(16);
  const len = [16];
  if (c.getsockopt(socketFd(socket), SOL_IP, SO_ORIGINAL_DST, buf, len) !== 0) {
    if (koffi.errno() === ENOENT && socket.localAddress && socket.localPort) {
      return { address: socket.localAddress.replace(/^::ffff:/, ''), port: socket.localPort };
    }
    throw sysError('getsockopt SO_ORIGINAL_DST');
  }
  return { address: `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`, port: buf.readUInt16BE(2) };
}

/** Sets SO_MARK on an existing socket. */
export function setSocketMark(socket: net.Socket, mark: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(mark);
  if (load().setsockopt(socketFd(socket), SOL_SOCKET, SO_MARK, v, 4) !== 0)
    throw sysError('setsockopt SO_MARK');
}
