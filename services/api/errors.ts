import { PoglyticsError } from '../../core/errors.ts';

/** A request the service refuses: the status and a one-line message for the client (plain text, as rustlog). */
export class HttpError extends PoglyticsError {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 429 | 501,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
