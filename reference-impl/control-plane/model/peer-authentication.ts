/**
 * @module reference-impl/control-plane/model/peer-authentication
 * PeerAuthentication → ztunnel `Authorization`s, as Istio's ambient controller converts them
 * (architecture/ambient/peer-authentication.md): a workload whose effective mode (workload selector
 * > namespace > root namespace; UNSET inherits) is STRICT lists the static DENY policy
 * `istio-system/istio_converted_static_strict` (deny when the peer has no principal, i.e.
 * plaintext); a selector policy with `portLevelMtls` becomes `converted_peer_authentication_<name>`
 * with the port exceptions.
 */
import type { Authorization } from '../../api/workload.ts';
import { emptyMatch } from '../../api/workload.ts';
import type { MeshObject } from '../config/objects.ts';
import { type MeshSettings, selects } from './model-input.ts';

export const STATIC_STRICT_NAME = 'istio_converted_static_strict';
export const CONVERTED_PREFIX = 'converted_peer_authentication_';

type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';

const noPrincipal = {
  clauses: [{ matches: [{ ...emptyMatch(), notPrincipals: [{ presence: true as const }] }] }],
};

/** The static STRICT policy. */
export function staticStrictPolicy(settings: MeshSettings): Authorization {
  return {
    name: STATIC_STRICT_NAME,
    namespace: settings.rootNamespace,
    scope: 'WORKLOAD_SELECTOR',
    action: 'DENY',
    rules: [noPrincipal],
    dryRun: false,
  };
}

const modeOf = (pa: MeshObject | undefined): Mode => (pa?.spec?.mtls?.mode as Mode | undefined) ?? 'UNSET';
const hasSelector = (pa: MeshObject) => Object.keys(pa.spec?.selector?.matchLabels ?? {}).length > 0;

/** For one pod: the PeerAuthentication-derived policies it must list, and those policies. */
export function peerAuthenticationFor(
  pod: MeshObject,
  peerAuths: MeshObject[],
  settings: MeshSettings,
): { keys: string[]; policies: Authorization[] } {
  const ns = pod.metadata.namespace!;
  const root = peerAuths.find((p) => p.metadata.namespace === settings.rootNamespace && !hasSelector(p));
  const nsWide = peerAuths.find((p) => p.metadata.namespace === ns && !hasSelector(p));
  const sel = peerAuths.find(
    (p) =>
      p.metadata.namespace === ns &&
      hasSelector(p) &&
      selects(p.spec.selector.matchLabels, pod.metadata.labels),
  );
  let base: Mode = 'PERMISSIVE';
  for (const m of [modeOf(root), modeOf(nsWide), modeOf(sel)]) if (m !== 'UNSET') base = m;
  const portLevel = Object.entries((sel?.spec?.portLevelMtls ?? {}) as Record<string, { mode?: Mode }>);
  if (sel && portLevel.length > 0) {
    const strictPorts = portLevel.filter(([, v]) => v.mode === 'STRICT').map(([p]) => Number(p));
    const relaxedPorts = portLevel
      .filter(([, v]) => v.mode === 'PERMISSIVE' || v.mode === 'DISABLE')
      .map(([p]) => Number(p));
    const rules =
      base === 'STRICT'
        ? [
            {
              clauses: [
                ...noPrincipal.clauses,
                ...(relaxedPorts.length
                  ? [{ matches: [{ ...emptyMatch(), notDestinationPorts: relaxedPorts }] }]
                  : []),
              ],
            },
          ]
        : strictPorts.length
          ? [
              {
                clauses: [
                  ...noPrincipal.clauses,
                  { matches: [{ ...emptyMatch(), destinationPorts: strictPorts }] },
                ],
              },
            ]
          : [];
    if (rules.length === 0) return { keys: [], policies: [] };
    const policy: Authorization = {
      name: `${CONVERTED_PREFIX}${sel.metadata.name}`,
      namespace: ns,
      scope: 'WORKLOAD_SELECTOR',
      action: 'DENY',
      rules,
      dryRun: false,
    };
    return { keys: [`${ns}/${policy.name}`], policies: [policy] };
  }
  if (base === 'STRICT') {
    const p = staticStrictPolicy(settings);
    return { keys: [`${p.namespace}/${p.name}`], policies: [p] };
  }
  return { keys: [], policies: [] };
}
