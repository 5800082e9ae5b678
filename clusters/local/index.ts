/**
 * @module clusters/local
 * The local provider (Linux network namespaces, no Docker): public surface only.
 */
import { createLocalProvider } from './provider.ts';

export { createLocalProvider, type LocalProviderOptions } from './provider.ts';

/** The local provider with a silent logger. */
export const localProvider = createLocalProvider();
