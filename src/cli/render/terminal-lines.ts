/**
 * Where the live display writes: whole lines, streamed text, and on a terminal a spinner line
 * under them. A line written while the spinner runs clears the spinner's line first and redraws
 * the spinner under it, so a retry or a warning never lands on the spinner's line and the
 * spinner keeps going after it. Off a terminal there is no spinner: lines only.
 */
import { formatDuration } from './format.js';
import type { Style } from './style.js';

export interface RenderTarget {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface TerminalLines {
  /** A whole line. */
  line(text: string): void;
  /** Text as it streams (agents' output); may leave the cursor mid-line. */
  raw(text: string): void;
  /** Starts the spinner with this title (or retitles it, restarting its clock). Terminal only. */
  spin(title: string): void;
  /** What is happening now, shown after the spinner's title. Terminal only. */
  activity(text: string): void;
  /** Stops the spinner and clears its line. */
  stopSpinner(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[K';

export function createTerminalLines(out: RenderTarget, style: Style, live: boolean): TerminalLines {
  let timer: NodeJS.Timeout | undefined;
  let title = '';
  let doing = '';
  let started = 0;
  let frame = 0;
  let midLine = false;

  const draw = (): void => {
    const elapsed = formatDuration(performance.now() - started);
    const activity = doing ? ` ${style.paint('gray', `· ${doing}`)}` : '';
    out.write(`${CLEAR_LINE}${style.paint('cyan', FRAMES[frame % FRAMES.length] ?? '*')} ${title} ${style.paint('gray', elapsed)}${activity}`);
    frame++;
  };

  return {
    line(text) {
      if (timer) out.write(CLEAR_LINE);
      if (midLine) {
        out.write('\n');
        midLine = false;
      }
      out.write(`${text}\n`);
      if (timer) draw();
    },
    raw(text) {
      if (text === '') return;
      out.write(text);
      midLine = !text.endsWith('\n');
    },
    spin(text) {
      if (!live) return;
      title = text;
      doing = '';
      started = performance.now();
      frame = 0;
      draw();
      if (!timer) {
        timer = setInterval(draw, 100);
        timer.unref();
      }
    },
    activity(text) {
      if (!live) return;
      doing = text;
    },
    stopSpinner() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      out.write(CLEAR_LINE);
    },
  };
}
