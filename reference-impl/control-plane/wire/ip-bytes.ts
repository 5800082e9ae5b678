/**
 * @module reference-impl/control-plane/wire/ip-bytes
 * IP addresses as the workload API carries them: 4 or 16 raw bytes on the wire, strings in memory.
 */
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../../../core/errors.ts';

/** `10.0.0.1` → 4 bytes; `fd00::1` → 16 bytes. Throws on anything that is not an IP. */
export function ipToBytes(ip: string): Uint8Array {
  if (!ipaddr.isValid(ip))
    throw new ValidationError('E_MANIFEST_FIELD', { field: 'address' }, `not an IP: ${ip}`);
  return Uint8Array.from(ipaddr.parse(ip).toByteArray());
}

/** 4 or 16 bytes → the address string; empty input gives ''. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}
