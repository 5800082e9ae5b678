/**
 * @module reference-impl/control-plane/wire/l7-codec
 * meshbench L7 (and L4) resources on the wire: the JSON of a reference-impl/api/l7.ts (l4.ts) object
 * in the `json` field of `meshbench.l7.<Name>` (`meshbench.l4.<Name>`), the message named by the type URL.
 */
import { DECODE_OPTIONS, messageType } from './proto-root.ts';

const PREFIX = 'type.googleapis.com/';

/** True when `typeUrl` names a meshbench L7 or L4 resource (both are JSON wrappers). */
export const isL7TypeUrl = (typeUrl: string): boolean =>
  typeUrl.startsWith(`${PREFIX}meshbench.l7.`) || typeUrl.startsWith(`${PREFIX}meshbench.l4.`);

/** Encodes an L7 resource of type `typeUrl`. */
export function encodeL7(typeUrl: string, value: unknown): Uint8Array {
  const T = messageType(typeUrl.slice(PREFIX.length));
  return T.encode(T.fromObject({ json: JSON.stringify(value) })).finish();
}

/** Decodes an L7 resource of type `typeUrl`; throws on malformed bytes or JSON. */
export function decodeL7<T = unknown>(typeUrl: string, bytes: Uint8Array): T {
  const T = messageType(typeUrl.slice(PREFIX.length));
  const o = T.toObject(T.decode(bytes), DECODE_OPTIONS) as { json: string };
  return JSON.parse(o.json) as T;
}
