/** @module scripts/cli/progress.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProgress } from './progress.ts';

function sink(isTTY: boolean) {
  const out = {
    text: '',
    isTTY,
    write(s: string) {
      out.text += s;
      return true;
    },
  };
  return out;
}

test('fast tasks print nothing; slow ones print start, steps and done when not a TTY', async () => {
  const s = sink(false);
  const p = createProgress(s);
  assert.equal(await p.run('fast', async () => 1), 1);
  assert.equal(s.text, '');
  await p.run('slow', async (task) => {
    task.update('step a', 1, 2);
    await sleep(1150);
    task.update('step b', 2, 2);
  });
  assert.match(s.text, /^slow \.\.\.\n {2}step a \[1\/2\]\n {2}step b \[2\/2\]\nslow done \(1\.\d s\)\n$/);
});

test('a failing slow task says failed and rethrows', async () => {
  const s = sink(false);
  await assert.rejects(
    createProgress(s).run('boom', async () => {
      await sleep(1100);
      throw new Error('x');
    }),
    /x/,
  );
  assert.match(s.text, /boom failed/);
});

test('on a TTY the spinner line is rewritten and ends with a check mark', async () => {
  const s = sink(true);
  await createProgress(s).run('spin', () => sleep(1250));
  assert.match(s.text, /\r\x1b\[2K. spin/);
  assert.match(s.text, /✓ spin \(1\.\d s\)\n$/);
});
