export { createGenericCliAdapter } from './generic-adapter.js';
export { createGenericOutputParser, valueAtPath } from './generic-output.js';
export type { GenericOutputFormat, GenericOutputSettings } from './generic-output.js';
