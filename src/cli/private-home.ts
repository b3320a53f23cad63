/**
 * At the start of every command: a home made before it was kept private (or loosened since) is
 * tightened, and the user told once, in one line, how many entries were open to others.
 */
import { tightenHome } from '../storage/private-files.js';

export function tightenHomeWithWarning(home: string, options: { readonly quiet: boolean }): void {
  const tightened = tightenHome(home);
  if (tightened.length === 0 || options.quiet) return;
  const what = tightened.length === 1 ? '1 entry' : `${tightened.length} entries`;
  process.stderr.write(`warning: ${what} of ${home} could be read by other users; made private (owner only)\n`);
}
