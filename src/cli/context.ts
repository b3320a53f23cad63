/**
 * The context of commands that run agents: the command context plus the configuration loaded
 * synchronously (the parser and the schema are loaded with this module) and the logger — created
 * on first use. Data commands use command-context.ts, which loads neither.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createCommandContext, type CommandContext } from './command-context.js';

export type { GlobalOptions } from './command-context.js';

export interface CliContext extends CommandContext {
  config(): LoadedConfig;
  logger(): Logger;
}

export function createCliContext(command: Command): CliContext {
  const base = createCommandContext(command);
  let loaded: LoadedConfig | undefined;
  let logger: Logger | undefined;
  const context: CliContext = {
    ...base,
    config() {
      loaded ??= loadConfig({ ...(base.globals.config ? { configPath: base.globals.config } : {}), env: base.env, home: base.home });
      return loaded;
    },
    loadConfig: () => Promise.resolve().then(() => context.config()),
    logger() {
      const level = base.globals.verbose ? 'debug' : base.globals.quiet ? 'error' : (base.env['LOG_LEVEL'] ?? safeLevel(context));
      logger ??= createLogger({ level, ...logFile(context) });
      return logger;
    },
  };
  return context;
}

/** settings.log_file: JSON lines appended under the home (relative) or at an absolute path. */
function logFile(context: CliContext): { file?: string } {
  try {
    const name = context.config().config.settings.log_file;
    return name ? { file: path.resolve(context.home, name) } : {};
  } catch {
    return {};
  }
}

function safeLevel(context: CliContext): string {
  try {
    return context.config().config.settings.log_level;
  } catch {
    return 'info';
  }
}
