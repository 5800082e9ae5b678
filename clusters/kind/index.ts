/**
 * @module clusters/kind
 * The `kind` provider: clusters made by kind, driven through the Kubernetes API like `existing`.
 */
export { createKindProvider, type KindProviderOptions, kindProvider } from './kind-provider.ts';
