/**
 * memory_search: what earlier tasks of one project left in the memory (tasks, mistakes, decisions,
 * patterns, …), by hybrid keyword + semantic search. Always scoped to a project, so one
 * repository's memory never answers for another's.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { NODE_TYPES } from '../../context/types.js';
import { inputPath, structured, type ToolContext } from '../tool-kit.js';

const MAX_CONTENT_CHARS = 2_000;
const PROJECT_ID = /^[0-9a-f]{16}$/;

export function registerMemorySearchTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'memory_search',
    {
      title: 'Search project memory',
      description: "Searches the orchestrator's memory of one project (earlier tasks, mistakes, decisions, patterns, code snippets) for the query.",
      inputSchema: {
        query: z.string().trim().min(1).max(1_000),
        project: z.string().min(1).describe("the project's path (relative to the server's directory) or its 16-hex-digit memory id"),
        types: z.array(z.enum(NODE_TYPES)).optional().describe('only these kinds of memory'),
        limit: z.number().int().min(1).max(50).default(10),
      },
      outputSchema: {
        query: z.string(),
        project_id: z.string(),
        results: z.array(
          z.object({
            id: z.string(),
            type: z.string(),
            title: z.string(),
            score: z.number(),
            match_type: z.string(),
            highlights: z.array(z.string()),
            content: z.string().describe(`the memory's text (at most ${MAX_CONTENT_CHARS} characters)`),
          }),
        ),
        count: z.number().int(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ query, project, types, limit }) => {
      const memory = await context.memory();
      const projectId = memory.resolveProjectId(PROJECT_ID.test(project) ? project : inputPath(context.options, project));
      const results = await memory.search(query, { limit, projectId, ...(types ? { types } : {}) });
      return structured({
        query,
        project_id: projectId,
        results: results.map((r) => ({
          id: r.node.id,
          type: r.node.type,
          title: r.node.title,
          score: r.score,
          match_type: r.matchType,
          highlights: [...r.highlights],
          content: r.node.content.slice(0, MAX_CONTENT_CHARS),
        })),
        count: results.length,
      });
    },
  );
}
