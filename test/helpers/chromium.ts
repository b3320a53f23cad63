/**
 * Debian's chromium, which the browser tests drive through playwright-core (nothing downloads a
 * browser). Tests skip, saying why, when it is absent — unless AIO_REQUIRE_CHROMIUM=1 (set by
 * .ci/run, which installs it), where its absence fails the run instead.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_MISSING = !existsSync(CHROMIUM);

if (CHROMIUM_MISSING && process.env['AIO_REQUIRE_CHROMIUM'] === '1') {
  throw new Error(`AIO_REQUIRE_CHROMIUM=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
}

/** A describe title that says why it was skipped. */
export function browserSuite(title: string): string {
  return CHROMIUM_MISSING ? `${title} (skipped: ${CHROMIUM} is missing — apt-get install chromium)` : title;
}
