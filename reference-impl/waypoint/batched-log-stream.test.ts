/**
 * @module reference-impl/waypoint/batched-log-stream.test
 * The access-log sink writes every line, in order, to a real file after the flush interval (nothing
 * synchronously), and drops (and reports) lines past its bound.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBatchedLogStream } from './batched-log-stream.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('lines are written in order, batched after the interval, and bounded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-log-'));
  const file = join(dir, 'log');
  const fd = openSync(file, 'a');
  try {
    const s = createBatchedLogStream({ fd, flushIntervalMs: 20, maxPendingBytes: 1000 });
    for (let i = 0; i < 50; i++) s.write(`line ${i}\n`);
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing written synchronously');
    await sleep(150);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines,
      Array.from({ length: 50 }, (_, i) => `line ${i}`),
    );
    for (let i = 0; i < 200; i++) s.write(`${'x'.repeat(40)} ${i}\n`);
    await sleep(150);
    const after = readFileSync(file, 'utf8').trim().split('\n').slice(50);
    const dropNote = after.find((l) => l.includes('access log lines dropped'));
    assert.ok(dropNote, 'the drop is reported');
    const kept = after.filter((l) => l.startsWith('x'));
    assert.ok(kept.length > 0 && kept.length < 200, `kept ${kept.length}`);
    assert.equal((JSON.parse(dropNote) as { dropped: number }).dropped, 200 - kept.length);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
