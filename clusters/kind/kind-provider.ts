/**
 * @module clusters/kind/kind-provider
 * The `kind` provider: `up` runs `kind create cluster` (one control-plane node plus workers) through
 * execa, exports the cluster's kubeconfig to a file of its own, and returns the same Kubernetes-API
 * `Cluster` as the `existing` provider on context `kind-<name>`; `down` runs `kind delete cluster`;
 * `list` parses `kind get clusters`. Missing tools fail first, in one line (see preflight.ts).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Cluster, ClusterProvider, ClusterSummary, DownReport } from '../cluster.ts';
import { type CommandRunner, execaRunner, runTool } from '../existing/command-runner.ts';
import { connectKubeCluster } from '../existing/kube-cluster.ts';
import { loadKubeConfig, selectContext } from '../existing/kube-config.ts';
import {
  createClusterArgs,
  deleteClusterArgs,
  GET_CLUSTERS_ARGS,
  getKubeconfigArgs,
  getNodesArgs,
  kindClusterConfig,
  kindContext,
  parseClusterList,
} from './kind-commands.ts';
import { requireKindTools } from './preflight.ts';

export interface KindProviderOptions {
  runner?: CommandRunner;
  logger?: Logger;
  /** Where kubeconfig files go; default `$MESHBENCH_STATE_DIR/kind` or `~/.meshbench/kind`. */
  stateDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** `--wait` of kind create, in seconds. */
  waitSeconds?: number;
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new MeshbenchError('E_FLAG', `"${name}" is not a valid kind cluster name`, {
      hint: 'use lowercase letters, digits and dashes, at most 32 characters',
    });
  }
}

/** Creates the kind provider (tests inject the runner and a state directory). */
export function createKindProvider(options: KindProviderOptions = {}): ClusterProvider {
  const runner = options.runner ?? execaRunner;
  const env = options.env ?? process.env;
  const stateDir = options.stateDir ?? join(env.MESHBENCH_STATE_DIR || join(homedir(), '.meshbench'), 'kind');
  const kubeconfigFile = (name: string) => join(stateDir, `${name}.kubeconfig`);

  const clusters = async () =>
    parseClusterList(await runTool(runner, 'kind', GET_CLUSTERS_ARGS, { failCode: 'E_CLUSTER_STATE' }));

  /** Exports the cluster's kubeconfig to its own file and connects on context kind-<name>. */
  const attach = async (name: string): Promise<Cluster> => {
    const text = await runTool(runner, 'kind', getKubeconfigArgs(name), { failCode: 'E_CLUSTER_STATE' });
    const file = kubeconfigFile(name);
    await mkdir(stateDir, { recursive: true });
    await writeFile(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    const kc = selectContext(loadKubeConfig(file), kindContext(name));
    return connectKubeCluster({
      name,
      provider: 'kind',
      kubeConfig: kc,
      kubeconfigPath: file,
      runner,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  };

  return {
    name: 'kind',
    async up({ name, nodes = 2, onProgress }) {
      checkName(name);
      onProgress?.('check kind, container engine, kubectl', 0, 3);
      await requireKindTools(runner, env);
      if ((await clusters()).includes(name)) {
        throw new MeshbenchError('E_CLUSTER_EXISTS', `kind cluster "${name}" already exists`, {
          hint: `remove it with: meshbench --provider kind cluster down --name ${name}`,
        });
      }
      const configPath = join(tmpdir(), `meshbench-kind-${name}-${process.pid}.yaml`);
      await writeFile(configPath, kindClusterConfig(nodes));
      try {
        onProgress?.(`kind create cluster (${nodes} nodes)`, 1, 3);
        await runTool(runner, 'kind', createClusterArgs(name, configPath, options.waitSeconds), {
          failCode: 'E_CLUSTER_STATE',
        });
      } finally {
        await rm(configPath, { force: true });
      }
      onProgress?.('export kubeconfig and connect', 2, 3);
      const cluster = await attach(name);
      onProgress?.('ready', 3, 3);
      return cluster;
    },
    async connect(name) {
      checkName(name);
      await requireKindTools(runner, env);
      if (!(await clusters()).includes(name)) {
        throw new MeshbenchError('E_CLUSTER_NOT_FOUND', `no kind cluster named "${name}"`, {
          hint: `create it with: meshbench --provider kind cluster up --name ${name}`,
        });
      }
      return attach(name);
    },
    async down(name): Promise<DownReport> {
      checkName(name);
      await requireKindTools(runner, env);
      const removed = { namespaces: 0, links: 0, cgroups: 0, processes: 0, files: 0 };
      if (!(await clusters()).includes(name)) return { name, existed: false, removed };
      await runTool(runner, 'kind', deleteClusterArgs(name), { failCode: 'E_CLUSTER_STATE' });
      await rm(kubeconfigFile(name), { force: true });
      return { name, existed: true, removed: { ...removed, files: 1 } };
    },
    async list(): Promise<ClusterSummary[]> {
      await requireKindTools(runner, env);
      const names = await clusters();
      return Promise.all(
        names.map(async (name): Promise<ClusterSummary> => {
          const r = await runner('kind', getNodesArgs(name));
          const nodes = r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.trim()).length : 0;
          return { name, provider: 'kind', nodes, pods: 0, healthy: nodes > 0, createdAt: '' };
        }),
      );
    },
  };
}

/** The provider with real tools. */
export const kindProvider: ClusterProvider = createKindProvider();
