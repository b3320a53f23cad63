/** Maps the config file's `settings.memory` slice to MemoryManager options. */
import type { Settings } from '../config/schema.js';
import { OrchestratorError } from '../shared/errors.js';
import type { EmbeddingSettings } from './embeddings/provider.js';

export function embeddingFromSettings(memory: Settings['memory'], env: NodeJS.ProcessEnv = process.env): EmbeddingSettings {
  switch (memory.embedding) {
    case 'none':
    case 'lexical':
      return { provider: memory.embedding };
    case 'ollama':
      if (!memory.embedding_model) throw new OrchestratorError('CONFIG_INVALID', 'settings.memory.embedding_model is required for ollama embeddings');
      return { provider: 'ollama', model: memory.embedding_model, ...(memory.embedding_endpoint ? { endpoint: memory.embedding_endpoint } : {}) };
    case 'openai-compatible': {
      if (!memory.embedding_model || !memory.embedding_endpoint) {
        throw new OrchestratorError('CONFIG_INVALID', 'settings.memory.embedding_model and embedding_endpoint are required for openai-compatible embeddings');
      }
      const apiKey = memory.embedding_api_key_env ? env[memory.embedding_api_key_env] : undefined;
      return { provider: 'openai-compatible', model: memory.embedding_model, endpoint: memory.embedding_endpoint, ...(apiKey ? { apiKey } : {}) };
    }
  }
}
