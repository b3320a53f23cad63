/** Command output: data on stdout, nothing else ever goes there. */
let printed = false;

export function printJson(value: unknown): void {
  printed = true;
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  printed = true;
  process.stdout.write(`${text}\n`);
}

/**
 * Whether the command has printed its output. A command that printed its result and then
 * fails (`models status --json` with a backend down) keeps stdout to that one document.
 */
export function printedOutput(): boolean {
  return printed;
}

/** A plain aligned table for humans. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  printLine(format(headers));
  printLine(format(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) printLine(format(row));
}
