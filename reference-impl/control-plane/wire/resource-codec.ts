/**
 * @module reference-impl/control-plane/wire/resource-codec
 * One table from type URL to encoder and decoder, for every resource type the control plane serves.
 */
import { TYPE_URL_ADDRESS, TYPE_URL_AUTHORIZATION } from '../../api/workload.ts';
import { decodeAuthorization, encodeAuthorization } from './authorization-codec.ts';
import { decodeL7, encodeL7, isL7TypeUrl } from './l7-codec.ts';
import { decodeAddress, encodeAddress } from './workload-codec.ts';

/** Encodes a resource of `typeUrl` (an `Address`, an `Authorization` or an L7 object). */
export function encodeResource(typeUrl: string, value: unknown): Uint8Array {
  if (typeUrl === TYPE_URL_ADDRESS) return encodeAddress(value as Parameters<typeof encodeAddress>[0]);
  if (typeUrl === TYPE_URL_AUTHORIZATION) {
    return encodeAuthorization(value as Parameters<typeof encodeAuthorization>[0]);
  }
  if (isL7TypeUrl(typeUrl)) return encodeL7(typeUrl, value);
  throw new Error(`unknown type URL ${typeUrl}`);
}

/** Decodes a resource of `typeUrl`; throws on an unknown type or malformed bytes. */
export function decodeResource(typeUrl: string, bytes: Uint8Array): unknown {
  if (typeUrl === TYPE_URL_ADDRESS) return decodeAddress(bytes);
  if (typeUrl === TYPE_URL_AUTHORIZATION) return decodeAuthorization(bytes);
  if (isL7TypeUrl(typeUrl)) return decodeL7(typeUrl, bytes);
  throw new Error(`unknown type URL ${typeUrl}`);
}
