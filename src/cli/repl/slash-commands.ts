/** The shell's slash commands: one line in, one parsed command (or an error line) out. */

export type SlashCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'workflow'; readonly name?: string }
  | { readonly kind: 'workflows' }
  | { readonly kind: 'agents' }
  | { readonly kind: 'history' }
  | { readonly kind: 'show'; readonly id: string }
  | { readonly kind: 'new' }
  | { readonly kind: 'exit' }
  | { readonly kind: 'error'; readonly message: string };

export const SLASH_HELP: readonly (readonly [string, string])[] = [
  ['/help', 'this list'],
  ['/workflow [NAME]', 'show the current workflow, or switch to NAME'],
  ['/workflows', 'list the configured workflows'],
  ['/agents', 'list the configured agents'],
  ['/history', 'tasks of this session'],
  ['/show ID', 'one task in detail (like `tasks show`)'],
  ['/new', 'start fresh: the next task is not a follow-up'],
  ['/exit', 'leave the shell (also Ctrl+D)'],
];

const NAMES = '/help, /workflow, /workflows, /agents, /history, /show, /new, /exit';

/** `line` starts with "/". */
export function parseSlashCommand(line: string): SlashCommand {
  const [head = '', ...rest] = line.trim().split(/\s+/);
  const argument = rest.join(' ');
  switch (head) {
    case '/help':
    case '/?':
      return { kind: 'help' };
    case '/workflow':
      return argument ? { kind: 'workflow', name: argument } : { kind: 'workflow' };
    case '/workflows':
      return { kind: 'workflows' };
    case '/agents':
      return { kind: 'agents' };
    case '/history':
      return { kind: 'history' };
    case '/show':
      return argument ? { kind: 'show', id: argument } : { kind: 'error', message: 'usage: /show ID' };
    case '/new':
    case '/clear':
      return { kind: 'new' };
    case '/exit':
    case '/quit':
      return { kind: 'exit' };
    default:
      return { kind: 'error', message: `unknown command ${head} (commands: ${NAMES})` };
  }
}
