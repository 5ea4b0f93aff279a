import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, type Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyApiGatewayEvent, type ResponsePrelude } from '../../services/api/proxyApiGatewayEvent.ts';

function restEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path: '/channel/forsen/2026/12/5',
    headers: { Accept: 'text/plain' },
    multiValueHeaders: { Accept: ['text/plain'], 'Accept-Encoding': ['gzip', 'br'], 'Keep-Alive': ['timeout=5'], TE: ['trailers'] },
    queryStringParameters: { json: '1' },
    multiValueQueryStringParameters: { json: ['1'], channel: ['a', 'b'] },
    body: null,
    isBase64Encoded: false,
    pathParameters: null,
    stageVariables: null,
    resource: '/{proxy+}',
    requestContext: { identity: { sourceIp: '203.0.113.7' } } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

/** What awslambda.HttpResponseStream.from does, observably: the prelude first, then the body on the same stream. */
function recorder() {
  const preludes: ResponsePrelude[] = [];
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const start = (stream: Writable, prelude: ResponsePrelude) => {
    preludes.push(prelude);
    return stream;
  };
  return { preludes, sink, start, body: () => Buffer.concat(chunks).toString('utf8') };
}

describe('proxyApiGatewayEvent (the read API Lambda over createApiServer)', () => {
  let server: Server;
  let port: number;
  const seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url === '/channel/forsen') {
          res.writeHead(302, { Location: '/channel/forsen/2026/12/5' }).end();
          return;
        }
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] });
        // Three pieces, so the body is streamed, not buffered into one.
        res.write('line 1\n');
        setTimeout(() => res.end('line 2\nline 3\n'), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('replays method, path, every query value and the headers (client address as X-Forwarded-For, no hop-by-hop)', async () => {
    // Prepare
    const r = recorder();
    // Act
    await proxyApiGatewayEvent(restEvent(), port, r.sink, r.start);
    // Assess
    const req = seen.at(-1)!;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/channel/forsen/2026/12/5?json=1&channel=a&channel=b');
    assert.equal(req.headers!['accept'], 'text/plain');
    assert.equal(req.headers!['accept-encoding'], 'gzip, br');
    assert.equal(req.headers!['x-forwarded-for'], '203.0.113.7');
    assert.equal(req.headers!['keep-alive'], undefined);
    assert.equal(req.headers!['te'], undefined);
    assert.deepEqual(r.preludes, [{ statusCode: 200, headers: r.preludes[0]!.headers }]);
    assert.equal(r.preludes[0]!.headers['content-type'], 'text/plain');
    assert.equal(r.preludes[0]!.headers['set-cookie'], 'a=1, b=2');
    assert.equal(r.preludes[0]!.headers['transfer-encoding'], undefined);
    assert.equal(r.body(), 'line 1\nline 2\nline 3\n');
  });

  it('sends a base64 body of an admin POST decoded, with its length', async () => {
    const r = recorder();
    const body = JSON.stringify({ login: 'someone' });
    await proxyApiGatewayEvent(
      restEvent({ httpMethod: 'POST', path: '/admin/optout', body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
      port,
      r.sink,
      r.start,
    );
    const req = seen.at(-1)!;
    assert.equal(req.body, body);
    assert.equal(req.headers!['content-length'], String(Buffer.byteLength(body)));
    assert.equal(r.preludes[0]!.statusCode, 201);
  });

  it('keeps the stage prefix of the execute-api address in a redirect, and adds none behind a custom domain', async () => {
    const onStage = recorder();
    const noQuery = { multiValueQueryStringParameters: null, queryStringParameters: null };
    await proxyApiGatewayEvent(
      restEvent({
        path: '/channel/forsen',
        ...noQuery,
        requestContext: { path: '/prod/channel/forsen' } as APIGatewayProxyEvent['requestContext'],
      }),
      port,
      onStage.sink,
      onStage.start,
    );
    assert.equal(onStage.preludes[0]!.statusCode, 302);
    assert.equal(onStage.preludes[0]!.headers['location'], '/prod/channel/forsen/2026/12/5');
    const onDomain = recorder();
    await proxyApiGatewayEvent(
      restEvent({
        path: '/channel/forsen',
        ...noQuery,
        requestContext: { path: '/channel/forsen' } as APIGatewayProxyEvent['requestContext'],
      }),
      port,
      onDomain.sink,
      onDomain.start,
    );
    assert.equal(onDomain.preludes[0]!.headers['location'], '/channel/forsen/2026/12/5');
  });
});
