/**
 * @module reference-impl/echo/echo-proto
 * Istio's echo gRPC contract (pkg/test/echo/proto/echo.proto): package `proto`, service
 * `EchoTestService`, `rpc Echo(EchoRequest) returns (EchoResponse)`, both messages `string message = 1`.
 * Types are built with protobufjs reflection, no .proto file at run time.
 */
import protobuf from 'protobufjs/light.js';

/** Full method path on the wire. */
export const ECHO_METHOD_PATH = '/proto.EchoTestService/Echo';

/** `{ message }`, the shape of both EchoRequest and EchoResponse. */
export interface EchoMessage {
  message: string;
}

const root = new protobuf.Root();
const pkg = root.define('proto');
const EchoRequest = new protobuf.Type('EchoRequest').add(new protobuf.Field('message', 1, 'string'));
const EchoResponse = new protobuf.Type('EchoResponse').add(new protobuf.Field('message', 1, 'string'));
pkg.add(EchoRequest).add(EchoResponse);

function codec(type: protobuf.Type) {
  return {
    encode: (value: EchoMessage): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish()),
    decode: (bytes: Uint8Array): EchoMessage => {
      const obj = type.toObject(type.decode(bytes), { defaults: true }) as { message?: string };
      return { message: obj.message ?? '' };
    },
  };
}

/** `proto.EchoRequest` wire codec. */
export const echoRequestCodec = codec(EchoRequest);
/** `proto.EchoResponse` wire codec. */
export const echoResponseCodec = codec(EchoResponse);
