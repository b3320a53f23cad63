/**
 * `--queue URL` on the command line (`run`, `serve`, `worker`): the URL given there over the
 * file's settings.queue, checked like the file's. Without a URL the file's queue is used, and
 * there must be one.
 */
import { OrchestratorError } from '../shared/errors.js';
import { queueSettingsSchema, type OrchestratorConfig } from './schema.js';

export function withQueueUrl(config: OrchestratorConfig, url: string | undefined): OrchestratorConfig {
  if (url === undefined) {
    if (config.settings.queue) return config;
    throw new OrchestratorError('INVALID_INPUT', 'queue mode needs a Redis URL: --queue redis://host:6379, or settings.queue.url in agents.yaml');
  }
  const parsed = queueSettingsSchema.safeParse({ ...config.settings.queue, url });
  if (!parsed.success) {
    throw new OrchestratorError('INVALID_INPUT', `--queue ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${parsed.error.issues[0]?.message ?? 'not a Redis URL'}`);
  }
  return { ...config, settings: { ...config.settings, queue: parsed.data } };
}
