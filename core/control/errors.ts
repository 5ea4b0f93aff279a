import { ConflictError } from '../errors.ts';

/** A newer refresh wrote (some of) its assignment before this one finished: this one's result is discarded. */
export class AssignmentSupersededError extends ConflictError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'AssignmentSupersededError';
  }
}
