/** The CLI's name for the command context every surface shares (src/service/command-context.ts). */
export {
  openCommandContext as openCliContext,
  type CommandContext as CliContext,
  type GlobalOptions,
} from '../service/command-context.js';
