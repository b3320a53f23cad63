/**
 * `ai-orchestrator models status|list|pull|remove`: the local model backends the configuration
 * uses. status/list probe every configured backend (one per URL, however many agents use it);
 * pull/remove work on Ollama and say clearly why not elsewhere.
 *
 * Exit status: status and list exit 1 when a backend used by an enabled agent (or one named with
 * --agent / --endpoint) is down; backends only disabled agents use are shown but do not fail.
 * `status` also names each configured model Ollama has not pulled, with the `ollama pull` for it.
 */
import type { Command } from 'commander';
import type { BackendStatus, LocalBackend } from '../../adapters/http/local-backends.js';
import type { OrchestratorConfig } from '../../config/schema.js';
import { OrchestratorError } from '../../shared/errors.js';
import { createDataContext } from '../data-context.js';
import { printJson, printLine, printTable } from '../output.js';

interface TargetOptions {
  readonly json?: boolean;
  readonly agent?: string;
  readonly endpoint?: string;
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('local model backends (Ollama, llama-server, OpenAI-compatible): status, list, pull, remove');
  const withTarget = (command: Command): Command =>
    command
      .option('--json', 'print JSON')
      .option('--agent <name>', 'only the backend of this agent')
      .option('--endpoint <url>', 'only the backend at this URL (an unconfigured URL is taken as Ollama)');

  withTarget(models.command('status').description('probe every configured local backend: online, models, which agents use it')).action(
    async (options: TargetOptions, command: Command) => {
      const { statuses, explicit } = await probeTargets(command, options);
      if (options.json) {
        printJson({ backends: statuses.map(statusJson) });
      } else {
        printTable(
          ['BACKEND', 'URL', 'ONLINE', 'MODELS', 'AGENTS'],
          statuses.map((s) => [
            labelOf(s.type),
            s.url,
            s.online ? (s.loading ? 'loading' : 'yes') : 'no',
            s.online ? String(s.models.length) : '-',
            s.agents.map((a) => (s.enabledAgents.includes(a) ? a : `${a} (disabled)`)).join(', '),
          ]),
        );
        for (const s of statuses) {
          for (const m of s.missingModels) printLine(`${m.model} (${m.agents.join(', ')}) is not pulled into ${labelOf(s.type)} at ${s.url}: ${m.fix}`);
        }
      }
      failIfDown(statuses, explicit);
    },
  );

  withTarget(models.command('list').description('list the models installed on each configured local backend')).action(
    async (options: TargetOptions, command: Command) => {
      const { statuses, explicit } = await probeTargets(command, options);
      const rows = statuses.flatMap((s) => s.models.map((m) => ({ name: m.name, backend: s.type, url: s.url, ...(m.sizeBytes !== undefined ? { sizeBytes: m.sizeBytes } : {}) })));
      if (options.json) {
        printJson({ models: rows, backends: statuses.map(statusJson) });
      } else {
        const { formatBytes } = await import('../render/progress-bar.js');
        printTable(
          ['MODEL', 'BACKEND', 'URL', 'SIZE'],
          rows.map((r) => [r.name, labelOf(r.backend), r.url, r.sizeBytes !== undefined ? formatBytes(r.sizeBytes) : '']),
        );
      }
      failIfDown(statuses, explicit);
    },
  );

  withTarget(models.command('pull').argument('<model>', 'model name, e.g. codellama:13b').description('download a model into Ollama, with progress')).action(
    async (model: string, options: TargetOptions, command: Command) => {
      const backend = await managementTarget(command, options, model, 'pull');
      const { createOllamaClient } = await import('../../adapters/ollama/ollama-api.js');
      const { createPullProgress } = await import('../render/progress-bar.js');
      const progress = createPullProgress({
        out: process.stderr,
        tty: Boolean(process.stderr.isTTY) && !options.json,
        ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
      });
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await createOllamaClient(backend.url).pull(model, { signal: controller.signal, onProgress: (p) => progress.update(p) });
      } catch (error) {
        progress.finish();
        if (controller.signal.aborted) throw new OrchestratorError('CANCELLED', `pull of ${model} interrupted`);
        throw backendError(error);
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      progress.finish();
      if (options.json) printJson({ model, backend: backend.type, url: backend.url, status: 'success' });
      else printLine(`pulled ${model} into ${labelOf(backend.type)} at ${backend.url}`);
    },
  );

  withTarget(models.command('remove').argument('<model>', 'model name').description('delete a model from Ollama')).action(
    async (model: string, options: TargetOptions, command: Command) => {
      const backend = await managementTarget(command, options, model, 'remove');
      const { createOllamaClient } = await import('../../adapters/ollama/ollama-api.js');
      let removed: boolean;
      try {
        removed = await createOllamaClient(backend.url).remove(model);
      } catch (error) {
        throw backendError(error);
      }
      if (!removed) throw new OrchestratorError('INVALID_INPUT', `model '${model}' is not installed on ${labelOf(backend.type)} at ${backend.url}`);
      if (options.json) printJson({ model, backend: backend.type, url: backend.url, status: 'removed' });
      else printLine(`removed ${model} from ${labelOf(backend.type)} at ${backend.url}`);
    },
  );
}

const LABELS: Readonly<Record<string, string>> = { ollama: 'Ollama', llamacpp: 'llama-server', 'openai-compatible': 'OpenAI-compatible' };
const labelOf = (type: string): string => LABELS[type] ?? type;

/** "Ollama at URL is not reachable (connection refused); start it: `ollama serve`". */
function downLine(s: BackendStatus): string {
  const why = s.error ?? `${labelOf(s.type)} at ${s.url} is down`;
  return s.fix ? `${why}; ${s.fix}` : why;
}

function statusJson(s: BackendStatus) {
  return {
    backend: s.type,
    url: s.url,
    online: s.online,
    loading: s.loading,
    ...(s.version ? { version: s.version } : {}),
    models: s.models.map((m) => m.name),
    agents: s.agents,
    enabledAgents: s.enabledAgents,
    ...(s.error ? { error: s.error } : {}),
    ...(s.fix ? { fix: s.fix } : {}),
    missingModels: s.missingModels,
  };
}

/** The backends named by --agent / --endpoint, or all configured ones. */
async function selectBackends(config: OrchestratorConfig, options: TargetOptions): Promise<{ backends: LocalBackend[]; explicit: boolean }> {
  const { backendOf, collectLocalBackends, normalizeBackendUrl } = await import('../../adapters/http/local-backends.js');
  const all = collectLocalBackends(config);
  if (options.agent) {
    const agent = Object.hasOwn(config.agents, options.agent) ? config.agents[options.agent] : undefined;
    if (!agent) throw new OrchestratorError('AGENT_NOT_FOUND', `agent "${options.agent}" is not defined in the configuration`);
    const target = backendOf(agent);
    if (!target) throw new OrchestratorError('INVALID_INPUT', `agent "${options.agent}" is not a local model agent (type ${agent.type})`);
    return { backends: all.filter((b) => b.type === target.type && b.url === target.url), explicit: true };
  }
  if (options.endpoint) {
    let url: string;
    try {
      url = normalizeBackendUrl(new URL(options.endpoint).toString());
    } catch {
      throw new OrchestratorError('INVALID_INPUT', `--endpoint "${options.endpoint}" is not a URL`);
    }
    const matching = all.filter((b) => b.url === url || b.url === url.replace(/\/v1$/, ''));
    return { backends: matching.length > 0 ? matching : [{ type: 'ollama', url, agents: [], enabledAgents: [] }], explicit: true };
  }
  return { backends: all, explicit: false };
}

async function probeTargets(command: Command, options: TargetOptions): Promise<{ statuses: BackendStatus[]; explicit: boolean }> {
  const { config } = await createDataContext(command).loadConfig();
  const { backends, explicit } = await selectBackends(config, options);
  if (backends.length === 0) {
    throw new OrchestratorError('INVALID_INPUT', 'no local model backends are configured (agents of type ollama, llamacpp or openai-compatible)');
  }
  const { probeBackend } = await import('../../adapters/http/local-backends.js');
  return { statuses: await Promise.all(backends.map((b) => probeBackend(b))), explicit };
}

function failIfDown(statuses: readonly BackendStatus[], explicit: boolean): void {
  const down = statuses.filter((s) => !s.online && (explicit || s.enabledAgents.length > 0));
  for (const s of statuses.filter((x) => !x.online && !down.includes(x))) {
    process.stderr.write(`note: ${downLine(s)} (only disabled agents use it)\n`);
  }
  if (down.length === 0) return;
  throw new OrchestratorError(
    'BACKEND_ERROR',
    down.map(downLine).join('\n'),
  );
}

/**
 * The backend a pull/remove goes to: --agent / --endpoint, else the Ollama backend of an agent
 * configured with this model, else the first configured Ollama backend (enabled agents first),
 * else Ollama's default URL. llama-server and OpenAI-compatible targets are refused clearly.
 */
async function managementTarget(command: Command, options: TargetOptions, model: string, action: 'pull' | 'remove'): Promise<LocalBackend> {
  const { config } = await createDataContext(command).loadConfig();
  const { backendOf } = await import('../../adapters/http/local-backends.js');
  const { cannotManageModels } = await import('../../adapters/ollama/ollama-api.js');
  const { DEFAULT_OLLAMA_ENDPOINT } = await import('../../adapters/ollama/index.js');
  const { backends, explicit } = await selectBackends(config, options);
  let chosen: LocalBackend | undefined;
  if (explicit) {
    chosen = backends[0];
  } else {
    const withModel = Object.values(config.agents).find((a) => a.model === model && backendOf(a)?.type === 'ollama');
    const modelBackend = withModel ? backendOf(withModel) : undefined;
    const ollama = backends.filter((b) => b.type === 'ollama');
    chosen =
      (modelBackend && ollama.find((b) => b.url === modelBackend.url)) ??
      ollama.find((b) => b.enabledAgents.length > 0) ??
      ollama[0] ??
      (backends.length > 0 ? backends[0] : { type: 'ollama', url: DEFAULT_OLLAMA_ENDPOINT, agents: [], enabledAgents: [] });
  }
  if (!chosen) throw new OrchestratorError('INVALID_INPUT', 'no local model backend matches');
  if (chosen.type !== 'ollama') {
    throw new OrchestratorError('CAPABILITY_UNSUPPORTED', cannotManageModels(chosen.type, action).message);
  }
  return chosen;
}

function backendError(error: unknown): OrchestratorError {
  if (OrchestratorError.isInstance(error)) return error;
  return new OrchestratorError('BACKEND_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
