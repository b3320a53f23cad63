/**
 * The context of the data commands (agents, workflows, validate, doctor, models, metrics, tasks),
 * at almost no start-up cost: where the command runs, its global options, its home, and the
 * configuration on request — from the validated-config cache when the file is unchanged, so a
 * command that only reads the configuration never loads the YAML parser or the schema. Commands
 * that run agents use the full command context (src/service/command-context.ts, with the
 * synchronous configuration and the logger), imported inside their actions.
 */
import type { Command } from 'commander';
import { resolveHome, type LoadedConfig } from '../config/config-source.js';
import { loadConfigCached } from '../config/load-cached.js';
import type { GlobalOptions } from '../service/command-context.js';

export interface DataContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly globals: GlobalOptions;
  /** The validated configuration (loaded once; throws ConfigError with file:line:column). */
  loadConfig(): Promise<LoadedConfig>;
}

export function createDataContext(command: Command): DataContext {
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
