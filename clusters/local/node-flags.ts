/**
 * @module clusters/local/node-flags
 * The Node.js flags each of the mesh's programs runs with in the local provider (the part of an
 * "image" that is the runtime's tuning): built-in defaults, then `MESHBENCH_NODE_FLAGS_<APP>` from
 * the environment of the process that creates the cluster or installs the mesh.
 */
import { MeshbenchError } from '../../core/errors.ts';

/**
 * Node.js flags each program runs with. ztunnel: a young generation of at most 2 MiB semi-spaces
 * (V8's default grows to 16 MiB). `npm run bench:ztunnel`, 3 runs each, alternating, on one machine:
 * added p90 0.49–0.60 ms vs 0.76–0.83 ms, added p99 1.3–2.0 vs 2.6–2.8 ms, CPU per 1000 rps
 * 0.19–0.20 vs 0.16–0.19 vCPU, peak RSS within noise: shorter scavenges beat fewer of them on the
 * latency a proxy adds. The same flag on the waypoint and the sidecar (3 alternating quick latency
 * runs of all modes) moved their added p90 both ways (waypoint 1.8–3.0 vs 2.4–3.4 ms, sidecar
 * 3.7–3.8 vs 2.9–4.2 ms): no default for them.
 */
const DEFAULT_NODE_FLAGS: Record<string, string[]> = {
  ztunnel: ['--max-semi-space-size=2'],
};

/**
 * Node.js flags for one of the mesh's programs: its defaults, then `MESHBENCH_NODE_FLAGS_<APP>` (app
 * upper case, `-` as `_`; e.g. `MESHBENCH_NODE_FLAGS_ZTUNNEL="--cpu-prof --cpu-prof-dir=/tmp/prof"`
 * to profile the ztunnels under a benchmark; a later V8 flag overrides a default). Only `--` flags
 * are accepted.
 */
export function nodeFlagsFor(app: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const name = `MESHBENCH_NODE_FLAGS_${app.toUpperCase().replaceAll('-', '_')}`;
  const flags = (env[name] ?? '').split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !f.startsWith('--'));
  if (bad)
    throw new MeshbenchError('E_FLAG', `${name}: "${bad}" is not a Node.js flag`, {
      hint: `give only --flags, e.g. ${name}="--cpu-prof --cpu-prof-dir=/tmp/prof"`,
    });
  return [...(DEFAULT_NODE_FLAGS[app] ?? []), ...flags];
}
