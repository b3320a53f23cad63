export { startFakeProvider, closedPortUrl } from './server.js';
export type { FakeProvider, FakeProviderOptions } from './server.js';
export { answerText, failWith, replyQueue, writeFileThenAnswer } from './scripts.js';
export type { ProviderApi, ProviderRequest, Reply, Script, TokenUsage } from './types.js';
