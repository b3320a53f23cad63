/**
 * GET/PUT /api/config — the configuration file in an editor. A PUT is validated by the config
 * schema before anything is written (errors carry line and column); it may not change an agent's
 * `command`, `args` or `env` unless `serve --allow-config-commands` was given, because a browser
 * tab must not become a way to run programs. The file is replaced atomically; running tasks keep
 * the configuration they started with, and the server uses the new one after a restart.
 */
import { renameSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError, findConfigSource, parseConfigText } from '../../config/load.js';
import type { OrchestratorConfig } from '../../config/schema.js';
import { createRedactor, secretValues } from '../../security/redact.js';
import { HttpError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

const putBody = z.union([
  z.object({ content: z.string().max(1_000_000) }),
  z.object({ config: z.record(z.string(), z.unknown()) }),
]);

export function registerConfigRoutes(context: ServerContext): void {
  /** The file a PUT writes: the one in use, or the home's when the built-in default is in use. */
  const target = (): string => {
    const source = findConfigSource({ cwd: context.workspace, env: context.env, ...(context.configPath ? { configPath: context.configPath } : {}) });
    return source.kind === 'default' ? path.join(context.home, 'agents.yaml') : source.path;
  };
  const redact = createRedactor(secretValues(context.env));

  context.api.route({
    method: 'GET',
    url: '/api/config',
    summary: 'the configuration file: {path, content, parsed, last_modified}',
    handler: () => {
      const loaded = context.loadConfig();
      const content = readFileSync(loaded.source.path, 'utf8');
      return {
        path: loaded.source.path,
        source: loaded.source.kind,
        save_path: target(),
        content: redact(content),
        parsed: parseYaml(redact(content)) as unknown,
        last_modified: statSync(loaded.source.path).mtime.toISOString(),
        allow_config_commands: context.allowConfigCommands,
      };
    },
  });

  context.api.route({
    method: 'PUT',
    url: '/api/config',
    summary: 'validate and save the configuration (YAML `content` or a `config` object; ?dry_run=1 only validates); 400 with line:column, nothing written',
    body: putBody,
    query: z.object({ dry_run: z.enum(['1', 'true']).optional() }),
    handler: ({ body, query }) => {
      const file = target();
      const content = 'content' in body ? body.content : stringify(body.config);
      let next: OrchestratorConfig;
      try {
        next = parseConfigText(content, file);
      } catch (error) {
        if (error instanceof ConfigError) {
          throw new HttpError(400, 'CONFIG_INVALID', error.message, { issues: error.issues.map((i) => ({ line: i.line, column: i.column, message: i.message })) });
        }
        throw error;
      }
      if (!context.allowConfigCommands) {
        const changed = commandChanges(currentConfig(context), next);
        if (changed.length > 0) {
          throw new HttpError(403, 'CONFIG_COMMANDS_LOCKED', `the command, args or env of ${changed.join(', ')} cannot be changed from the browser (start serve with --allow-config-commands)`);
        }
      }
      if (query.dry_run) return { message: 'Configuration is valid', path: file, saved: false };
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, content, { mode: 0o600 });
      renameSync(temporary, file);
      try {
        context.audit?.noteConfigInUse(file, content, 'api');
      } catch (error) {
        context.logger.warn(`could not write the audit log: ${String(error)}`);
      }
      return { message: 'Configuration saved', path: file, last_modified: statSync(file).mtime.toISOString(), saved: true, restart_required: true };
    },
  });
}

function currentConfig(context: ServerContext): OrchestratorConfig | undefined {
  try {
    return context.loadConfig().config;
  } catch {
    return undefined;
  }
}

/** Agents whose way of starting a program is new or different. */
export function commandChanges(before: OrchestratorConfig | undefined, after: OrchestratorConfig): string[] {
  return Object.entries(after.agents)
    .filter(([name, agent]) => {
      const old = before && Object.hasOwn(before.agents, name) ? before.agents[name] : undefined;
      if (!old) return agent.command !== undefined || agent.args.length > 0 || Object.keys(agent.env).length > 0;
      return old.command !== agent.command || !isDeepStrictEqual(old.args, agent.args) || !isDeepStrictEqual(old.env, agent.env);
    })
    .map(([name]) => name);
}
