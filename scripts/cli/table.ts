/**
 * @module scripts/cli/table
 * Plain tables for the terminal (cli-table3), without colour when stdout is not a TTY.
 */
import Table from 'cli-table3';

/** Renders `rows` under `head` as a boxed table string. */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  color = false,
): string {
  const table = new Table({
    head: [...head],
    style: color ? {} : { head: [], border: [] },
  });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}
