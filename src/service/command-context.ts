/**
 * What every command of every surface needs (the CLI's commands, `serve`, `mcp`, `worker`): where
 * it runs, its global options, its config and its logger — created on first use.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, resolveHome, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../observability/logger.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  /** `json`: logs on stderr as JSON lines (`--log-format json`); default: plain lines. */
  readonly logFormat?: string;
  readonly quiet?: boolean;
}

export interface CommandContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly globals: GlobalOptions;
  config(): LoadedConfig;
  logger(): Logger;
}

export function createCommandContext(command: Command): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const env = process.env;
  const home = resolveHome(env);
  let loaded: LoadedConfig | undefined;
  let logger: Logger | undefined;
  const context: CommandContext = {
    cwd: process.cwd(),
    env,
    home,
    globals,
    config() {
      // With the home: an unchanged file's validated config comes from its cache (config-cache.ts).
      loaded ??= loadConfig({ ...(globals.config ? { configPath: globals.config } : {}), env, home });
      return loaded;
    },
    logger() {
      const level = globals.verbose ? 'debug' : globals.quiet ? 'error' : (env['LOG_LEVEL'] ?? safeLevel(context));
      logger ??= createLogger({ level, ...(globals.logFormat === 'json' ? { format: 'json' as const } : {}), ...logFile(context) });
      return logger;
    },
  };
  return context;
}

/** settings.log_file: JSON lines appended under the home (relative) or at an absolute path. */
function logFile(context: CommandContext): { file?: string } {
  try {
    const name = context.config().config.settings.log_file;
    return name ? { file: path.resolve(context.home, name) } : {};
  } catch {
    return {};
  }
}

function safeLevel(context: CommandContext): string {
  try {
    return context.config().config.settings.log_level;
  } catch {
    return 'info';
  }
}
