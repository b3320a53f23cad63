/**
 * The package's public API (explicit named exports only): what the engine, the MCP server and
 * outside scripts import from `ai-orchestrator`.
 */
export { MemoryManager } from './context/memory-manager.js';
export type { MemoryManagerOptions, MemoryStats, MemoryCore } from './context/memory-manager.js';
export type {
  TaskRecord,
  TaskStepRecord,
  StoredTask,
  MistakeRecord,
  LoggedMistake,
  ConversationRecord,
  PatternRecord,
  DecisionRecord,
  CodeSnippetRecord,
  PreferenceRecord,
  Severity,
} from './context/memory-records.js';
export type { ProjectInfo, RegisteredProject } from './context/memory-projects.js';
export type { RelevantContext, RelevantContextOptions, ContextItem } from './context/relevant-context.js';
export { estimateTokens } from './context/relevant-context.js';
export { projectIdForPath, scanProject } from './context/project-scanner.js';
export type { ProjectScan, ScanLimits } from './context/project-scanner.js';
export { exportObsidian, createContextExporter } from './context/obsidian-export.js';
export type { ObsidianExportOptions, ObsidianExportResult } from './context/obsidian-export.js';
export { exportGraph, importGraph, exportJsonFile, importJsonFile } from './context/json-export.js';
export type { GraphDocument, ImportSummary } from './context/json-export.js';
export { createEmbeddingProvider } from './context/embeddings/create-embedding.js';
export { createLexicalEmbedding } from './context/embeddings/lexical.js';
export { createOllamaEmbedding, createOpenAiEmbedding } from './context/embeddings/http-embedding.js';
export type { EmbeddingProvider, EmbeddingSettings } from './context/embeddings/provider.js';
export type { SearchSettings } from './context/hybrid-search.js';
export { NODE_TYPES, EDGE_TYPES } from './context/types.js';
export type {
  NodeType,
  EdgeType,
  MemoryNode,
  MemoryEdge,
  NodeInput,
  SearchOptions,
  SearchResult,
  SearchFilters,
  MatchType,
  Metadata,
  JsonValue,
} from './context/types.js';
export { OrchestratorError } from './shared/errors.js';
export type { ErrorCode } from './shared/errors.js';
export { createClaudeCodeAdapter } from './adapters/claude-code/index.js';
export { createCodexAdapter } from './adapters/codex/index.js';
export { createGeminiCliAdapter } from './adapters/gemini-cli/index.js';
export { createCopilotAdapter } from './adapters/copilot/index.js';
export { createOllamaAdapter } from './adapters/ollama/index.js';
export { createOllamaClient } from './adapters/ollama/ollama-api.js';
export type { OllamaClient, InstalledModel, PullProgress } from './adapters/ollama/ollama-api.js';
export { createLlamaCppAdapter } from './adapters/llama-cpp/index.js';
export { createOpenAICompatibleAdapter } from './adapters/openai-compatible/index.js';
export { createEmbeddedAdapter } from './adapters/embedded/index.js';
export { parseProposedChanges, applyProposedChanges } from './adapters/local-edits.js';
export type { ProposedChange, ApplyOutcome } from './adapters/local-edits.js';
export { createOfflineDetector, offlineDetectorFromSettings } from './resilience/offline-detector.js';
export type { OfflineDetector, OfflineDetectorSettings, AgentOutcome } from './resilience/offline-detector.js';
export { withResilience } from './resilience/with-resilience.js';
export type { ResilienceDeps, RetryNotice } from './resilience/with-resilience.js';
export { createResilience } from './resilience/resilience.js';
export type { Resilience, ResilienceSettings } from './resilience/resilience.js';
export { resolvePolicy, RETRYABLE_KINDS, BREAKER_KINDS } from './resilience/policy.js';
export type { ResiliencePolicy } from './resilience/policy.js';
export { createCircuitBreaker, createMemoryCircuitStore } from './resilience/circuit-breaker.js';
export type { CircuitBreaker, CircuitSnapshot, CircuitState, CircuitStore } from './resilience/circuit-breaker.js';
export { createTokenBucket } from './resilience/rate-limiter.js';
export { createSemaphore } from './resilience/concurrency.js';
export { createAgentHealthStore, healthJson } from './resilience/agent-health-store.js';
export type { AgentHealthStore, AgentHealth, AgentHealthJson, AgentCallRecord } from './resilience/agent-health-store.js';
export { createBudgetGuard } from './resilience/budget.js';
export { priceFor, costOf } from './resilience/cost.js';
export { planDynamicWorkflow } from './workflow/planner.js';
export type { DynamicPlan, PlanOrigin } from './workflow/planner.js';
export { createMetrics, observeEvents, loadPersistedRecords, METRIC_DEFINITIONS } from './observability/metrics.js';
export type { Metrics } from './observability/metrics.js';
export { liveness, readiness } from './observability/health.js';
export type { HealthCheck, Readiness, Liveness } from './observability/health.js';
export { createEngine, addUsage } from './workflow/engine.js';
export type { Engine, EngineOptions, EngineMemory, BudgetGuard, RunRequest, TaskOutcome, FinishedTask } from './workflow/engine.js';
export { createTreeSnapshots } from './adapters/files-changed.js';
export type { TreeSnapshot, TreeSnapshots } from './adapters/files-changed.js';
export { resolvePlan, effectiveWorkflowName } from './workflow/plan.js';
export type { Plan, PlannedStep, SkippedStep, ResolvePlanOptions } from './workflow/plan.js';
export { createAgentResolver, tapAgentStarts } from './workflow/agents.js';
export type { AgentResolver } from './workflow/agents.js';
export { DEFAULT_TEMPLATES, resolveTemplates, renderTemplate } from './workflow/templates.js';
export type { TemplateSet } from './workflow/templates.js';
export { decideStop } from './workflow/stop-rule.js';
export { FALLBACK_KINDS, shouldFallBack, fallbackFor } from './workflow/fallback.js';
export { createEngineMemory } from './workflow/memory-hook.js';
export { resultJson, stepJson, iterationJson } from './workflow/result-json.js';
export type { ResultJson, StepJson, IterationJson } from './workflow/result-json.js';
export { writeReports } from './workflow/reports.js';
export {
  createOrchestratorBus,
  orchestratorEventSchema,
  stepRecordSchema,
  iterationRecordSchema,
  agentEventSchema,
  TASK_STATUSES,
  STOP_REASONS,
} from './events/events.js';
export type {
  OrchestratorEvent,
  OrchestratorEventType,
  OrchestratorBus,
  EventOf,
  StepRecord,
  IterationRecord,
  StopDecision,
  StopReason,
  TaskStatus,
} from './events/events.js';
export { EventBus } from './events/bus.js';
export { createTaskStore, isProcessAlive } from './tasks/task-store.js';
export type { TaskStore, TaskRecord as StoredTaskRecord, NewTask, TaskEnd } from './tasks/task-store.js';
export { openTaskStore } from './tasks/open-task-store.js';
export { attachTaskRecorder } from './tasks/task-recorder.js';
export { parseDuration } from './tasks/duration.js';
export { createTaskService, type TaskService, type TaskRequest, type TaskResult, type SubmittedTask } from './service/task-service.js';
export { OrchestratorMCPClient, type ExecuteOptions } from './mcp/orchestrator-client.js';
export { createMcpServer, type McpServerOptions } from './mcp/server.js';
