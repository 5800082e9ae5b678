/**
 * @module reference-impl/ztunnel/testing/fuzz-drive
 * Driving the listener fuzz runs: bounded concurrency, one raw input on a fresh loopback TCP
 * connection classified by how it ended, a dial that refuses every non-loopback address (the
 * network rule: generated destinations are never dialled), outcome counting, and a snapshot of the
 * process's handles and memory to check that a run leaked nothing.
 */
import net from 'node:net';

/**
 * Dials only loopback: generated destinations must never leave the machine, so any other address
 * fails as if refused, without a packet being sent.
 */
export function loopbackOnlyDial(ip: string, port: number): net.Socket {
  if (ip.startsWith('127.')) return net.connect(port, ip);
  const s = new net.Socket();
  process.nextTick(() =>
    s.destroy(Object.assign(new Error(`fuzz refuses to dial ${ip}`), { code: 'ECONNREFUSED' })),
  );
  return s;
}

/** Runs `count` async jobs with at most `width` in flight. */
export async function pool(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/** Outcome classes and how often each happened. */
export interface Outcomes {
  add(kind: string, n?: number): void;
  get(kind: string): number;
  toJSON(): Record<string, number>;
}

/** An empty outcome counter. */
export function outcomes(): Outcomes {
  const m = new Map<string, number>();
  return {
    add: (kind, n = 1) => m.set(kind, (m.get(kind) ?? 0) + n),
    get: (kind) => m.get(kind) ?? 0,
    toJSON: () => Object.fromEntries([...m].sort((a, b) => b[1] - a[1])),
  };
}

/** How a raw input ended, and what the listener wrote back before that. */
export interface RawResult {
  /** 'answered': `until` held, so the client closed (the listener may rightly keep a tunnel open). */
  end: 'answered' | 'closed' | 'reset' | 'deadline' | 'client-error';
  reply: Buffer;
}

/**
 * Sends `bytes` on a fresh connection to 127.0.0.1:`port` (half-closing after when `endAfter`) and
 * waits for the listener to close it, or for `until` to hold on the reply, or gives up after
 * `deadlineMs` (the listener may rightly wait for more bytes). Keeps at most the first 64 reply bytes.
 */
export function rawInput(
  port: number,
  bytes: Buffer,
  options: { endAfter: boolean; deadlineMs: number; until?: (reply: Buffer) => boolean },
): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let end: RawResult['end'] = 'closed';
    const s = net.connect(port, '127.0.0.1');
    const t = setTimeout(() => {
      end = 'deadline';
      s.destroy();
    }, options.deadlineMs);
    s.on('connect', () => {
      s.write(bytes);
      if (options.endAfter) s.end();
    });
    s.on('data', (d: Buffer) => {
      if (kept < 64) {
        chunks.push(d);
        kept += d.length;
      }
      if (end === 'closed' && options.until?.(Buffer.concat(chunks))) {
        end = 'answered';
        s.destroy();
      }
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (end === 'closed')
        end = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'client-error';
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve({ end, reply: Buffer.concat(chunks).subarray(0, 64) });
    });
  });
}

/** Live handles by kind (`TCPSocketWrap`, `TCPServerWrap`, `UDPWrap`, `Timeout`, ...) and memory. */
export interface ProcessSnapshot {
  resources: Record<string, number>;
  rssBytes: number;
  heapUsedBytes: number;
}

/** The process's live handles and memory now (after a GC when the process exposes one). */
export function snapshot(): ProcessSnapshot {
  (globalThis as { gc?: () => void }).gc?.();
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const m = process.memoryUsage();
  return { resources, rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}

/** Socket and server handles present in `after` beyond `before` (kind → extra count). */
export function leakedHandles(before: ProcessSnapshot, after: ProcessSnapshot): Record<string, number> {
  const leaked: Record<string, number> = {};
  for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'TLSWrap', 'PipeWrap']) {
    const extra = (after.resources[kind] ?? 0) - (before.resources[kind] ?? 0);
    if (extra > 0) leaked[kind] = extra;
  }
  return leaked;
}

/** Waits until `settled()` holds or `withinMs` passes; returns whether it held. */
export async function settle(settled: () => boolean | Promise<boolean>, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (!(await settled())) {
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
