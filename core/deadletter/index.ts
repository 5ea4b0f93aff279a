export { createDeadLetterFromEnv, DEFAULT_DEAD_LETTER_DIR } from './createDeadLetterFromEnv.ts';
export { deadLetterFileName, directoryDeadLetter } from './directoryDeadLetter.ts';
export { DeadLetterWriteError } from './errors.ts';
export { DEFAULT_DEAD_LETTER_PREFIX, s3DeadLetter } from './s3DeadLetter.ts';
export type { DeadLetterEntry, DeadLetterWriter } from './types.ts';
