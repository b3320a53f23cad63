/**
 * Colour for terminal output: on only when the stream is a TTY, NO_COLOR is unset (any value
 * disables, per no-color.org) and the config's colored_output is on. Uses node:util styleText.
 */
import { styleText } from 'node:util';

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'bold' | 'dim' | 'magenta';

export interface Style {
  readonly enabled: boolean;
  paint(color: Color | readonly Color[], text: string): string;
}

export function colorWanted(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv, configured = true): boolean {
  if (!configured || !stream.isTTY) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return env['TERM'] !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    // validateStream off: whether to colour is decided above for the stream we write to
    // (stderr); styleText would otherwise judge by stdout, which is often a pipe.
    paint: (color, text) =>
      enabled ? styleText(typeof color === 'string' ? color : [...color], text, { validateStream: false }) : text,
  };
}
