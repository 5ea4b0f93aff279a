import { PoglyticsError } from '../errors.ts';

/** A search query that cannot run: the message says what to change (the read API answers 400 with it). */
export class SearchQueryError extends PoglyticsError {
  constructor(message: string) {
    super(message);
    this.name = 'SearchQueryError';
  }
}

/** The reader's store cannot answer this kind of read (no search index yet, say): the read API answers 501. */
export class ReadUnsupportedError extends PoglyticsError {
  constructor(message: string) {
    super(message);
    this.name = 'ReadUnsupportedError';
  }
}
