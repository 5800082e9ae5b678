/**
 * @module reference-impl/control-plane/config/kinds
 * Per kind: the accepted apiVersions, the schema class that validates it (kubernetes-models,
 * @kubernetes-models/istio, @kubernetes-models/gateway-api) and the spec fields it may carry
 * (unknown fields are rejected, as `kubectl apply --validate=strict` does).
 */

import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { GRPCRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2/GRPCRoute';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1alpha1/Telemetry';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Kind } from './objects.ts';

type Validatable = new (data: never) => { validate(): void };

export interface KindInfo {
  apiVersions: string[];
  schema: Validatable;
  /** Allowed top-level spec fields; undefined = not checked beyond the schema. */
  specFields?: string[];
  /** Kubernetes API group/version/plural for the live source. */
  group: string;
  version: string;
  plural: string;
}

const istio = (group: string, versions: string[]) => versions.map((v) => `${group}/${v}`);

/** The table of supported kinds. */
export const KIND_INFO: Record<Kind, KindInfo> = {
  Namespace: {
    apiVersions: ['v1'],
    schema: Namespace as never,
    group: '',
    version: 'v1',
    plural: 'namespaces',
  },
  Pod: { apiVersions: ['v1'], schema: Pod as never, group: '', version: 'v1', plural: 'pods' },
  Service: { apiVersions: ['v1'], schema: Service as never, group: '', version: 'v1', plural: 'services' },
  ServiceAccount: {
    apiVersions: ['v1'],
    schema: ServiceAccount as never,
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
  },
  AuthorizationPolicy: {
    apiVersions: istio('security.istio.io', ['v1', 'v1beta1']),
    schema: AuthorizationPolicy as never,
    specFields: ['selector', 'targetRef', 'targetRefs', 'rules', 'action', 'provider'],
    group: 'security.istio.io',
    version: 'v1',
    plural: 'authorizationpolicies',
  },
  PeerAuthentication: {
    apiVersions: istio('security.istio.io', ['v1', 'v1beta1']),
    schema: PeerAuthentication as never,
    specFields: ['selector', 'mtls', 'portLevelMtls'],
    group: 'security.istio.io',
    version: 'v1',
    plural: 'peerauthentications',
  },
  RequestAuthentication: {
    apiVersions: istio('security.istio.io', ['v1', 'v1beta1']),
    schema: RequestAuthentication as never,
    specFields: ['selector', 'targetRef', 'targetRefs', 'jwtRules'],
    group: 'security.istio.io',
    version: 'v1',
    plural: 'requestauthentications',
  },
  VirtualService: {
    apiVersions: istio('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3']),
    schema: VirtualService as never,
    specFields: ['hosts', 'gateways', 'http', 'tls', 'tcp', 'exportTo'],
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'virtualservices',
  },
  DestinationRule: {
    apiVersions: istio('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3']),
    schema: DestinationRule as never,
    specFields: ['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector'],
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'destinationrules',
  },
  ServiceEntry: {
    apiVersions: istio('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3']),
    schema: ServiceEntry as never,
    specFields: [
      'hosts',
      'addresses',
      'ports',
      'location',
      'resolution',
      'endpoints',
      'workloadSelector',
      'exportTo',
      'subjectAltNames',
    ],
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'serviceentries',
  },
  Telemetry: {
    apiVersions: istio('telemetry.istio.io', ['v1', 'v1alpha1']),
    schema: Telemetry as never,
    specFields: ['selector', 'targetRef', 'targetRefs', 'tracing', 'metrics', 'accessLogging'],
    group: 'telemetry.istio.io',
    version: 'v1',
    plural: 'telemetries',
  },
  Gateway: {
    apiVersions: istio('gateway.networking.k8s.io', ['v1', 'v1beta1']),
    schema: Gateway as never,
    specFields: ['gatewayClassName', 'listeners', 'addresses', 'infrastructure', 'backendTLS'],
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'gateways',
  },
  HTTPRoute: {
    apiVersions: istio('gateway.networking.k8s.io', ['v1', 'v1beta1']),
    schema: HTTPRoute as never,
    specFields: ['parentRefs', 'hostnames', 'rules'],
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
  },
  GRPCRoute: {
    apiVersions: istio('gateway.networking.k8s.io', ['v1', 'v1alpha2']),
    schema: GRPCRoute as never,
    specFields: ['parentRefs', 'hostnames', 'rules'],
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'grpcroutes',
  },
};
