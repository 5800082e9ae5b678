/** @module clusters/existing/istio-mesh.test */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../core/errors.ts';
import type { CommandRunner } from './command-runner.ts';
import { installIstio, istioInstallArgs, setFlags } from './istio-mesh.ts';

test('istioctl install argv: ambient profile, --set values, context', () => {
  assert.deepEqual(
    istioInstallArgs(
      { context: 'kind-mb', kubeconfig: '/k' },
      { meshConfig: { accessLogFile: '/dev/stdout' } },
    ),
    [
      'install',
      '--set',
      'profile=ambient',
      '--set',
      'meshConfig.accessLogFile=/dev/stdout',
      '--skip-confirmation',
      '--kubeconfig',
      '/k',
      '--context',
      'kind-mb',
    ],
  );
  assert.deepEqual(setFlags({ a: { b: 1, c: [1, 2] } }), ['a.b=1', 'a.c=1,2']);
});

test('installIstio runs version then install, and reports a failed install with its stderr', async () => {
  const calls: string[][] = [];
  const runner: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    if (args[0] === 'version') return { exitCode: 0, stdout: '1.24.0\n', stderr: '' };
    return { exitCode: 1, stdout: '', stderr: 'x\nError: failed to install manifests: webhook refused' };
  };
  await assert.rejects(
    installIstio(runner, { context: 'c' }),
    (err) => hasCode(err, 'E_MESH_CONFIG') && /webhook refused/.test(err.message),
  );
  assert.equal(calls.length, 2);
  assert.equal(calls[1]?.[1], 'install');
});
