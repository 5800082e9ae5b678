/**
 * @module scripts/cli/io
 * The streams and environment the CLI uses, injected so tests can capture output in-process.
 */

/** A writable stream as the CLI sees it (`isTTY` decides spinner versus plain lines). */
export interface CliStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

/** Where the CLI reads and writes. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user interrupts the run (SIGINT/SIGTERM); long operations stop on it. */
  signal?: AbortSignal;
}
