/**
 * @module reference-impl/control-plane/wire/grpc-services
 * grpc-js service definitions for delta ADS and Istio's CA, built from the protobufjs types (no code
 * generation): method paths, streaming flags and (de)serializers.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { DECODE_OPTIONS, messageType } from './proto-root.ts';

/** `DeltaDiscoveryRequest` in memory (protobufjs camelCase). */
export interface DeltaDiscoveryRequest {
  node?: { id: string; cluster: string; metadata?: unknown } | null;
  typeUrl: string;
  resourceNamesSubscribe: string[];
  resourceNamesUnsubscribe: string[];
  initialResourceVersions: Record<string, string>;
  responseNonce: string;
  errorDetail?: { code: number; message: string } | null;
}

/** One `Resource` of a delta response. */
export interface XdsResource {
  name: string;
  version: string;
  resource: { typeUrl: string; value: Uint8Array };
}

/** `DeltaDiscoveryResponse` in memory. */
export interface DeltaDiscoveryResponse {
  systemVersionInfo: string;
  typeUrl: string;
  resources: XdsResource[];
  removedResources: string[];
  nonce: string;
}

export interface CertificateRequest {
  csr: string;
  validityDuration: number;
  metadata?: { fields?: Record<string, { stringValue?: string }> } | null;
}

export interface CertificateResponse {
  certChain: string[];
}

function codec<T>(type: protobuf.Type) {
  return {
    serialize: (v: T): Buffer => Buffer.from(type.encode(type.fromObject(v as object)).finish()),
    deserialize: (b: Buffer): T => type.toObject(type.decode(b), DECODE_OPTIONS) as T,
  };
}

function method<Req, Res>(
  path: string,
  req: string,
  res: string,
  streaming: boolean,
): MethodDefinition<Req, Res> {
  const q = codec<Req>(messageType(req));
  const r = codec<Res>(messageType(res));
  return {
    path,
    requestStream: streaming,
    responseStream: streaming,
    requestSerialize: q.serialize,
    requestDeserialize: q.deserialize,
    responseSerialize: r.serialize,
    responseDeserialize: r.deserialize,
  };
}

/** `envoy.service.discovery.v3.AggregatedDiscoveryService` (delta only). */
export function adsServiceDefinition(): ServiceDefinition {
  return {
    DeltaAggregatedResources: method<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(
      '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
      'envoy.service.discovery.v3.DeltaDiscoveryRequest',
      'envoy.service.discovery.v3.DeltaDiscoveryResponse',
      true,
    ),
  };
}

/** `istio.v1.auth.IstioCertificateService`. */
export function caServiceDefinition(): ServiceDefinition {
  return {
    CreateCertificate: method<CertificateRequest, CertificateResponse>(
      '/istio.v1.auth.IstioCertificateService/CreateCertificate',
      'istio.v1.auth.IstioCertificateRequest',
      'istio.v1.auth.IstioCertificateResponse',
      false,
    ),
  };
}
