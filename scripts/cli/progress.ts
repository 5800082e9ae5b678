/**
 * @module scripts/cli/progress
 * Progress for anything slower than a second, on stderr: a spinner that rewrites its line when
 * stderr is a terminal, plain `title ...` / `title done (1.2 s)` lines otherwise (CI logs, tests,
 * pipes). Tasks that finish within a second print nothing.
 */
import type { CliStream } from './io.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SHOW_AFTER_MS = 1000;

/** One running task. */
export interface ProgressTask {
  /** Changes the text after the title, e.g. a provider's current step and `3/7`. */
  update(detail: string, done?: number, total?: number): void;
}

/** Runs tasks with a spinner (TTY) or start/end lines (not a TTY). */
export interface Progress {
  /** Runs `fn`, showing `title` while it runs; the line ends with ✓/✗ and the elapsed time. */
  run<T>(title: string, fn: (task: ProgressTask) => Promise<T>): Promise<T>;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Creates a progress display on `stream`. */
export function createProgress(stream: CliStream): Progress {
  const tty = Boolean(stream.isTTY);
  return {
    async run<T>(title: string, fn: (task: ProgressTask) => Promise<T>): Promise<T> {
      const started = Date.now();
      let detail = '';
      let frame = 0;
      let shown = false;
      let lastPlain = '';
      const render = () => {
        shown = true;
        const d = detail ? ` — ${detail}` : '';
        stream.write(
          `\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${title}${d} (${seconds(Date.now() - started)})`,
        );
      };
      const timer = tty
        ? setInterval(() => {
            if (Date.now() - started >= SHOW_AFTER_MS) render();
          }, 100)
        : setTimeout(() => {
            shown = true;
            stream.write(`${title} ...\n`);
            if (detail) stream.write(`  ${detail}\n`);
            lastPlain = detail;
          }, SHOW_AFTER_MS);
      const task: ProgressTask = {
        update(text, done, total) {
          detail = total ? `${text} [${done ?? 0}/${total}]` : text;
          if (!tty && shown && detail !== lastPlain) {
            lastPlain = detail;
            stream.write(`  ${detail}\n`);
          }
        },
      };
      const finish = (mark: string) => {
        clearInterval(timer);
        clearTimeout(timer);
        const elapsed = Date.now() - started;
        if (!shown && elapsed < SHOW_AFTER_MS) return;
        if (tty) stream.write(`\r\x1b[2K${mark} ${title} (${seconds(elapsed)})\n`);
        else stream.write(`${title} ${mark === '✓' ? 'done' : 'failed'} (${seconds(elapsed)})\n`);
      };
      try {
        const value = await fn(task);
        finish('✓');
        return value;
      } catch (err) {
        finish('✗');
        throw err;
      }
    },
  };
}
