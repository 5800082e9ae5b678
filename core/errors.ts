/**
 * @module core/errors
 * The one error base of meshbench. Every subsystem defines its codes here-under-its-prefix and throws
 * `MeshbenchError` (or a subclass) so reports, tests and the CLI match on a stable `code`, never on text.
 * Messages name the object, the field and the fix.
 */

/** Stable machine-readable error codes, grouped by subsystem prefix. */
export type ErrorCode =
  // input validation (manifests, flags, wire frames)
  | 'E_MANIFEST_YAML'
  | 'E_MANIFEST_KIND'
  | 'E_MANIFEST_FIELD'
  | 'E_MANIFEST_SCHEMA'
  | 'E_FLAG'
  // environment
  | 'E_NOT_ROOT'
  | 'E_NOT_LINUX'
  | 'E_KERNEL_FEATURE'
  | 'E_TOOL_MISSING'
  | 'E_BUILD'
  // cluster lifecycle
  | 'E_CLUSTER_EXISTS'
  | 'E_CLUSTER_NOT_FOUND'
  | 'E_CLUSTER_STATE'
  | 'E_CLUSTER_DAEMON'
  | 'E_NOT_FOUND'
  | 'E_TIMEOUT'
  | 'E_CALL'
  | 'E_EXEC'
  | 'E_UNSUPPORTED'
  // Kubernetes API server (kind, existing): refused, unreachable or failed a request
  | 'E_KUBE_API'
  // the run was interrupted (SIGINT/SIGTERM); work stopped at the next safe point
  | 'E_INTERRUPTED'
  // mesh
  | 'E_MESH_CONFIG'
  | 'E_CA_DENIED'
  | 'E_XDS'
  | 'E_HBONE'
  // results
  | 'E_RESULTS'
  | 'E_NO_SAMPLES'
  | 'E_INTERNAL'
  // echo app (reference-impl/echo)
  | 'E_ECHO_LISTEN'
  | 'E_ECHO_REQUEST'
  // conformance suite
  | 'E_CHECK_FAILED'
  | 'E_CONTROL_DEFECT';

export interface MeshbenchErrorOptions {
  cause?: unknown;
  /** What the user can do about it, appended to the message. */
  hint?: string;
  /** Structured details for machine consumers (file, object, field, ...). */
  details?: Readonly<Record<string, unknown>>;
}

/** Base error: carries a stable `code`, an optional `hint`, structured `details` and a `cause`. */
export class MeshbenchError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: MeshbenchErrorOptions = {}) {
    super(options.hint ? `${message} (${options.hint})` : message, { cause: options.cause });
    this.name = 'MeshbenchError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

/** A manifest or config object that failed validation: names file, object and field. */
export class ValidationError extends MeshbenchError {
  readonly file: string | undefined;
  readonly object: string | undefined;
  readonly field: string | undefined;

  constructor(
    code: Extract<ErrorCode, `E_MANIFEST_${string}` | 'E_FLAG' | 'E_MESH_CONFIG'>,
    where: { file?: string; object?: string; field?: string },
    reason: string,
    options: MeshbenchErrorOptions = {},
  ) {
    const place = [where.file, where.object, where.field && `field ${where.field}`]
      .filter(Boolean)
      .join(': ');
    super(code, place ? `${place}: ${reason}` : reason, {
      ...options,
      details: { ...where, ...options.details },
    });
    this.name = 'ValidationError';
    this.file = where.file;
    this.object = where.object;
    this.field = where.field;
  }
}

/** True when `err` is a MeshbenchError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): err is MeshbenchError {
  return err instanceof MeshbenchError && err.code === code;
}

/** One line describing any thrown value, for CLIs and logs. */
export function describeError(err: unknown): string {
  if (err instanceof MeshbenchError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
