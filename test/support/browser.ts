import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';

/**
 * The browser tier: Debian's chromium driven by playwright-core. playwright-core never downloads a
 * browser, so the installed one is passed by path. .ci/run installs chromium; locally a missing
 * binary skips the tier through requireTier('browser', …).
 */
export const CHROMIUM_PATH = process.env.SGAUDIT_CHROMIUM ?? '/usr/bin/chromium';

// The background-networking flags matter here: without them chromium opens connections to
// Google's hosts at start, which the closed test network refuses, and a test that asserts
// "no request left the origin" would see the browser's own traffic in its logs.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserAvailable(): { ok: boolean; reason: string } {
  return existsSync(CHROMIUM_PATH)
    ? { ok: true, reason: '' }
    : { ok: false, reason: `no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set SGAUDIT_CHROMIUM)` };
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/**
 * Starts chromium with a fresh, empty profile directory (removed on close), so no state leaks
 * between test files. playwright refuses --user-data-dir in launch args, so the profile goes
 * through launchPersistentContext, which is the one way to pick its directory.
 */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(tmpdir(), 'sgaudit-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 1000 },
      timeout: 60_000,
    });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface StaticPage {
  readonly status?: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StaticServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** Paths that were asked for and are not in the table (each would be a 404). */
  readonly misses: string[];
  close(): Promise<void>;
}

/** Serves a fixed table of paths on 127.0.0.1; anything else is a 404 and is recorded. */
export async function serveStatic(pages: Readonly<Record<string, StaticPage>>): Promise<StaticServer> {
  const misses: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = pages[url.pathname];
    if (!page) {
      misses.push(url.pathname);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(page.status ?? 200, { 'content-type': page.contentType, ...page.headers }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    misses,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Records every request a page makes that does not go to `origin` (data: URLs are part of the
 * page itself and are not requests to anywhere). Attach before navigating.
 */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request: Request) => {
    const url = request.url();
    if (url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

/** Collects console errors and CSP violations reported by the page (attach before navigating). */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Where browser tests save screenshots (gitignored; CI keeps it as an artefact). */
export const ARTIFACT_DIR = path.resolve('test-artifacts');
