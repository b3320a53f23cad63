export { createCopilotAdapter } from './copilot-adapter.js';
export { buildCopilotArgs } from './copilot-args.js';
export { copilotError, copilotLineSchema, createCopilotParser, readCopilotUsage } from './copilot-protocol.js';
export type { CopilotLine } from './copilot-protocol.js';
