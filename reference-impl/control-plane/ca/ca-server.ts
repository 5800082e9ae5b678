/**
 * @module reference-impl/control-plane/ca/ca-server
 * `istio.v1.auth.IstioCertificateService/CreateCertificate` with node authorization: the caller is a
 * node proxy (bearer token → node); it asks for one identity, named by the `ImpersonatedIdentity`
 * metadata field (Istio's) or else by the CSR's URI SAN; the identity is granted only when a pod
 * with that namespace and service account is scheduled on the caller's node. Everything else is
 * refused and logged; a bad request never affects other callers.
 */
import { type Metadata, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { MeshbenchError } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import { parseSpiffeId } from '../../api/workload.ts';
import type { ControlPlaneMetrics } from '../metrics.ts';
import { uriSans, x509 } from '../pki/x509.ts';
import type { CertificateRequest, CertificateResponse } from '../wire/grpc-services.ts';
import type { CertificateAuthority } from './authority.ts';

export interface CaServerOptions {
  ca: CertificateAuthority;
  /** Node of a call's bearer token, or undefined. */
  authenticate: (md: Metadata) => string | undefined;
  /** True when a pod with this namespace and service account runs on `node`. */
  identityOnNode: (node: string, namespace: string, serviceAccount: string) => boolean;
  /** Workload certificate TTL in seconds (requests may ask for less). */
  certTtlSeconds: number;
  logger: Logger;
  metrics?: ControlPlaneMetrics;
}

/** The identity a request asks for: `ImpersonatedIdentity` metadata, else the CSR's URI SAN. */
export function requestedIdentity(req: CertificateRequest): string | undefined {
  const imp = req.metadata?.fields?.ImpersonatedIdentity?.stringValue;
  if (imp) return imp;
  try {
    return uriSans(new x509.Pkcs10CertificateRequest(req.csr))[0];
  } catch {
    return undefined;
  }
}

/** Creates the grpc-js handler for `CreateCertificate`. */
export function createCaServer(options: CaServerOptions) {
  const { ca, logger, metrics } = options;
  const refuse = (
    cb: sendUnaryData<CertificateResponse>,
    code: status,
    reason: string,
    label: string,
    fields: Record<string, unknown>,
  ) => {
    metrics?.certificatesRefused.inc({ reason: label });
    logger.warn(`ca: refused: ${reason}`, fields);
    cb({ code, details: reason });
  };

  async function handle(
    call: ServerUnaryCall<CertificateRequest, CertificateResponse>,
    cb: sendUnaryData<CertificateResponse>,
  ) {
    const peer = call.getPeer();
    const node = options.authenticate(call.metadata);
    if (node === undefined)
      return refuse(cb, status.UNAUTHENTICATED, 'missing or unknown bearer token', 'unauthenticated', {
        peer,
      });
    const identity = requestedIdentity(call.request);
    if (!identity)
      return refuse(cb, status.INVALID_ARGUMENT, 'no identity requested (malformed CSR?)', 'malformed', {
        peer,
        node,
      });
    const id = parseSpiffeId(identity);
    if (!id)
      return refuse(cb, status.INVALID_ARGUMENT, `not a SPIFFE identity: ${identity}`, 'malformed', {
        peer,
        node,
      });
    if (id.trustDomain !== ca.trustDomain) {
      return refuse(
        cb,
        status.PERMISSION_DENIED,
        `trust domain ${id.trustDomain} is not ${ca.trustDomain}`,
        'trust-domain',
        { node, identity },
      );
    }
    if (!options.identityOnNode(node, id.namespace, id.serviceAccount)) {
      return refuse(
        cb,
        status.PERMISSION_DENIED,
        `node ${node} runs no pod with identity ${identity}`,
        'not-on-node',
        { node, identity },
      );
    }
    const requested = Number(call.request.validityDuration ?? 0);
    const ttl = requested > 0 ? Math.min(requested, options.certTtlSeconds) : options.certTtlSeconds;
    try {
      const issued = await ca.issueWorkload(call.request.csr, identity, ttl);
      metrics?.certificatesIssued.inc();
      logger.info('ca: issued', { node, identity, ttlSeconds: ttl });
      cb(null, { certChain: issued.certChainPem });
    } catch (err) {
      if (err instanceof MeshbenchError)
        return refuse(cb, status.INVALID_ARGUMENT, err.message, 'malformed', { node, identity });
      logger.error('ca: signing failed', { node, identity, error: String(err) });
      cb({ code: status.INTERNAL, details: 'signing failed' });
    }
  }
  return {
    handler: (
      call: ServerUnaryCall<CertificateRequest, CertificateResponse>,
      cb: sendUnaryData<CertificateResponse>,
    ) => void handle(call, cb),
  };
}
