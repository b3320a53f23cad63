/**
 * What every command of every surface needs (the CLI's commands, `serve`, `mcp`, `worker`): where
 * it runs, its global options, its config (read when the context opens: from the validated-config
 * cache when the file is unchanged, so the YAML parser and the schema load only for a new or
 * changed file) and its logger, created on first use.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { resolveHome, type LoadedConfig } from '../config/config-source.js';
import { loadConfigCached } from '../config/load-cached.js';
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

export async function openCommandContext(command: Command): Promise<CommandContext> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const env = process.env;
  const home = resolveHome(env);
  // A configuration error is the command's only when it asks for the configuration.
  const loading: { config?: LoadedConfig; error?: unknown } = await loadConfigCached({ ...(globals.config ? { configPath: globals.config } : {}), env, home }).then(
    (config) => ({ config }),
    (error: unknown) => ({ error }),
  );
  let logger: Logger | undefined;
  const context: CommandContext = {
    cwd: process.cwd(),
    env,
    home,
    globals,
    config() {
      if (loading.config) return loading.config;
      throw loading.error instanceof Error ? loading.error : new Error(String(loading.error));
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
