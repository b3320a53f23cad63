/**
 * Where the configuration comes from and what a loaded one looks like — the part of config
 * loading every command needs, without the YAML parser or the schema (load.ts), so a command
 * answered from the validated-config cache never loads them.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchestratorError } from '../shared/errors.js';
import type { OrchestratorConfig } from './schema.js';

export type ConfigSourceKind = 'flag' | 'env' | 'project' | 'home' | 'default';

export interface ConfigSource {
  readonly kind: ConfigSourceKind;
  readonly path: string;
}

export interface LoadedConfig {
  readonly config: OrchestratorConfig;
  readonly source: ConfigSource;
}

export interface LoadConfigOptions {
  /** `--config FILE`. */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A configuration that cannot be used; `message` has one `file:line:col problem` line per issue. */
export class ConfigError extends OrchestratorError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.message}`;
}

/** The state directory: `$AI_ORCHESTRATOR_HOME`, default `~/.ai-orchestrator`. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['AI_ORCHESTRATOR_HOME'];
  return path.resolve(fromEnv && fromEnv.length > 0 ? fromEnv : path.join(os.homedir(), '.ai-orchestrator'));
}

/** The built-in default file shipped with the package. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/agents.yaml', import.meta.url));

/** First found wins: flag, env, project, home, built-in. */
export function findConfigSource(options: LoadConfigOptions = {}): ConfigSource {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.configPath) return { kind: 'flag', path: path.resolve(cwd, options.configPath) };
  const fromEnv = env['AI_ORCHESTRATOR_CONFIG_PATH'];
  if (fromEnv) return { kind: 'env', path: path.resolve(cwd, fromEnv) };
  const project = path.join(cwd, '.ai-orchestrator', 'agents.yaml');
  if (existsSync(project)) return { kind: 'project', path: project };
  const home = path.join(resolveHome(env), 'agents.yaml');
  if (existsSync(home)) return { kind: 'home', path: home };
  return { kind: 'default', path: DEFAULT_CONFIG_PATH };
}

/** Settings the environment overrides (applied after validation, so never cached with it). */
export function applyEnvironment(config: OrchestratorConfig, env: NodeJS.ProcessEnv): OrchestratorConfig {
  const projectPath = env['PROJECT_PATH'];
  const probeUrl = env['CONNECTIVITY_CHECK_URL'];
  return {
    ...config,
    settings: {
      ...config.settings,
      ...(projectPath ? { project_path: projectPath } : {}),
      offline: { ...config.settings.offline, ...(probeUrl ? { probe_url: probeUrl } : {}) },
    },
  };
}
