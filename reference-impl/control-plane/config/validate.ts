/**
 * @module reference-impl/control-plane/config/validate
 * Validation at the edge: one raw object in, a typed `MeshObject` out, or a `ValidationError` naming
 * the object, the field and the reason. Checks kind and apiVersion, size (≤ 1 MiB), unknown fields,
 * the published schema, label selectors and CIDRs. Returns non-fatal warnings alongside.
 */
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../../../core/errors.ts';
import { KIND_INFO } from './kinds.ts';
import { CLUSTER_SCOPED, isKind, type MeshObject } from './objects.ts';
import { trafficFieldError } from './validate-traffic.ts';

/** Largest accepted object, like the Kubernetes API server's request limit. */
export const MAX_OBJECT_BYTES = 1024 * 1024;

const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface Validated {
  object: MeshObject;
  warnings: string[];
}

/** Object name for messages: `Kind ns/name`. */
export const describeObject = (o: {
  kind?: unknown;
  metadata?: { namespace?: unknown; name?: unknown };
}): string =>
  `${String(o.kind ?? '?')} ${o.metadata?.namespace ? `${String(o.metadata.namespace)}/` : ''}${String(o.metadata?.name ?? '?')}`;

/** Checks a `matchLabels` map; returns the bad field or undefined. */
function badLabels(labels: unknown, field: string): { field: string; reason: string } | undefined {
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels !== 'object' || Array.isArray(labels))
    return { field, reason: 'must be a map of label key to value' };
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) return { field: `${field}.${k}`, reason: `invalid label key "${k}"` };
    if (typeof v !== 'string' || !LABEL_VALUE.test(v))
      return { field: `${field}.${k}`, reason: `invalid label value ${JSON.stringify(v)}` };
  }
  return undefined;
}

/** True when `s` is an IP or a CIDR with a prefix length that fits the family. */
export function isValidIpOrCidr(s: string): boolean {
  if (ipaddr.isValid(s)) return true;
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
}

function semantic(o: MeshObject): { field: string; reason: string } | undefined {
  const spec = o.spec ?? {};
  if (o.kind === 'Service') return badLabels(spec.selector, 'spec.selector');
  const sel = badLabels(spec.selector?.matchLabels, 'spec.selector.matchLabels');
  if (sel) return sel;
  if (o.kind === 'AuthorizationPolicy') {
    if (spec.selector && (spec.targetRef || spec.targetRefs)) {
      return { field: 'spec.selector', reason: 'selector and targetRefs are mutually exclusive' };
    }
    for (const [i, rule] of (spec.rules ?? []).entries()) {
      for (const [j, from] of (rule.from ?? []).entries()) {
        for (const f of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
          for (const c of from.source?.[f] ?? []) {
            if (!isValidIpOrCidr(c))
              return { field: `spec.rules[${i}].from[${j}].source.${f}`, reason: `impossible CIDR "${c}"` };
          }
        }
      }
      for (const [j, to] of (rule.to ?? []).entries()) {
        for (const f of ['ports', 'notPorts']) {
          for (const p of to.operation?.[f] ?? []) {
            const n = Number(p);
            if (!Number.isInteger(n) || n < 1 || n > 65535)
              return { field: `spec.rules[${i}].to[${j}].operation.${f}`, reason: `invalid port "${p}"` };
          }
        }
      }
      for (const [j, when] of (rule.when ?? []).entries()) {
        if (['source.ip', 'destination.ip', 'remote.ip'].includes(when.key)) {
          for (const c of [...(when.values ?? []), ...(when.notValues ?? [])]) {
            if (!isValidIpOrCidr(c))
              return { field: `spec.rules[${i}].when[${j}].values`, reason: `impossible CIDR "${c}"` };
          }
        }
      }
    }
  }
  if (o.kind === 'ServiceEntry') {
    for (const a of spec.addresses ?? []) {
      if (!isValidIpOrCidr(a)) return { field: 'spec.addresses', reason: `impossible CIDR "${a}"` };
    }
  }
  if (o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') {
    for (const [i, r] of (spec.rules ?? []).entries()) {
      const weights = (r.backendRefs ?? []).map((b: { weight?: number }) => b.weight ?? 1);
      if (weights.some((w: number) => w < 0))
        return { field: `spec.rules[${i}].backendRefs`, reason: 'negative weight' };
    }
  }
  if (o.kind === 'VirtualService') {
    for (const [i, h] of (spec.http ?? []).entries()) {
      const total = (h.route ?? []).reduce((s: number, d: { weight?: number }) => s + (d.weight ?? 0), 0);
      if ((h.route ?? []).length > 1 && total !== 100 && total !== 0) {
        return { field: `spec.http[${i}].route`, reason: `weights add up to ${total}, not 100` };
      }
    }
  }
  return trafficFieldError(o);
}

/**
 * Validates one raw object. `file` names its source for messages. Throws `ValidationError`
 * (E_MANIFEST_KIND, E_MANIFEST_FIELD, E_MANIFEST_SCHEMA); returns the object and its warnings.
 */
export function validateObject(raw: unknown, file?: string): Validated {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('E_MANIFEST_FIELD', { file }, 'not an object', {
      hint: 'each document must be a Kubernetes object',
    });
  }
  const o = raw as Record<string, unknown> & { metadata?: Record<string, unknown> };
  const object = describeObject(o);
  const where = (field?: string) => ({ file, object, field });
  const size = Buffer.byteLength(JSON.stringify(o));
  if (size > MAX_OBJECT_BYTES) {
    throw new ValidationError(
      'E_MANIFEST_FIELD',
      where(),
      `oversize object: ${size} bytes > ${MAX_OBJECT_BYTES}`,
      {
        hint: 'split the object; the Kubernetes API refuses objects over 1 MiB too',
      },
    );
  }
  if (!isKind(o.kind)) {
    throw new ValidationError(
      'E_MANIFEST_KIND',
      where('kind'),
      `unsupported kind ${JSON.stringify(o.kind)}`,
      {
        hint: `use one of ${Object.keys(KIND_INFO).join(', ')}`,
      },
    );
  }
  const info = KIND_INFO[o.kind];
  if (typeof o.apiVersion !== 'string' || !info.apiVersions.includes(o.apiVersion)) {
    throw new ValidationError(
      'E_MANIFEST_FIELD',
      where('apiVersion'),
      `wrong apiVersion ${JSON.stringify(o.apiVersion)} for ${o.kind}`,
      {
        hint: `use ${info.apiVersions[0]}`,
      },
    );
  }
  const md = o.metadata;
  if (!md || typeof md.name !== 'string' || !DNS_NAME.test(md.name)) {
    throw new ValidationError('E_MANIFEST_FIELD', where('metadata.name'), 'missing or invalid name', {
      hint: 'a lower-case DNS name',
    });
  }
  if (!CLUSTER_SCOPED.has(o.kind) && (typeof md.namespace !== 'string' || !DNS_NAME.test(md.namespace))) {
    throw new ValidationError(
      'E_MANIFEST_FIELD',
      where('metadata.namespace'),
      'missing or invalid namespace',
    );
  }
  for (const k of Object.keys(o)) {
    if (!TOP_LEVEL.has(k)) throw new ValidationError('E_MANIFEST_FIELD', where(k), `unknown field "${k}"`);
  }
  if (info.specFields && o.spec && typeof o.spec === 'object') {
    for (const k of Object.keys(o.spec)) {
      if (!info.specFields.includes(k)) {
        throw new ValidationError('E_MANIFEST_FIELD', where(`spec.${k}`), `unknown field "${k}"`, {
          hint: `${o.kind} spec fields are ${info.specFields.join(', ')}`,
        });
      }
    }
  }
  const labels = badLabels(md.labels, 'metadata.labels');
  if (labels) throw new ValidationError('E_MANIFEST_FIELD', where(labels.field), labels.reason);
  try {
    // `status` is written by the cluster, not by users: only its fields the model reads matter.
    const { apiVersion: _a, kind: _k, status: _s, ...rest } = o;
    new info.schema(rest as never).validate();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /data\/([^\s]+)\s+(.*)/.exec(msg);
    const field = m ? m[1]!.replaceAll('/', '.') : undefined;
    throw new ValidationError('E_MANIFEST_SCHEMA', where(field), m ? m[2]! : msg, { cause: err });
  }
  const object2 = o as unknown as MeshObject;
  const bad = semantic(object2);
  if (bad) throw new ValidationError('E_MANIFEST_FIELD', where(bad.field), bad.reason);
  const warnings: string[] = [];
  if (
    o.kind === 'Gateway' &&
    (o.spec as { gatewayClassName?: string })?.gatewayClassName !== 'istio-waypoint'
  ) {
    warnings.push(
      `${object}: gatewayClassName is not istio-waypoint; only waypoints are implemented, ignored`,
    );
  }
  return { object: object2, warnings };
}
