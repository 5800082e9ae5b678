/**
 * @module clusters/manifests
 * Loading and validating Kubernetes, Istio and Gateway API objects at the edge, for every provider.
 * `loadManifests` reads multi-document YAML (a file or a directory of them); `validateObjects`
 * checks each object against the published schemas (kubernetes-models, @kubernetes-models/istio,
 * @kubernetes-models/gateway-api) plus the semantic rules the schemas miss. Every failure is a
 * `ValidationError` naming the file (and line), the object (`Kind ns/name`) and the field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ValidationError } from '../core/errors.ts';
import type { KubeObject } from './cluster.ts';

type Model = (new (data: unknown) => { validate(): void }) & { apiVersion?: string };

// Models are loaded one kind at a time, on first use: loading every Istio and Gateway API schema
// up front costs more than a second of start-up.
const require = createRequire(import.meta.url);

/** Core kinds every provider runs: `apiVersion/Kind` → module path inside kubernetes-models. */
const CORE_MODELS: Record<string, string> = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Pod': 'kubernetes-models/v1/Pod',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
};

/** Mesh API groups whose objects are validated and stored (the mesh acts on them). */
export const MESH_GROUPS = [
  'security.istio.io',
  'networking.istio.io',
  'telemetry.istio.io',
  'gateway.networking.k8s.io',
] as const;

const GROUP_PACKAGES: Record<string, string> = {
  'security.istio.io': '@kubernetes-models/istio',
  'networking.istio.io': '@kubernetes-models/istio',
  'telemetry.istio.io': '@kubernetes-models/istio',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

/** Versions newer than the published models (e.g. `networking.istio.io/v1`) use the closest older schema. */
const VERSION_PREFERENCE = ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2', 'v1alpha1'];

const modelCache = new Map<string, Model | undefined>();

function loadModel(modulePath: string, kind: string): Model | undefined {
  if (!modelCache.has(modulePath)) {
    try {
      modelCache.set(modulePath, (require(modulePath) as Record<string, Model>)[kind]);
    } catch {
      modelCache.set(modulePath, undefined);
    }
  }
  return modelCache.get(modulePath);
}

/** Kinds published for `group/version` (file names in the model package), without loading them. */
function kindsOf(group: string, version: string): string[] {
  const pkg = GROUP_PACKAGES[group];
  if (!pkg) return [];
  const dir = join(dirname(require.resolve(`${pkg}/package.json`)), group, version);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => f.slice(0, -3));
}

function meshModel(apiVersion: string, kind: string): Model | undefined {
  const [group, version] = apiVersion.split('/');
  if (!group || !version || !GROUP_PACKAGES[group]) return undefined;
  for (const v of [version, ...VERSION_PREFERENCE]) {
    if (kindsOf(group, v).includes(kind))
      return loadModel(`${GROUP_PACKAGES[group]}/${group}/${v}/${kind}`, kind);
  }
  return undefined;
}

/** The schema model for an object, or undefined when the kind is not known. */
function modelFor(apiVersion: string, kind: string): Model | undefined {
  const core = CORE_MODELS[`${apiVersion}/${kind}`];
  return core ? loadModel(core, kind) : meshModel(apiVersion, kind);
}

/** Every kind this module knows, as `apiVersion/Kind` strings (for error hints). */
export function knownKinds(): string[] {
  const out = Object.keys(CORE_MODELS);
  for (const group of MESH_GROUPS) {
    for (const version of VERSION_PREFERENCE) {
      for (const kind of kindsOf(group, version)) out.push(`${group}/${version}/${kind}`);
    }
  }
  return out;
}

/** Kinds that are cluster-scoped (no namespace). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'GatewayClass']);

/** Where an object came from, for error messages. */
export interface ObjectSource {
  file?: string;
  /** 1-based line where the object's document starts. */
  line?: number;
}

export interface ValidateOptions {
  /** File the objects came from (named in errors). */
  file?: string;
  /** Per-object source, parallel to the objects array (set by `loadManifests`). */
  sources?: readonly (ObjectSource | undefined)[];
}

/** `Kind ns/name` (or `Kind name` when cluster-scoped), as used in messages. */
export function describeObject(obj: Partial<KubeObject> | undefined): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '<no kind>';
  const md = (obj?.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const name = typeof md.name === 'string' ? md.name : '<no name>';
  return typeof md.namespace === 'string' ? `${kind} ${md.namespace}/${name}` : `${kind} ${name}`;
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
function pathToField(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
}

function where(
  source: ObjectSource | undefined,
  fallbackFile: string | undefined,
  obj: unknown,
  field?: string,
) {
  const file = source?.file ?? fallbackFile;
  const fileLine = file && source?.line ? `${file}:${source.line}` : file;
  return { file: fileLine, object: describeObject(obj as KubeObject), field };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Fail = (field: string, reason: string) => never;

function checkSemantics(obj: KubeObject, fail: Fail): void {
  const md = obj.metadata;
  const name = md.name;
  const labelNamed = obj.kind === 'Namespace' || obj.kind === 'Service';
  if (
    labelNamed ? !DNS_LABEL.test(name) || name.length > 63 : !DNS_SUBDOMAIN.test(name) || name.length > 253
  ) {
    fail(
      'metadata.name',
      `"${name}" is not a valid name (lowercase letters, digits and '-'${labelNamed ? ', at most 63' : ''})`,
    );
  }
  if (md.namespace !== undefined && (!DNS_LABEL.test(md.namespace) || md.namespace.length > 63)) {
    fail('metadata.namespace', `"${md.namespace}" is not a valid namespace name`);
  }
  if (CLUSTER_SCOPED_KINDS.has(obj.kind) && md.namespace !== undefined) {
    fail('metadata.namespace', `${obj.kind} is cluster-scoped: remove metadata.namespace`);
  }
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  if (obj.kind === 'Deployment') {
    const match = ((spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ??
      {}) as Record<string, string>;
    const tmplLabels = ((spec.template as { metadata?: { labels?: Record<string, string> } } | undefined)
      ?.metadata?.labels ?? {}) as Record<string, string>;
    if (Object.keys(match).length === 0)
      fail('spec.selector.matchLabels', 'a Deployment needs a label selector');
    for (const [k, v] of Object.entries(match)) {
      if (tmplLabels[k] !== v) {
        fail(
          'spec.template.metadata.labels',
          `selector ${k}=${v} does not match the template labels: add ${k}: ${v} to the template`,
        );
      }
    }
  }
  if (obj.kind === 'Job') {
    const policy = (spec.template as { spec?: { restartPolicy?: string } } | undefined)?.spec?.restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure') {
      fail('spec.template.spec.restartPolicy', 'a Job pod needs restartPolicy Never or OnFailure');
    }
  }
  if (obj.kind === 'Service') {
    const ports = (spec.ports ?? []) as { port?: number; targetPort?: unknown; name?: string }[];
    if (ports.length === 0 && spec.clusterIP !== 'None')
      fail('spec.ports', 'a ClusterIP Service needs ports');
    if (ports.length > 1 && ports.some((p) => !p.name)) {
      fail('spec.ports', 'every port of a multi-port Service needs a name');
    }
    ports.forEach((p, i) => {
      if (typeof p.targetPort === 'string' && !/^[a-z0-9-]{1,15}$/.test(p.targetPort)) {
        fail(
          `spec.ports[${i}].targetPort`,
          `named port "${p.targetPort}" must be at most 15 lowercase characters`,
        );
      }
    });
  }
  const podSpec =
    obj.kind === 'Pod'
      ? (spec as { containers?: unknown[] })
      : obj.kind === 'Deployment' || obj.kind === 'Job'
        ? ((spec.template as { spec?: { containers?: unknown[] } } | undefined)?.spec ?? {})
        : undefined;
  if (podSpec) {
    const base = obj.kind === 'Pod' ? 'spec' : 'spec.template.spec';
    const names = new Set<string>();
    (podSpec.containers ?? []).forEach((c, i) => {
      const cname = (c as { name: string }).name;
      if (names.has(cname)) fail(`${base}.containers[${i}].name`, `duplicate container name "${cname}"`);
      names.add(cname);
    });
    if ((podSpec.containers ?? []).length === 0)
      fail(`${base}.containers`, 'a pod needs at least one container');
  }
}

/**
 * Validates objects against their schemas and semantic rules. Throws the first `ValidationError`
 * (naming file, object and field); returns normally when every object is valid.
 */
export function validateObjects(objects: readonly unknown[], options: ValidateOptions = {}): void {
  objects.forEach((obj, i) => {
    const source = options.sources?.[i];
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new ValidationError('E_MANIFEST_SCHEMA', where(source, options.file, undefined), 'not an object');
    }
    const o = obj as Partial<KubeObject>;
    const fail: Fail = (field, reason) => {
      throw new ValidationError('E_MANIFEST_FIELD', where(source, options.file, o, field), reason);
    };
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '') fail('apiVersion', 'missing apiVersion');
    if (typeof o.kind !== 'string' || o.kind === '') fail('kind', 'missing kind');
    if (typeof o.metadata !== 'object' || o.metadata === null) fail('metadata', 'missing metadata');
    if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') fail('metadata.name', 'missing name');
    const model = modelFor(o.apiVersion as string, o.kind as string);
    if (!model) {
      throw new ValidationError(
        'E_MANIFEST_KIND',
        where(source, options.file, o, 'kind'),
        `unknown kind ${o.apiVersion}/${o.kind}`,
        {
          hint: `supported: core v1 Namespace, ServiceAccount, Pod, Service, ConfigMap, Secret; apps/v1 Deployment; batch/v1 Job; and the kinds of ${MESH_GROUPS.join(', ')}`,
        },
      );
    }
    try {
      const modelVersion = model.apiVersion;
      new model(modelVersion ? { ...o, apiVersion: modelVersion } : obj).validate();
    } catch (err) {
      const first = (err as { errors?: { instancePath?: string; message?: string; params?: unknown }[] })
        .errors?.[0];
      const field = first ? pathToField(first.instancePath ?? '') || undefined : undefined;
      const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const fullField = missing ? [field, missing].filter(Boolean).join('.') : field;
      const reason = missing ? 'required field is missing' : (first?.message ?? (err as Error).message);
      throw new ValidationError('E_MANIFEST_SCHEMA', where(source, options.file, o, fullField), reason, {
        cause: err,
      });
    }
    checkSemantics(o as KubeObject, fail);
  });
}

function yamlFiles(path: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    throw new ValidationError('E_MANIFEST_YAML', { file: path }, 'cannot read manifest file or directory', {
      cause: err,
    });
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/** Parses multi-document YAML text; errors name `file:line`. Returns objects with their source lines. */
export function parseManifests(
  text: string,
  file = '<input>',
): { objects: KubeObject[]; sources: ObjectSource[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const objects: KubeObject[] = [];
  const sources: ObjectSource[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      throw new ValidationError('E_MANIFEST_YAML', { file: line ? `${file}:${line}` : file }, err.message);
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    const line = lineCounter.linePos(start).line;
    const items =
      (value as { kind?: string }).kind === 'List' ? ((value as { items?: unknown[] }).items ?? []) : [value];
    for (const item of items) {
      objects.push(item as KubeObject);
      sources.push({ file, line });
    }
  }
  return { objects, sources };
}

/**
 * Reads every object from a YAML file or a directory of `.yaml`/`.yml` files (sorted), validates
 * them all and returns them. Throws a `ValidationError` naming file, line, object and field.
 */
export function loadManifests(fileOrDir: string): KubeObject[] {
  const objects: KubeObject[] = [];
  const sources: ObjectSource[] = [];
  for (const file of yamlFiles(fileOrDir)) {
    const parsed = parseManifests(readFileSync(file, 'utf8'), file);
    objects.push(...parsed.objects);
    sources.push(...parsed.sources);
  }
  validateObjects(objects, { sources });
  return objects;
}
