/**
 * @module reference-impl/echo
 * The echo app's public surface: start it in-process, parse its flags, read its responses, and the
 * forward API's wire types. (Suites may import only response-format.ts; see .dependency-cruiser.cjs.)
 */
export {
  DEFAULT_CONTROL_PORT,
  DEFAULT_PORTS,
  type EchoConfig,
  type EchoPort,
  type EchoProtocol,
  parseEchoArgs,
} from './config.ts';
export { type BoundListener, type EchoInstance, type StartEchoOptions, startEcho } from './echo-server.ts';
export { FORWARD_LIMITS } from './forward-request.ts';
export {
  canonicalHeaderKey,
  EchoField,
  type EchoFields,
  formatEchoFields,
  headerPairs,
  headerValues,
  parseEchoFields,
} from './response-format.ts';
export type { ForwardError, ForwardOutcome, ForwardRequest, ForwardResponse } from './wire-types.ts';
