/**
 * @module reference-impl/node-agent/main
 * `node --import tsx reference-impl/node-agent/main.ts --node <node> --config-dir <dir>
 * --zds-socket <path> [--cni-socket <path>] [--no-dns-capture]`. With `--cni-socket` the node's pod
 * runtime can ask it to enrol a new pod before the pod's containers start (cni-server.ts). Runs in the node's network namespace; SIGTERM stops it
 * and leaves the pods' rules in place (like istio-cni on upgrade); SIGINT with
 * `--uninstall-on-exit` removes them.
 */
import { parseArgs } from 'node:util';
import { describeError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { startCniServer } from './cni-server.ts';
import { startConfigDirSource } from './config-dir-source.ts';
import { startNodeAgent } from './node-agent.ts';
import { defaultRedirectOptions } from './redirect-rules.ts';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    'config-dir': { type: 'string' },
    'zds-socket': { type: 'string', default: '/var/run/ztunnel/ztunnel.sock' },
    'cni-socket': { type: 'string' },
    'no-dns-capture': { type: 'boolean', default: false },
    'uninstall-on-exit': { type: 'boolean', default: false },
  },
});
const logger = createLogger({ fields: { component: 'node-agent', node: values.node } });
if (!values.node || !values['config-dir']) {
  logger.error('missing flags: --node <node> --config-dir <dir> are required');
  process.exit(2);
}
try {
  const source = await startConfigDirSource(values['config-dir'], logger.child({ scope: 'config' }));
  const agent = startNodeAgent({
    node: values.node,
    zdsSocket: values['zds-socket']!,
    source,
    logger,
    redirect: { ...defaultRedirectOptions, dnsCapture: !values['no-dns-capture'] },
  });
  const cni = values['cni-socket']
    ? await startCniServer(values['cni-socket'], agent, logger.child({ scope: 'cni' }))
    : undefined;
  logger.info('node agent started', { zdsSocket: values['zds-socket'], cniSocket: values['cni-socket'] });
  const stop = async () => {
    cni?.close();
    source.stop();
    await agent.close({ uninstall: values['uninstall-on-exit'] });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
} catch (err) {
  logger.error('node agent failed to start', { error: describeError(err) });
  process.exit(1);
}
