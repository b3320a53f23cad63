// Injected into the CommonJS bundle by scripts/bundle.mjs: the bundle's own URL for import.meta.url.
/* global require, __filename */
export const bundleImportMetaUrl = require('node:url').pathToFileURL(__filename).href;
