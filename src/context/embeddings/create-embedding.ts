/** Builds the embedding provider named by the settings (undefined for `none`). */
import { createOllamaEmbedding, createOpenAiEmbedding } from './http-embedding.js';
import { createLexicalEmbedding } from './lexical.js';
import type { EmbeddingProvider, EmbeddingSettings } from './provider.js';

export function createEmbeddingProvider(settings: EmbeddingSettings): EmbeddingProvider | undefined {
  switch (settings.provider) {
    case 'none':
      return undefined;
    case 'lexical':
      return createLexicalEmbedding(settings.dimensions ? { dimensions: settings.dimensions } : {});
    case 'ollama':
      return createOllamaEmbedding(settings);
    case 'openai-compatible':
      return createOpenAiEmbedding(settings);
  }
}
