/**
 * @module clusters/local/capture
 * Packet capture with tcpdump (`-U -w`) inside the underlay namespace (every bridge port) or a pod's
 * namespace, in the cluster's `_capture` cgroup so `down` finds it; `stop()` parses the pcap.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import type { CaptureOptions, PacketCapture } from '../cluster.ts';
import { cgroupProcsEnv, cgroupShArgs, createGroup, groupDirs } from './cgroups.ts';
import { type ClusterPaths, underlayNetns } from './naming.ts';
import { parsePcap } from './pcap.ts';
import { which } from './preflight.ts';

let seq = 0;

/** Starts tcpdump; resolves once it is listening. */
export async function startCapture(
  cluster: string,
  paths: ClusterPaths,
  where: { underlay: true } | { netns: string; iface: string },
  options: CaptureOptions,
): Promise<PacketCapture> {
  if (!which('tcpdump')) {
    throw new MeshbenchError('E_TOOL_MISSING', '`tcpdump` is not on PATH', {
      hint: 'apt-get install tcpdump',
    });
  }
  const netns = 'underlay' in where ? underlayNetns(cluster) : where.netns;
  // Frames forwarded between bridge ports never show on the bridge device itself: capture every
  // port's ingress instead (each frame once).
  const ifaceArgs = 'underlay' in where ? ['-i', 'any', '-Q', 'in'] : ['-i', where.iface];
  mkdirSync(paths.captureDir, { recursive: true });
  const file = join(paths.captureDir, `cap-${process.pid}-${++seq}.pcap`);
  const cg = groupDirs(cluster, '_capture');
  createGroup(cg);
  const filter = options.filter ? options.filter.split(/\s+/) : [];
  const child = spawn(
    'sh',
    [
      ...cgroupShArgs('mb-capture'),
      'ip',
      'netns',
      'exec',
      netns,
      'tcpdump',
      '-U',
      '--immediate-mode',
      '-n',
      '-s',
      '0',
      ...ifaceArgs,
      '-w',
      file,
      ...filter,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin',
        ...cgroupProcsEnv(cg),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new MeshbenchError('E_TIMEOUT', `tcpdump did not start: ${stderr}`)),
      5000,
    );
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new MeshbenchError('E_EXEC', `tcpdump exited (${code}): ${stderr.trim()}`));
    });
  });
  return {
    async stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // Let the last frames reach the file (tcpdump drops what is still in its ring on SIGINT, and
      // may be slow to run on a busy machine): wait until the file has not grown for 300 ms,
      // at most 3 s.
      let size = -1;
      let stable = 0;
      for (let i = 0; i < 60 && stable < 6; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const now = existsSync(file) ? statSync(file).size : 0;
        stable = now === size ? stable + 1 : 0;
        size = now;
      }
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      try {
        return parsePcap(readFileSync(file));
      } finally {
        rmSync(file, { force: true });
      }
    },
  };
}
