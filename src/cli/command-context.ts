/**
 * What every command gets, at almost no start-up cost: where it runs, its global options, its
 * home, and the configuration on request — from the validated-config cache when the file is
 * unchanged, so commands that only read the configuration never load the YAML parser or the
 * schema. Commands that run agents use context.ts, which adds the synchronous configuration and
 * the logger.
 */
import type { Command } from 'commander';
import { resolveHome, type LoadedConfig } from '../config/config-source.js';
import { loadConfigCached } from '../config/load-cached.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface CommandContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly globals: GlobalOptions;
  /** The validated configuration (loaded once; throws ConfigError with file:line:column). */
  loadConfig(): Promise<LoadedConfig>;
}

export function createCommandContext(command: Command): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const env = process.env;
  const home = resolveHome(env);
  let loading: Promise<LoadedConfig> | undefined;
  return {
    cwd: process.cwd(),
    env,
    home,
    globals,
    loadConfig() {
      loading ??= loadConfigCached({ ...(globals.config ? { configPath: globals.config } : {}), env, home });
      return loading;
    },
  };
}
