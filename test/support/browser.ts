import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, when installed. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

// A container runs as root (no sandbox), without a GPU, on a closed network: none of Chromium's calls home.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's chromium when present, otherwise the Chromium that the @sparticuz/chromium devDependency ships inside
 * the npm package: a fresh machine needs no apt step, and nothing is downloaded at run time.
 */
function chromiumExecutable(): string {
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  // @sparticuz/chromium is an ES module, which Jest's CommonJS module system cannot load: plain Node unpacks the
  // brotli'd binary into the temp directory (once; later calls find it there) and prints its path.
  const script = "import chromium from '@sparticuz/chromium'; process.stdout.write(await chromium.executablePath());";
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
  }).trim();
}

/** A headless Chromium for tests that look at a web UI; close it in `finally`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_FLAGS, headless: true });
}
