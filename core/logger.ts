/**
 * @module core/logger
 * The injected logger. Library code never calls `console.*`: it takes a `Logger` and writes structured
 * lines through it. `createLogger` gives a JSON-lines or human logger on a stream; `silentLogger` is the
 * default where none is given.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line carries `fields` too. */
  child(fields: Record<string, unknown>): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** `json`: one JSON object per line (processes, files); `text`: `level msg k=v` (terminals). */
  format?: 'json' | 'text';
  stream?: NodeJS.WritableStream;
  fields?: Record<string, unknown>;
}

/** Creates a logger writing to `stream` (default stderr). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? ((process.env.MESHBENCH_LOG_LEVEL as LogLevel | undefined) || 'info');
  const format = options.format ?? 'json';
  const stream = options.stream ?? process.stderr;
  const base = options.fields ?? {};
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = { ...base, ...fields };
    if (format === 'json') {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...all })}\n`);
    } else {
      const kv = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      stream.write(`${lvl.padEnd(5)} ${msg}${kv ? ` ${kv}` : ''}\n`);
    }
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level, format, stream, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
