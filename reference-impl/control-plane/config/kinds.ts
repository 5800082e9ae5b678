/**
 * @module reference-impl/control-plane/config/kinds
 * Per kind: the accepted apiVersions, the schema class that validates it (kubernetes-models,
 * @kubernetes-models/istio, @kubernetes-models/gateway-api) and the spec fields it may carry
 * (unknown fields are rejected, as `kubectl apply --validate=strict` does).
 */

import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { GRPCRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2/GRPCRoute';
import { EnvoyFilter } from '@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter';
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

/** A core (group-less) v1 kind. */
const core = (schema: unknown, plural: string): KindInfo => ({
  apiVersions: ['v1'],
  schema: schema as Validatable,
  group: '',
  version: 'v1',
  plural,
});

/** A kind of `group`, accepted in `versions` and read from the live source as `v1`. */
const crd = (
  group: string,
  versions: string[],
  schema: unknown,
  plural: string,
  specFields: string[],
): KindInfo => ({
  apiVersions: versions.map((v) => `${group}/${v}`),
  schema: schema as Validatable,
  specFields,
  group,
  version: 'v1',
  plural,
});

/** The table of supported kinds. */
export const KIND_INFO: Record<Kind, KindInfo> = {
  Namespace: core(Namespace, 'namespaces'),
  Pod: core(Pod, 'pods'),
  Service: core(Service, 'services'),
  ServiceAccount: core(ServiceAccount, 'serviceaccounts'),
  AuthorizationPolicy: crd(
    'security.istio.io',
    ['v1', 'v1beta1'],
    AuthorizationPolicy,
    'authorizationpolicies',
    ['selector', 'targetRef', 'targetRefs', 'rules', 'action', 'provider'],
  ),
  PeerAuthentication: crd('security.istio.io', ['v1', 'v1beta1'], PeerAuthentication, 'peerauthentications', [
    'selector',
    'mtls',
    'portLevelMtls',
  ]),
  RequestAuthentication: crd(
    'security.istio.io',
    ['v1', 'v1beta1'],
    RequestAuthentication,
    'requestauthentications',
    ['selector', 'targetRef', 'targetRefs', 'jwtRules'],
  ),
  VirtualService: crd(
    'networking.istio.io',
    ['v1', 'v1beta1', 'v1alpha3'],
    VirtualService,
    'virtualservices',
    ['hosts', 'gateways', 'http', 'tls', 'tcp', 'exportTo'],
  ),
  DestinationRule: crd(
    'networking.istio.io',
    ['v1', 'v1beta1', 'v1alpha3'],
    DestinationRule,
    'destinationrules',
    ['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector'],
  ),
  ServiceEntry: crd('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], ServiceEntry, 'serviceentries', [
    'hosts',
    'addresses',
    'ports',
    'location',
    'resolution',
    'endpoints',
    'workloadSelector',
    'exportTo',
    'subjectAltNames',
  ]),
  // Only v1alpha3 exists; the model reads just the local_ratelimit network filter (l4-policies.ts).
  EnvoyFilter: {
    ...crd('networking.istio.io', ['v1alpha3'], EnvoyFilter, 'envoyfilters', [
      'workloadSelector',
      'targetRefs',
      'configPatches',
      'priority',
    ]),
    version: 'v1alpha3',
  },
  Telemetry: crd('telemetry.istio.io', ['v1', 'v1alpha1'], Telemetry, 'telemetries', [
    'selector',
    'targetRef',
    'targetRefs',
    'tracing',
    'metrics',
    'accessLogging',
  ]),
  Gateway: crd('gateway.networking.k8s.io', ['v1', 'v1beta1'], Gateway, 'gateways', [
    'gatewayClassName',
    'listeners',
    'addresses',
    'infrastructure',
    'backendTLS',
  ]),
  HTTPRoute: crd('gateway.networking.k8s.io', ['v1', 'v1beta1'], HTTPRoute, 'httproutes', [
    'parentRefs',
    'hostnames',
    'rules',
  ]),
  GRPCRoute: crd('gateway.networking.k8s.io', ['v1', 'v1alpha2'], GRPCRoute, 'grpcroutes', [
    'parentRefs',
    'hostnames',
    'rules',
  ]),
};
