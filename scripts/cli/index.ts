/**
 * @module scripts/cli/index
 * The list of `meshbench` commands. To add a command, write `scripts/cli/<name>.ts` exporting
 * `register(program)` and add one line below.
 */
import type { Command } from 'commander';
import * as apply from './apply.ts';
import * as bench from './bench.ts';
import * as call from './call.ts';
import * as cluster from './cluster.ts';
import * as compare from './compare.ts';
import * as conformance from './conformance.ts';
import * as logs from './logs.ts';
import * as main from './main.ts';
import * as mesh from './mesh.ts';

/** Every command module, in `--help` order. */
export const COMMANDS: readonly { register(program: Command): void }[] = [
  main,
  cluster,
  apply,
  call,
  logs,
  mesh,
  bench,
  compare,
  conformance,
];

/** Registers every command on the program. */
export function registerCommands(program: Command): void {
  for (const command of COMMANDS) command.register(program);
}
