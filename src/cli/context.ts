/** What every command needs: where it runs, its config, its logger — created on first use. */
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, resolveHome, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../observability/logger.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly globals: GlobalOptions;
  config(): LoadedConfig;
  logger(): Logger;
}

export function createCliContext(command: Command): CliContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const env = process.env;
  let loaded: LoadedConfig | undefined;
  let logger: Logger | undefined;
  const context: CliContext = {
    cwd: process.cwd(),
    env,
    home: resolveHome(env),
    globals,
    config() {
      loaded ??= loadConfig({ ...(globals.config ? { configPath: globals.config } : {}), env });
      return loaded;
    },
    logger() {
      const level = globals.verbose ? 'debug' : globals.quiet ? 'error' : (env['LOG_LEVEL'] ?? safeLevel(context));
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
