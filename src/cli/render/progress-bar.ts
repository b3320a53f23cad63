/**
 * Progress of a model pull on stderr. On a TTY: one line redrawn with `\r` — a bar, percent,
 * bytes done of total and speed. Otherwise (a pipe, a log file, CI): plain lines, one per status
 * change and per 10 % step, so a log stays short and readable.
 */
import type { PullProgress } from '../../adapters/ollama/ollama-api.js';

export interface ProgressWriter {
  write(text: string): unknown;
}

export interface PullProgressOptions {
  readonly out: ProgressWriter;
  readonly tty: boolean;
  /** Terminal width for the bar (TTY only). */
  readonly columns?: number;
  readonly now?: () => number;
  /** Minimum time between TTY redraws. */
  readonly redrawMs?: number;
}

export interface PullProgressRenderer {
  update(progress: PullProgress): void;
  /** Ends the TTY line (call on success, failure or interrupt). */
  finish(): void;
}

export function createPullProgress(options: PullProgressOptions): PullProgressRenderer {
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 100;
  let lastStatus = '';
  let lastStep = -1;
  let lastDraw = -Infinity;
  let lineOpen = false;
  /** Speed over a sliding window of recent samples. */
  const samples: { t: number; bytes: number }[] = [];

  const speed = (bytes: number): number | undefined => {
    const t = now();
    samples.push({ t, bytes });
    while (samples.length > 2 && t - (samples[0]?.t ?? t) > 5000) samples.shift();
    const first = samples[0];
    if (!first || t - first.t < 200 || bytes < first.bytes) return undefined;
    return ((bytes - first.bytes) * 1000) / (t - first.t);
  };

  return {
    update(progress) {
      const { status, totalBytes, completedBytes } = progress;
      const percent = totalBytes && completedBytes !== undefined ? Math.min(100, (completedBytes / totalBytes) * 100) : undefined;
      if (options.tty) {
        const rate = completedBytes !== undefined ? speed(completedBytes) : undefined;
        const changed = status !== lastStatus;
        if (!changed && now() - lastDraw < redrawMs && percent !== 100) return;
        lastDraw = now();
        if (changed && lineOpen && percent === undefined) options.out.write('\n');
        lastStatus = status;
        options.out.write(`\r\x1b[K${renderTtyLine(status, percent, completedBytes, totalBytes, rate, options.columns ?? 80)}`);
        lineOpen = true;
        return;
      }
      const step = percent === undefined ? -1 : Math.floor(percent / 10);
      if (status === lastStatus && step === lastStep) return;
      lastStatus = status;
      lastStep = step;
      if (percent === undefined) {
        options.out.write(`${status}\n`);
      } else {
        options.out.write(`${status}: ${Math.floor(percent)}% (${formatBytes(completedBytes ?? 0)} of ${formatBytes(totalBytes ?? 0)})\n`);
      }
    },
    finish() {
      if (options.tty && lineOpen) options.out.write('\n');
      lineOpen = false;
    },
  };
}

export function renderTtyLine(
  status: string,
  percent: number | undefined,
  completed: number | undefined,
  total: number | undefined,
  bytesPerSecond: number | undefined,
  columns: number,
): string {
  if (percent === undefined || total === undefined) return status.slice(0, columns - 1);
  const label = status.length > 24 ? `${status.slice(0, 23)}…` : status;
  const figures = ` ${percent.toFixed(0).padStart(3)}% ${formatBytes(completed ?? 0)}/${formatBytes(total)}${bytesPerSecond !== undefined ? ` ${formatBytes(bytesPerSecond)}/s` : ''}`;
  const width = Math.max(10, Math.min(40, columns - label.length - figures.length - 4));
  const filled = Math.round((percent / 100) * width);
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${figures}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}
