/**
 * @module reference-impl/ztunnel/fuzz-run
 * The full listener fuzz run (`npm run fuzz:ztunnel`): 100,000 generated inputs per listener
 * (`MESHBENCH_FUZZ_INPUTS` to change; listener names as arguments to run a subset: hbone socks5 dns
 * outbound inbound-plaintext), in-process on loopback. Prints per listener the inputs, wall and CPU
 * time, outcome classes and resident memory, then checks that every run found no problem, that the
 * process is left with no socket or server handle, and that memory stayed bounded. Exit 1 otherwise.
 * Run with `--expose-gc` (the npm script does) so heap figures are taken after a collection.
 */
import Table from 'cli-table3';
import { leakedHandles, settle, snapshot } from './testing/fuzz-drive.ts';
import {
  type FuzzReport,
  fuzzCaptured,
  fuzzDns,
  fuzzHbone,
  fuzzSocks5,
  startFuzzLab,
} from './testing/fuzz-listeners.ts';

const N = Number(process.env.MESHBENCH_FUZZ_INPUTS ?? 100_000);
const MB = 1024 * 1024;
/** Heap growth over the whole run that still counts as bounded (the lab's own state is far below). */
const HEAP_GROWTH_LIMIT = 64 * MB;
const RSS_LIMIT = 1024 * MB;

const out = (line = '') => process.stdout.write(`${line}\n`);
const wanted = new Set(process.argv.slice(2));
const runs: Array<[string, (lab: Awaited<ReturnType<typeof startFuzzLab>>) => Promise<FuzzReport[]>]> = [
  ['hbone', async (lab) => [await fuzzHbone(lab, N)]],
  ['socks5', (lab) => fuzzSocks5(lab, N)],
  ['dns', async (lab) => [await fuzzDns(lab, N)]],
  ['outbound', async (lab) => [await fuzzCaptured(lab, 'outbound', N)]],
  ['inbound-plaintext', async (lab) => [await fuzzCaptured(lab, 'inbound-plaintext', N)]],
];

const first = snapshot();
const lab = await startFuzzLab();
const afterLab = snapshot();
out(`ztunnel listener fuzz: ${N} inputs per listener, node ${process.version}, pid ${process.pid}`);
out(
  `start: rss ${(first.rssBytes / MB).toFixed(0)} MB, heap ${(afterLab.heapUsedBytes / MB).toFixed(0)} MB, handles ${JSON.stringify(afterLab.resources)}`,
);
const table = new Table({
  head: ['listener', 'inputs', 'wall s', 'cpu s (run)', 'rss peak MB', 'problems'],
  style: { head: [], border: [] },
});
const problems: string[] = [];
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 500);
const t0 = Date.now();
for (const [name, run] of runs) {
  if (wanted.size && !wanted.has(name)) continue;
  peakRss = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const reports = await run(lab);
  const cpu = process.cpuUsage(cpu0);
  for (const r of reports) {
    table.push([
      r.listener,
      r.inputs,
      (r.ms / 1000).toFixed(1),
      r === reports[0] ? ((cpu.user + cpu.system) / 1e6).toFixed(1) : '',
      (Math.max(peakRss, process.memoryUsage().rss) / MB).toFixed(0),
      r.problems.length,
    ]);
    out(`${r.listener}: ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s`);
    out(`  outcomes ${JSON.stringify(r.outcomes)}`);
    for (const p of r.problems) out(`  PROBLEM ${p}`);
    problems.push(...r.problems.map((p) => `${r.listener}: ${p}`));
    if (r.inputs < N) problems.push(`${r.listener}: only ${r.inputs} of ${N} inputs`);
  }
}
clearInterval(sampler);
const beforeClose = snapshot();
await lab.close();
let leaked: Record<string, number> = {};
await settle(() => {
  leaked = leakedHandles(first, snapshot());
  return Object.keys(leaked).length === 0;
}, 5000);
const end = snapshot();
out();
out(table.toString());
out(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
out(
  `end: rss ${(end.rssBytes / MB).toFixed(0)} MB, heap ${(beforeClose.heapUsedBytes / MB).toFixed(0)} MB before closing the lab (${((beforeClose.heapUsedBytes - afterLab.heapUsedBytes) / MB).toFixed(1)} MB over the start), handles ${JSON.stringify(end.resources)}`,
);
if (Object.keys(leaked).length)
  problems.push(`handles left after closing everything: ${JSON.stringify(leaked)}`);
if (beforeClose.heapUsedBytes - afterLab.heapUsedBytes > HEAP_GROWTH_LIMIT)
  problems.push(`heap grew by more than ${HEAP_GROWTH_LIMIT / MB} MB`);
if (end.rssBytes > RSS_LIMIT) problems.push(`rss above ${RSS_LIMIT / MB} MB`);
out(
  problems.length
    ? `FAILED:\n  ${problems.join('\n  ')}`
    : 'OK: no problem, no leaked handle, memory bounded',
);
process.exitCode = problems.length ? 1 : 0;
// Nothing should keep the process alive now; if something does, say so instead of hanging.
setTimeout(() => {
  out(`process still alive 5 s after the run: ${JSON.stringify(snapshot().resources)}`);
  process.exit(1);
}, 5000).unref();
