export { createDeadLetterFromEnv, DEFAULT_DEAD_LETTER_DIR } from './createDeadLetterFromEnv.ts';
export { directoryDeadLetter } from './directoryDeadLetter.ts';
export { s3DeadLetter } from './s3DeadLetter.ts';
export type { DeadLetterEntry, DeadLetterWriter } from './types.ts';
