/**
 * Process usage from /proc on a real child process: CPU and RSS are read, and the peak RSS can be
 * reset to the current RSS so that it covers one load window.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { processUsage, resetProcessPeak } from './process-usage.ts';

const MIB = 1024 * 1024;

test('peak RSS covers a past allocation until reset, then only what came after', {
  timeout: 30_000,
}, async () => {
  // Touches 200 MiB, frees it, then idles until killed.
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '-e',
      'let b = Buffer.alloc(200 * 1024 * 1024, 1); b = null; gc(); setTimeout(() => { process.stdout.write("freed\\n"); setInterval(() => {}, 1000); }, 100);',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await once(child.stdout!, 'data');
    const pid = child.pid!;
    // Buffer.alloc's memory is returned to the OS when the Buffer is collected; wait for that.
    let before = processUsage(pid)!;
    for (let i = 0; i < 50 && before.memoryBytes > 150 * MIB; i++) {
      await new Promise((r) => setTimeout(r, 100));
      before = processUsage(pid)!;
    }
    assert.ok(
      before.peakMemoryBytes >= 200 * MIB,
      `peak covers the 200 MiB (${before.peakMemoryBytes / MIB})`,
    );
    assert.ok(before.cpuSeconds >= 0);
    assert.ok(
      before.anonymousBytes! > 0 && before.anonymousBytes! < before.memoryBytes,
      'RSS splits into anonymous and file-backed pages',
    );
    assert.equal(resetProcessPeak(pid), true);
    const after = processUsage(pid)!;
    assert.ok(
      after.peakMemoryBytes < before.peakMemoryBytes - 100 * MIB,
      `after the reset the peak is the current RSS (${after.peakMemoryBytes / MIB} MiB)`,
    );
  } finally {
    child.kill();
  }
  assert.equal(resetProcessPeak(2 ** 22 + 12345), false, 'a process that is gone: false, no throw');
});
