import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root directory. Found by walking up from this module
 * because the same code runs from `src/` (tests) and from `dist/src/` (the built bin).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sgaudit') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the sgaudit package root');
    dir = parent;
  }
}
