/**
 * @module clusters/local/state
 * The cluster's state file: every kernel object (network namespace, link, nftables table, cgroup,
 * `/etc/netns` dir) and process is recorded here BEFORE it is created, so `down` can remove all of
 * it even after the harness and the daemon were killed. Written atomically (tmp + rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MeshbenchError } from '../../core/errors.ts';

export interface NodeRecord {
  name: string;
  index: number;
  netns: string;
  ip: string;
  podCidr: string;
}

export interface ClusterState {
  version: 1;
  name: string;
  createdAt: string;
  nodes: NodeRecord[];
  /** Every network namespace ever created (or about to be). */
  netns: string[];
  /** Links by name and the namespace they were created in (`''` = root, never used on purpose). */
  links: { name: string; netns: string }[];
  /** Absolute cgroup directories (one per controller). */
  cgroups: string[];
  /** `/etc/netns/<ns>` directories. */
  etcNetns: string[];
  /** Processes started outside cgroups' sight (the daemon is also in a cgroup). */
  pids: number[];
  daemonPid?: number;
  /** True once the topology is built and the daemon may start pods. */
  topologyReady: boolean;
}

/** A fresh, empty state for `name`. */
export function emptyState(name: string): ClusterState {
  return {
    version: 1,
    name,
    createdAt: new Date().toISOString(),
    nodes: [],
    netns: [],
    links: [],
    cgroups: [],
    etcNetns: [],
    pids: [],
    topologyReady: false,
  };
}

/** Writes `data` to `file` atomically. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Reads a state file; undefined when missing. */
export function readState(file: string): ClusterState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as ClusterState;
  } catch (err) {
    throw new MeshbenchError('E_CLUSTER_STATE', `state file ${file} is corrupt`, {
      cause: err,
      hint: 'run `down` anyway: it also sweeps by name prefix',
    });
  }
}

/** A state file owned by one process: mutate with `record`, which persists before returning. */
export class StateFile {
  constructor(
    readonly file: string,
    public state: ClusterState,
  ) {}

  /** Applies `fn` to the state and writes it out (synchronously, before the caller creates anything). */
  record(fn: (s: ClusterState) => void): void {
    fn(this.state);
    writeFileAtomic(this.file, JSON.stringify(this.state, null, 1));
  }
}
