/**
 * @module reference-impl/control-plane/server/grpc-server
 * The one TLS gRPC port (15012) serving delta ADS and the CA, with a serving certificate from the
 * mesh root.
 */
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { MeshbenchError } from '../../../core/errors.ts';
import {
  adsServiceDefinition,
  type CertificateRequest,
  type CertificateResponse,
  caServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
} from '../wire/grpc-services.ts';

export interface GrpcServerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  rootCertPem: string;
  ads: (call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) => void;
  ca: (
    call: ServerUnaryCall<CertificateRequest, CertificateResponse>,
    cb: sendUnaryData<CertificateResponse>,
  ) => void;
}

/** A running gRPC server. */
export interface RunningGrpcServer {
  port: number;
  /** Graceful shutdown with a deadline, then force. */
  close(timeoutMs?: number): Promise<void>;
}

/** Binds and starts the gRPC server; resolves with the bound port. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  server.addService(adsServiceDefinition(), { DeltaAggregatedResources: options.ads });
  server.addService(caServiceDefinition(), { CreateCertificate: options.ca });
  const creds = ServerCredentials.createSsl(
    Buffer.from(options.rootCertPem),
    [{ cert_chain: Buffer.from(options.certPem), private_key: Buffer.from(options.keyPem) }],
    false,
  );
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, creds, (err, p) =>
      err
        ? reject(
            new MeshbenchError('E_XDS', `cannot listen on ${options.host}:${options.port}`, { cause: err }),
          )
        : resolve(p),
    ),
  );
  return {
    port,
    close: (timeoutMs = 2000) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
