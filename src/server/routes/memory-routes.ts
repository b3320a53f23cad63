/** GET /api/memory/search — the context memory, as `context search`. */
import { z } from 'zod';
import { embeddingFromSettings } from '../../context/memory-settings.js';
import { databasePath } from '../../storage/database.js';
import type { ServerContext } from '../server-context.js';

const searchQuery = z.object({
  q: z.string().trim().min(1, 'q is empty').max(1_000),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  mode: z.enum(['hybrid', 'keyword', 'semantic']).default('hybrid'),
});

export function registerMemoryRoutes(context: ServerContext): void {
  context.api.route({
    method: 'GET',
    url: '/api/memory/search',
    summary: 'search the context memory (hybrid keyword + semantic)',
    query: searchQuery,
    handler: async ({ query }) => {
      const { MemoryManager } = await import('../../context/memory-manager.js');
      const memory = await MemoryManager.open({
        dbPath: databasePath(context.home),
        embedding: embeddingFromSettings(context.service.config.settings.memory, context.env),
        onWarning: (message) => context.logger.warn(message),
      });
      try {
        const results = await memory.search(query.q, { limit: query.limit, mode: query.mode });
        return { query: query.q, results };
      } finally {
        memory.close();
      }
    },
  });
}
