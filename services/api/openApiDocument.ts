/**
 * The read API as OpenAPI 3.1 (`GET /openapi.json`): the routes of docs/read-api.md, built from
 * a few shared pieces so each route states only what differs. Tested against the router: every
 * path here, filled with stored names, is answered by its handler.
 */
type Schema = Record<string, unknown>;

const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
const pathParam = (name: string, description: string, schema: Schema = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const queryFlag = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } });

const MESSAGE: Schema = {
  type: 'object',
  required: ['text', 'username', 'displayName', 'channel', 'timestamp', 'id', 'type', 'raw', 'tags'],
  properties: {
    text: { type: 'string', description: 'what a chat reader shows, without timestamp and channel' },
    username: { type: 'string', description: 'sender login; for a ban or timeout, the target' },
    displayName: { type: 'string' },
    channel: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    id: { type: 'string', description: 'the event_id (Twitch id, or h: + a content hash for lines without one)' },
    type: {
      type: 'integer',
      description: 'go-twitch-irc message type: 1 PRIVMSG, 2 CLEARCHAT, 3 ROOMSTATE, 4 USERNOTICE, 6 NOTICE, 13 CLEARMSG',
    },
    raw: { type: 'string', description: 'the IRC line as received, byte for byte' },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const LOG_QUERY = [
  queryFlag('json', 'full JSON ({"messages":[…]}); also type=json or an Accept/Content-Type of application/json'),
  queryFlag('jsonBasic', 'basic JSON (text, displayName, timestamp, id, tags); also type=jsonBasic'),
  queryFlag('raw', 'the received IRC lines, one per line; also type=raw'),
  queryFlag('ndjson', 'one full JSON message per line; also type=ndjson'),
  { name: 'type', in: 'query', required: false, schema: { enum: ['text', 'json', 'jsonBasic', 'raw', 'ndjson'] } },
  queryFlag('reverse', 'newest first'),
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
  { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
  { name: 'from', in: 'query', required: false, description: 'RFC 3339 or unix seconds (inclusive)', schema: { type: 'string' } },
  { name: 'to', in: 'query', required: false, description: 'RFC 3339 or unix seconds (exclusive)', schema: { type: 'string' } },
];

const LOG_RESPONSES = {
  '200': {
    description: 'the events in range, oldest first unless reverse; streamed',
    content: {
      'text/plain': { schema: { type: 'string', description: 'text: [2006-01-2 15:04:05] #channel user: message; raw: IRC lines' } },
      'application/json': { schema: { type: 'object', properties: { messages: { type: 'array', items: MESSAGE } } } },
      'application/x-ndjson': { schema: MESSAGE },
    },
  },
  '302': { description: 'no date given: to the newest day (channel) or month (user) with logs, the query kept' },
  '400': text('a bad date, range, format, limit or offset'),
  '403': text('the channel or user opted out'),
  '404': text('unknown channel or user, or no logs in the range'),
  '429': text('too many requests from this client: see Retry-After'),
};

const CHANNEL = [pathParam('channel', 'channel login'), pathParam('channelid', 'channel (room) id')];
const USER = [pathParam('user', 'user login'), pathParam('userid', 'user id')];
const YEAR = pathParam('year', 'UTC year', { type: 'integer' });
const MONTH = pathParam('month', 'UTC month, 1-12', { type: 'integer' });
const DAY = pathParam('day', 'UTC day of month', { type: 'integer' });

function logRoute(summary: string, params: readonly unknown[]) {
  return { get: { summary, parameters: [...params, ...LOG_QUERY], responses: LOG_RESPONSES } };
}

/** `/channel/{channel}` and `/channelid/{channelid}` (and the user forms) share one description each. */
function logRoutes(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [c, cParam] of [
    ['channel/{channel}', CHANNEL[0]],
    ['channelid/{channelid}', CHANNEL[1]],
  ] as const) {
    paths[`/${c}`] = logRoute('redirect to the newest day with logs, or a range with from/to', [cParam]);
    paths[`/${c}/{year}/{month}/{day}`] = logRoute("a channel's UTC day", [cParam, YEAR, MONTH, DAY]);
    paths[`/${c}/random`] = logRoute('one random event of the channel', [cParam]);
    for (const [u, uParam] of [
      ['user/{user}', USER[0]],
      ['userid/{userid}', USER[1]],
    ] as const) {
      paths[`/${c}/${u}`] = logRoute("redirect to the newest month of the user's logs, or a range with from/to", [cParam, uParam]);
      paths[`/${c}/${u}/{year}/{month}`] = logRoute("a user's UTC month in the channel (what they sent, bans and timeouts of them)", [
        cParam,
        uParam,
        YEAR,
        MONTH,
      ]);
      paths[`/${c}/${u}/random`] = logRoute('one random event of the user in the channel', [cParam, uParam]);
    }
  }
  return paths;
}

const { '302': _redirect, ...NO_REDIRECT } = LOG_RESPONSES;
const SEARCH_RESPONSES = {
  ...NO_REDIRECT,
  '200': { ...LOG_RESPONSES['200'], description: 'the matching events, oldest first unless reverse; none is an empty 200; streamed' },
  '400': text('no q, a bad query (unclosed quote, no letter or digit, > 200 characters or > 10 terms), range, format, limit or offset'),
  '501': text('this sink has no search index yet'),
};
const Q = {
  name: 'q',
  in: 'query',
  required: true,
  description: 'words (all must match, whole words, case and accents folded) and "quoted phrases"',
  schema: { type: 'string', maxLength: 200 },
};
const RANGE = LOG_QUERY.filter((p) => p.name === 'from' || p.name === 'to');

const STATS = {
  type: 'object',
  properties: {
    channel: { type: 'string' },
    from: { type: ['string', 'null'], format: 'date-time' },
    to: { type: ['string', 'null'], format: 'date-time' },
    events: { type: 'integer' },
    messages: { type: 'integer' },
    chatters: { type: 'integer', description: 'distinct senders of messages' },
    firstEvent: { type: ['string', 'null'], format: 'date-time' },
    lastEvent: { type: ['string', 'null'], format: 'date-time' },
    bits: { type: 'integer', description: 'bits cheered in messages' },
    topChatters: { type: 'array', items: { type: 'object', properties: { user: { type: 'string' }, messages: { type: 'integer' } } } },
    subscriptions: { type: 'object', description: 'subs, resubs, gifted, giftBombs, upgrades' },
    moderation: { type: 'object', description: 'bans, timeouts, timeoutSeconds, deletions, clears' },
  },
};

/** Our routes beyond justlog's: search, stats, the live tail (docs/read-api.md). */
function beyondRoutes(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [c, cParam] of [
    ['channel/{channel}', CHANNEL[0]],
    ['channelid/{channelid}', CHANNEL[1]],
  ] as const) {
    paths[`/${c}/search`] = {
      get: { summary: "full-text search of the channel's messages", parameters: [cParam, Q, ...LOG_QUERY], responses: SEARCH_RESPONSES },
    };
    for (const [u, uParam] of [
      ['user/{user}', USER[0]],
      ['userid/{userid}', USER[1]],
    ] as const) {
      paths[`/${c}/${u}/search`] = {
        get: {
          summary: "full-text search of a user's messages in the channel",
          parameters: [cParam, uParam, Q, ...LOG_QUERY],
          responses: SEARCH_RESPONSES,
        },
      };
    }
    paths[`/${c}/stats`] = {
      get: {
        summary: "the channel's messages, chatters, top chatters, subs, bits and moderation over a range (the poglytics query reports)",
        parameters: [
          cParam,
          ...RANGE,
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'top chatters (10)',
            schema: { type: 'integer', minimum: 1, maximum: 100 },
          },
        ],
        responses: {
          '200': { description: 'all stored time without from/to', content: { 'application/json': { schema: STATS } } },
          '400': text('a bad range or limit'),
          '404': text('unknown channel'),
          '501': text('this sink cannot run the reports yet'),
        },
      },
    };
    paths[`/${c}/live`] = {
      get: {
        summary: "the channel's new events as Server-Sent Events",
        parameters: [
          cParam,
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'resume after this id (sent_at/event_id): up to 10,000 stored events first',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'an event stream: `id: <sent_at>/<event_id>`, `data: <justlog JSON message>`; a `: heartbeat` comment every 15 s',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '400': text('a Last-Event-ID this service did not send'),
          '404': text('unknown channel'),
          '429': text('more live tails from this client than API allows at once (4)'),
        },
      },
    };
  }
  for (const [u, uParam] of [
    ['user/{user}', USER[0]],
    ['userid/{userid}', USER[1]],
  ] as const) {
    paths[`/admin/${u}`] = {
      get: {
        summary: "admin: one user's events in every channel (what they sent, bans and timeouts of them)",
        security: [{ adminKey: [] }],
        parameters: [uParam, ...LOG_QUERY],
        responses: {
          '200': { ...LOG_RESPONSES['200'], description: 'in sent_at order across channels; never cached' },
          '400': text('a bad range, format, limit or offset'),
          '401': text('no or a wrong Authorization: Bearer <API_ADMIN_KEY>'),
          '404': text('no API_ADMIN_KEY is set (the route does not exist), or no logs of the user'),
        },
      },
    };
  }
  return paths;
}

export const OPEN_API_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Poglytics read API',
    version: '1',
    description: 'Captured Twitch chat with the routes and formats of justlog and rustlog (docs/read-api.md).',
  },
  paths: {
    '/channels': {
      get: {
        summary: 'every channel with stored chat',
        responses: {
          '200': {
            description: 'channels by login with their room id',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    channels: {
                      type: 'array',
                      items: { type: 'object', properties: { name: { type: 'string' }, userID: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/list': {
      get: {
        summary: 'the days (channel) or months (with a user) that have logs, newest first',
        parameters: ['channel', 'channelid', 'user', 'userid'].map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
        })),
        responses: {
          '200': {
            description: '{"availableLogs":[{"year","month","day"}]}',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '400': text('neither channel nor channelid'),
          '404': text('no logs'),
        },
      },
    },
    '/capabilities': {
      get: {
        summary: "rustlog's capability list",
        responses: {
          '200': { description: 'e.g. ["arbitrary-range-query"]', content: { 'application/json': { schema: { type: 'array' } } } },
        },
      },
    },
    ...logRoutes(),
    ...beyondRoutes(),
  },
  components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'API_ADMIN_KEY' } } },
};
