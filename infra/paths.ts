import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, resolved from this file so synth works from any working directory. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const repoPath = (...segments: string[]) => join(REPO_ROOT, ...segments);
