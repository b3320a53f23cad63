/**
 * `ai-orchestrator init [--force] [--home]`: writes a commented starter `agents.yaml` — in
 * ./.ai-orchestrator of the current directory, or with --home in $AI_ORCHESTRATOR_HOME — with the
 * coding CLIs found on PATH and the local model servers that answer, and a default workflow
 * built from them. An existing file is kept unless --force.
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveHome } from '../../config/config-source.js';
import { OrchestratorError } from '../../shared/errors.js';
import { printJson, printLine } from '../output.js';
import type { CliName, FoundCli, FoundServer } from '../starter-config.js';

const CLIS: readonly CliName[] = ['claude', 'codex', 'gemini', 'copilot'];

interface InitOptions {
  force?: boolean;
  home?: boolean;
  ollama: string;
  llamaServer: string;
  openaiCompatible: string;
  json?: boolean;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a starter .ai-orchestrator/agents.yaml with the coding CLIs and local model servers found here')
    .option('--force', 'overwrite an existing file')
    .option('--home', 'write $AI_ORCHESTRATOR_HOME/agents.yaml (for every project) instead')
    .option('--ollama <url>', 'where to look for Ollama', process.env['OLLAMA_HOST'] ? ollamaUrl(process.env['OLLAMA_HOST']) : 'http://localhost:11434')
    .option('--llama-server <url>', "where to look for llama.cpp's llama-server", 'http://localhost:8080')
    .option('--openai-compatible <url>', 'where to look for an OpenAI-compatible server (its /v1 base)', 'http://localhost:8000/v1')
    .option('--json', 'print JSON')
    .action(async (options: InitOptions) => {
      const file = options.home
        ? path.join(resolveHome(process.env), 'agents.yaml')
        : path.join(process.cwd(), '.ai-orchestrator', 'agents.yaml');
      if (existsSync(file) && !options.force) {
        throw new OrchestratorError('INVALID_INPUT', `${file} already exists; \`ai-orchestrator init --force${options.home ? ' --home' : ''}\` replaces it`);
      }
      const { findExecutable } = await import('../../process/find-executable.js');
      const clis: FoundCli[] = [];
      for (const name of CLIS) {
        const found = findExecutable(name, process.env['PATH']);
        if (found) clis.push({ name, path: found });
      }
      const servers = (await Promise.all([findOllama(options.ollama), findServer('llamacpp', options.llamaServer, '/health'), findServer('openai-compatible', options.openaiCompatible, '/models')])).filter(
        (s): s is FoundServer => s !== undefined,
      );
      if (clis.length === 0 && servers.length === 0) {
        throw new OrchestratorError(
          'INVALID_INPUT',
          `found no coding CLI on PATH (${CLIS.join(', ')}) and no local model server (${options.ollama}, ${options.llamaServer}, ${options.openaiCompatible}); install one, or copy the built-in config/agents.yaml and edit it`,
        );
      }
      const { starterConfigText, starterWorkflow } = await import('../starter-config.js');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, starterConfigText(clis, servers));
      const workflow = starterWorkflow(clis, servers).steps.map((s) => `${s.agent}:${s.task}`);
      if (options.json) {
        printJson({ path: file, clis: clis.map((c) => c.name), servers, default_workflow: workflow });
        return;
      }
      printLine(`wrote ${file}`);
      printLine(`  agents: ${[...clis.map((c) => c.name), ...servers.map((s) => `${s.type} at ${s.endpoint}${s.model ? ` (${s.model})` : ''}`)].join(', ')}`);
      printLine(`  default workflow: ${workflow.join(' → ')}`);
      printLine('next: `ai-orchestrator validate`, then `ai-orchestrator run "…"`');
    });
}

/** OLLAMA_HOST may be a bare host:port, as Ollama itself accepts. */
function ollamaUrl(host: string): string {
  return /^https?:\/\//.test(host) ? host : `http://${host}`;
}

async function findServer(type: FoundServer['type'], endpoint: string, healthPath: string): Promise<FoundServer | undefined> {
  const { probeHttp } = await import('../../adapters/http-probe.js');
  const base = endpoint.replace(/\/+$/, '');
  const answer = await probeHttp(`${base}${healthPath}`);
  return answer.available ? { type, endpoint: base } : undefined;
}

/** Ollama, with the first model it has pulled (a starter agent with a model that is there runs at once). */
async function findOllama(endpoint: string): Promise<FoundServer | undefined> {
  const server = await findServer('ollama', endpoint, '/api/version');
  if (!server) return undefined;
  const model = await firstOllamaModel(server.endpoint);
  return model === undefined ? server : { ...server, model };
}

async function firstOllamaModel(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${endpoint}/api/tags`, { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { models?: { name?: unknown }[] };
    const name = body.models?.[0]?.name;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    // Listing models is a nicety: a server that answered its health path is still worth an agent.
    return undefined;
  }
}
