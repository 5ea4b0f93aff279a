import type { StoredEvent } from '../../../core/read/types.ts';
import { basicMessage, fullMessage } from './jsonMessage.ts';
import { textLine } from './textLine.ts';

export const LogFormat = { Text: 'text', Json: 'json', JsonBasic: 'jsonBasic', Raw: 'raw', NdJson: 'ndjson' } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

/** How a stream of events becomes a body: what goes before, between and after the events. */
export interface LogEncoding {
  readonly contentType: string;
  readonly head: string;
  /** The event, preceded by whatever separates it from the one before (`first` says there is none). */
  readonly item: (e: StoredEvent, first: boolean) => string;
  readonly tail: string;
}

const jsonItem = (toJson: (e: StoredEvent) => unknown) => (e: StoredEvent, first: boolean) =>
  (first ? '' : ',') + JSON.stringify(toJson(e));

export const LOG_ENCODINGS: Record<LogFormat, LogEncoding> = {
  text: { contentType: 'text/plain; charset=utf-8', head: '', item: (e) => `${textLine(e)}\n`, tail: '' },
  raw: { contentType: 'text/plain; charset=utf-8', head: '', item: (e) => `${e.raw}\n`, tail: '' },
  json: { contentType: 'application/json; charset=utf-8', head: '{"messages":[', item: jsonItem(fullMessage), tail: ']}' },
  jsonBasic: { contentType: 'application/json; charset=utf-8', head: '{"messages":[', item: jsonItem(basicMessage), tail: ']}' },
  ndjson: { contentType: 'application/x-ndjson', head: '', item: (e) => `${JSON.stringify(fullMessage(e))}\n`, tail: '' },
};
