import { PoglyticsError } from '../errors.ts';

/** A report that does not exist or options that do not parse: the user's to fix, never retried. */
export class ReportOptionError extends PoglyticsError {
  constructor(message: string) {
    super(message);
    this.name = 'ReportOptionError';
  }
}
