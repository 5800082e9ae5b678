/**
 * @module reference-impl/control-plane/main
 * Process entry of the reference control plane (istiod's role):
 * `node --import tsx reference-impl/control-plane/main.ts --config-dir DIR --listen 0.0.0.0:15012
 *  --admin 0.0.0.0:15014 --ca-dir DIR --node-tokens FILE --trust-domain cluster.local --cert-ttl S`
 * (or `--kubeconfig PATH` instead of `--config-dir`). Logs JSON lines to stderr; exits on SIGTERM.
 */
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { loadNodeTokens } from './auth/node-tokens.ts';
import { parseControlPlaneFlags } from './cli-options.ts';
import { startFileSource } from './config/file-source.ts';
import { startControlPlane } from './control-plane.ts';

const logger = createLogger({ fields: { component: 'control-plane' } });

async function main(): Promise<void> {
  const flags = parseControlPlaneFlags(process.argv.slice(2));
  const nodeTokens = flags.nodeTokens ? loadNodeTokens(flags.nodeTokens) : new Map<string, string>();
  if (!flags.nodeTokens) logger.warn('no --node-tokens: every proxy will be refused');
  const cp = await startControlPlane({
    listen: flags.listen,
    admin: flags.admin,
    trustDomain: flags.trustDomain,
    caDir: flags.caDir,
    nodeTokens,
    certTtlSeconds: flags.certTtlSeconds,
    logger,
    source: async (store) => {
      if (flags.configDir) {
        const src = await startFileSource({ dir: flags.configDir, store, logger });
        return () => src.stop();
      }
      // Loaded only when used: @kubernetes/client-node is heavy to import.
      const { startKubeSource } = await import('./config/kube-source.ts');
      const src = await startKubeSource({ kubeconfig: flags.kubeconfig!, store, logger });
      return () => src.stop();
    },
  });
  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    await cp.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  logger.error(describeError(err));
  process.exit(1);
});
