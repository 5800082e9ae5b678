/**
 * @module reference-impl/control-plane/client/ca-client
 * The proxy side of Istio's CA: generates the key locally, sends a CSR for one SPIFFE identity
 * (`ImpersonatedIdentity` metadata, as ztunnel does) with the node's bearer token, and returns the
 * certificate chain, the private key and the expiry.
 */
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { MeshbenchError } from '../../../core/errors.ts';
import { createCsrPem, generateKeyPair, privateKeyToPem, splitPemChain, x509 } from '../pki/x509.ts';
import {
  type CertificateRequest,
  type CertificateResponse,
  caServiceDefinition,
} from '../wire/grpc-services.ts';

/** The name the control plane's serving certificate always carries. */
export const DEFAULT_SERVER_NAME = 'istiod.istio-system.svc';

export interface CaClientOptions {
  /** `host:port` of the control plane. */
  address: string;
  rootCertPem: string;
  token: string;
  /** TLS name to verify; default `istiod.istio-system.svc`. */
  serverName?: string;
  /** Requested lifetime; the CA may shorten it. Default: the CA's. */
  ttlSeconds?: number;
  timeoutMs?: number;
}

/** A workload certificate ready for TLS. */
export interface WorkloadCertificate {
  /** Leaf first, then the chain up to the root (PEM, concatenated). */
  certChainPem: string;
  privateKeyPem: string;
  notBefore: Date;
  notAfter: Date;
  rootCertPem: string;
  spiffeId: string;
}

export interface CaClient {
  fetchCertificate(spiffeId: string): Promise<WorkloadCertificate>;
  close(): void;
}

/** Creates a CA client; one channel, many requests. */
export function createCaClient(options: CaClientOptions): CaClient {
  const Ctor = makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const channelOptions: Record<string, unknown> = {};
  // Verify the control plane by its service name (in its certificate next to its IPs); this also
  // avoids sending an IP as TLS SNI.
  channelOptions['grpc.ssl_target_name_override'] = options.serverName ?? DEFAULT_SERVER_NAME;
  const client = new Ctor(
    options.address,
    credentials.createSsl(Buffer.from(options.rootCertPem)),
    channelOptions,
  ) as unknown as {
    CreateCertificate(
      req: CertificateRequest,
      md: Metadata,
      opts: { deadline: Date },
      cb: (err: ServiceError | null, res?: CertificateResponse) => void,
    ): void;
    close(): void;
  };
  return {
    async fetchCertificate(spiffeId) {
      const keys = await generateKeyPair();
      const csr = await createCsrPem(keys, [spiffeId]);
      const md = new Metadata();
      md.set('authorization', `Bearer ${options.token}`);
      const req: CertificateRequest = {
        csr,
        validityDuration: options.ttlSeconds ?? 0,
        metadata: { fields: { ImpersonatedIdentity: { stringValue: spiffeId } } },
      };
      const res = await new Promise<CertificateResponse>((resolve, reject) =>
        client.CreateCertificate(
          req,
          md,
          { deadline: new Date(Date.now() + (options.timeoutMs ?? 10_000)) },
          (err, r) =>
            err
              ? reject(
                  new MeshbenchError('E_CA_DENIED', `CA refused ${spiffeId}: ${err.details || err.message}`, {
                    cause: err,
                    details: { grpcCode: err.code, spiffeId },
                  }),
                )
              : resolve(r!),
        ),
      );
      const chain = res.certChain.flatMap(splitPemChain);
      const leaf = chain[0];
      if (!leaf) throw new MeshbenchError('E_CA_DENIED', `CA returned an empty chain for ${spiffeId}`);
      const cert = new x509.X509Certificate(leaf);
      return {
        certChainPem: `${chain.join('\n')}\n`,
        privateKeyPem: await privateKeyToPem(keys.privateKey),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        rootCertPem: options.rootCertPem,
        spiffeId,
      };
    },
    close: () => client.close(),
  };
}
