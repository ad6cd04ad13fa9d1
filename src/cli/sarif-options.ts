import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { SarifToolOptions } from '../report/sarif-log.js';

export type SarifEdgeOptions = Omit<SarifToolOptions, 'version'>;

/** package.json `homepage`: the one place the project's address is written. */
function informationUri(): string | undefined {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { homepage?: unknown };
  return typeof manifest.homepage === 'string' ? manifest.homepage : undefined;
}

/**
 * What the pure SARIF renderers need from the edge: the tool's address, and where each input
 * document is on disk relative to the working directory. The locator (and its JSON/YAML
 * position parsers) loads only when SARIF is asked for.
 */
export async function sarifEdgeOptions(documents: string[]): Promise<SarifEdgeOptions> {
  const { fileSarifLocator } = await import('./sarif-locator.js');
  const uri = informationUri();
  return { ...(uri ? { informationUri: uri } : {}), locator: await fileSarifLocator(documents) };
}

/** The names of every raw document an audit read, whatever flag brought it in. */
export function inputDocumentNames(inputs: object): string[] {
  const names: string[] = [];
  for (const value of Object.values(inputs)) {
    if (!Array.isArray(value)) continue;
    for (const doc of value) if (doc && typeof doc === 'object' && typeof (doc as { name?: unknown }).name === 'string') names.push((doc as { name: string }).name);
  }
  return names;
}
