/**
 * @module suites/conformance/global-setup
 * Playwright global setup: brings up (or reuses: `MESHBENCH_CLUSTER`, provider `MESHBENCH_PROVIDER`,
 * default `local`) one cluster for the run, and installs the implementation's mesh when a mesh mode
 * runs. Never throws: what is missing is written to the session, and rows skip with that reason.
 * The session is written before each step, so the teardown removes whatever did get created.
 */

import { randomBytes } from 'node:crypto';
import type { FullConfig } from '@playwright/test';
import type { Cluster } from '../../clusters/cluster.ts';
import { getProvider } from '../../clusters/connect.ts';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { MODES } from '../../results/conformance/model.ts';
import { type ConformanceSession, runId, writeSession } from '../fixtures/session.ts';
import { probeAmbientDataPlane } from './data-plane-probe.ts';
import { implementationManifest } from './implementations/index.ts';
import { projectMode, selectedProjects } from './selected-projects.ts';

const MESH_INSTALL_TIMEOUT_MS = 120_000;

/** Brings the run's cluster and mesh up and records them in the session. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const logger = createLogger({ format: 'text' }).child({ component: 'conformance-setup' });
  const wanted = selectedProjects() ?? config.projects.map((p) => p.name);
  const modes = wanted.map((p) => projectMode(p, MODES)).filter((m) => m !== undefined);
  const session: ConformanceSession = { runId: runId(), provider: process.env.MESHBENCH_PROVIDER || 'local' };
  if (modes.length === 0) {
    writeSession({ ...session, clusterUnavailable: 'no conformance mode selected' });
    return;
  }
  let cluster: Cluster;
  try {
    const provider = await getProvider(session.provider);
    const reuse = process.env.MESHBENCH_CLUSTER;
    if (reuse) {
      cluster = await provider.connect(reuse);
      session.cluster = { name: reuse, created: false };
    } else {
      const name = `conf-${randomBytes(2).toString('hex')}`;
      session.cluster = { name, created: true };
      writeSession(session);
      logger.info('bringing up cluster', { provider: session.provider, name });
      cluster = await provider.up({ name, nodes: 2 });
    }
    writeSession(session);
  } catch (err) {
    const reason = `cluster unavailable (provider ${session.provider}): ${describeError(err)}`;
    logger.warn(reason);
    writeSession({ ...session, clusterUnavailable: reason });
    return;
  }
  if (!modes.some((m) => m !== 'baseline')) return;
  const manifest = implementationManifest();
  session.mesh = { installed: false, installedByRun: true, ztunnelPods: 0 };
  writeSession(session);
  try {
    const present = session.cluster?.created
      ? []
      : (await cluster.pods('istio-system', { app: 'ztunnel' })).filter((p) => p.ready);
    if (present.length > 0) {
      session.mesh = {
        installed: true,
        installedByRun: false,
        info: {
          implementation: manifest.install.implementation,
          version: 'preinstalled',
          systemNamespace: 'istio-system',
        },
        ztunnelPods: present.length,
      };
      if (process.env.MESHBENCH_STRICT !== '1') {
        const reason = await probeAmbientDataPlane(cluster, 'istio-system', logger);
        if (reason) session.mesh.reason = reason;
      }
      writeSession(session);
      return;
    }
    logger.info('installing mesh', { implementation: manifest.install.implementation });
    const info = await cluster.installMesh(manifest.install, { timeoutMs: MESH_INSTALL_TIMEOUT_MS });
    const ztunnels = (await cluster.pods(info.systemNamespace, { app: 'ztunnel' })).filter((p) => p.ready);
    session.mesh = { installed: true, installedByRun: true, info, ztunnelPods: ztunnels.length };
    if (ztunnels.length === 0) session.mesh.reason = `no ready ztunnel pod in ${info.systemNamespace}`;
    else if (process.env.MESHBENCH_STRICT !== '1') {
      const reason = await probeAmbientDataPlane(cluster, info.systemNamespace, logger);
      if (reason) {
        session.mesh.reason = reason;
        logger.warn(reason);
      }
    }
  } catch (err) {
    session.mesh = {
      installed: false,
      installedByRun: true,
      ztunnelPods: 0,
      reason: `mesh not installed (${manifest.install.implementation}): ${describeError(err)}`,
    };
    logger.warn(session.mesh.reason!);
  }
  writeSession(session);
}
