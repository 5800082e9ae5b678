/**
 * @module reference-impl/control-plane/wire/proto-root
 * Loads the control plane's .proto files (workload, authorization, delta xDS, CA, L7 and L4
 * wrappers) once with protobufjs and hands out the message types by full name.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url));
const FILES = [
  'workload.proto',
  'authorization.proto',
  'discovery.proto',
  'ca.proto',
  'l7.proto',
  'l4.proto',
];

let root: protobuf.Root | undefined;

/** The shared protobufjs root with every control-plane message type. */
export function protoRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) =>
      target.startsWith('google/') ? target : fileURLToPath(new URL(target, `file://${PROTO_DIR}`));
    r.loadSync(FILES, { keepCase: false });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** A message type by its full name, e.g. `istio.workload.Address`. */
export function messageType(name: string): protobuf.Type {
  return protoRoot().lookupType(name);
}

/** Options for `Type.toObject` that keep every field and decode enums as names. */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
};
