/**
 * The adapter contract applied to the embedded adapter with the tiny GGUF: success, a file that
 * is not a model (fails, config), a missing file (not_installed), and an endless generation for
 * the cancellation rules. bad_output cannot be staged: an in-process model has no wire format.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { TINY_GGUF, EMBEDDED_MISSING, EMBEDDED_UNAVAILABLE, TINY_OPTIONS } from '../../../test/helpers/tiny-model.js';
import { agentSchema } from '../../config/schema.js';
import { describeAdapterContract } from '../testing/adapter-contract.js';
import { createEmbeddedAdapter } from './embedded-adapter.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-embedded-contract-'));
const notAModel = path.join(dir, 'not-a-model.gguf');
writeFileSync(notAModel, 'GGUX but not really\n');

describe.skipIf(EMBEDDED_UNAVAILABLE)(EMBEDDED_UNAVAILABLE ? `embedded (skipped: no ${EMBEDDED_MISSING})` : 'embedded', () => {
  describeAdapterContract(
    'embedded',
    (scenario) => {
      const model = scenario === 'fails' ? notAModel : scenario === 'not_installed' ? path.join(dir, 'absent.gguf') : TINY_GGUF;
      if (scenario === 'bad_output') return undefined;
      const maxTokens = scenario === 'hangs' ? 1_000_000 : 8;
      return createEmbeddedAdapter({
        name: 'tiny',
        agent: agentSchema.parse({ type: 'embedded', model, options: { ...TINY_OPTIONS, max_tokens: maxTokens } }),
      });
    },
    { failsWith: 'config' },
  );
});
