/**
 * @module reference-impl/control-plane/client
 * What proxies import from the control plane: the delta xDS client, the CA client and the rotation
 * helper.
 */
export {
  type CaClient,
  type CaClientOptions,
  createCaClient,
  type WorkloadCertificate,
} from './ca-client.ts';
export { type RotationOptions, refreshAt, startRotation } from './rotation.ts';
export { createXdsClient, type XdsChangeEvent, type XdsClient, type XdsClientOptions } from './xds-client.ts';
