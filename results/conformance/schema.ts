/**
 * @module results/conformance/schema
 * JSON Schema of `conformance.json` (version `meshbench.dev/conformance/v1alpha1`) and its validator.
 * Every report is validated before it is written.
 */
import { Ajv } from 'ajv';
import { MeshbenchError } from '../../core/errors.ts';
import { MODES } from './model.ts';
import { CONFORMANCE_REPORT_VERSION, type ConformanceReport } from './report.ts';

const str = { type: 'string' } as const;
const strList = { type: 'array', items: str } as const;
const count = { type: 'integer', minimum: 0 } as const;

const statistics = {
  type: 'object',
  required: ['Passed', 'Failed', 'Skipped', 'NotSupported', 'Defect'],
  additionalProperties: false,
  properties: { Passed: count, Failed: count, Skipped: count, NotSupported: count, Defect: count },
} as const;

const levelProps = {
  result: { enum: ['success', 'partial', 'failure'] },
  statistics,
  skippedTests: strList,
  failedTests: strList,
} as const;

/** The schema object (exported for documentation and for other validators). */
export const conformanceReportSchema = {
  $id: 'https://meshbench.dev/schemas/conformance/v1alpha1.json',
  type: 'object',
  required: [
    'apiVersion',
    'kind',
    'run',
    'date',
    'implementation',
    'environment',
    'modes',
    'seed',
    'profiles',
    'outcomes',
    'reporterErrors',
  ],
  additionalProperties: false,
  properties: {
    apiVersion: { const: CONFORMANCE_REPORT_VERSION },
    kind: { const: 'ConformanceReport' },
    run: str,
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
    implementation: {
      type: 'object',
      required: ['organization', 'project', 'url', 'version', 'contact'],
      additionalProperties: false,
      properties: { organization: str, project: str, url: str, version: str, contact: strList },
    },
    environment: { type: 'object' },
    modes: { type: 'array', items: { enum: [...MODES] } },
    seed: {
      type: 'object',
      required: ['file', 'title'],
      additionalProperties: false,
      properties: { file: str, title: str },
    },
    profiles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'mode', 'negativeControl', 'summary', 'core', 'extended'],
        additionalProperties: false,
        properties: {
          name: str,
          mode: { enum: [...MODES] },
          negativeControl: { type: 'boolean' },
          summary: str,
          core: {
            type: 'object',
            required: Object.keys(levelProps),
            additionalProperties: false,
            properties: levelProps,
          },
          extended: {
            type: 'object',
            required: [...Object.keys(levelProps), 'supportedFeatures', 'unsupportedFeatures'],
            additionalProperties: false,
            properties: { ...levelProps, supportedFeatures: strList, unsupportedFeatures: strList },
          },
        },
      },
    },
    outcomes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['feature', 'mode', 'negativeControl', 'status', 'durationMs', 'evidence', 'test'],
        additionalProperties: false,
        properties: {
          feature: { type: 'string', pattern: '^[a-z0-9]+(\\.[a-z0-9-]+)+$' },
          mode: { enum: [...MODES] },
          negativeControl: { type: 'boolean' },
          expected: { enum: ['supported', 'requires-waypoint', 'not-applicable'] },
          status: { enum: ['passed', 'failed', 'skipped', 'not-supported', 'defect'] },
          reason: str,
          durationMs: { type: 'number', minimum: 0 },
          evidence: {
            type: 'object',
            required: ['asserted', 'links'],
            additionalProperties: false,
            properties: { asserted: str, seen: str, links: strList },
          },
          test: str,
        },
        if: { properties: { status: { enum: ['skipped', 'not-supported', 'failed', 'defect'] } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
        then: { required: ['reason'] },
      },
    },
    reporterErrors: strList,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFn = ajv.compile(conformanceReportSchema);

/** Throws `E_RESULTS` naming every schema violation; returns the report when valid. */
export function validateConformanceReport(report: unknown): ConformanceReport {
  if (validateFn(report)) return report as ConformanceReport;
  const problems = (validateFn.errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    .join('; ');
  throw new MeshbenchError(
    'E_RESULTS',
    `conformance report does not match ${CONFORMANCE_REPORT_VERSION}: ${problems}`,
    {
      hint: 'fix the writer (results/conformance) so it emits the schema it declares',
    },
  );
}
