/**
 * @module clusters/existing/pod-logs
 * Reads a container's logs once (client-node `Log`, no follow), optionally only the last lines.
 */
import { PassThrough } from 'node:stream';
import { type KubeConfig, Log } from '@kubernetes/client-node';
import type { PodRef } from '../cluster.ts';
import { kubeError } from './kube-errors.ts';

/** The logs of `container` in `pod` as text. */
export async function readPodLogs(
  kc: KubeConfig,
  pod: PodRef,
  container: string,
  tail?: number,
): Promise<string> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  try {
    await new Log(kc).log(pod.namespace, pod.name, container, sink, {
      follow: false,
      ...(tail !== undefined ? { tailLines: tail } : {}),
    });
  } catch (err) {
    throw kubeError(`logs of ${pod.namespace}/${pod.name}`, err, kc.getCurrentCluster()?.server);
  }
  await ended;
  return Buffer.concat(chunks).toString('utf8');
}
