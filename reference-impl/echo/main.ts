/**
 * @module reference-impl/echo/main
 * The echo process: `node --import tsx reference-impl/echo/main.ts [--http PORT]... [--grpc PORT]
 * [--tcp PORT] [--server-first PORT] [--control-port 7071] [--version v1] [--cluster NAME] [--bind 0.0.0.0]`.
 * Logs JSON lines on stdout (one per listener, then `ready`); exits 2 on bad flags, 1 when a port cannot
 * be bound; SIGTERM/SIGINT close gracefully and exit 0.
 */
import { describeError, MeshbenchError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { parseEchoArgs } from './config.ts';
import { startEcho } from './echo-server.ts';

const logger = createLogger({ stream: process.stdout, fields: { app: 'echo' } });

async function main(): Promise<void> {
  let config: ReturnType<typeof parseEchoArgs>;
  try {
    config = parseEchoArgs(process.argv.slice(2));
  } catch (err) {
    logger.error(describeError(err), { code: err instanceof MeshbenchError ? err.code : undefined });
    process.exit(2);
  }
  const echo = await startEcho(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    echo.close(5_000).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  logger.error(describeError(err), { code: err instanceof MeshbenchError ? err.code : undefined });
  process.exit(1);
});
