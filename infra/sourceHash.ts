import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/**
 * A digest of the source files under the given repo-relative paths (tests excluded). Used as a
 * custom resource property so migrations run again exactly when the migration code changes,
 * independent of whether Lambda bundling ran.
 */
export function sourceHash(paths: readonly string[]): string {
  const hash = createHash('sha256');
  const files = paths.flatMap((p) => listFiles(join(REPO_ROOT, p))).sort();
  for (const file of files) {
    hash.update(relative(REPO_ROOT, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return /\.test\.ts$/.test(path) ? [] : [path];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' ? [] : listFiles(join(path, name))));
}
