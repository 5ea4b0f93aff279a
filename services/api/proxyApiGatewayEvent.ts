import { request, type IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** What API Gateway needs before the body of a streamed response (Lambda's awslambda.HttpResponseStream.from). */
export type ResponsePrelude = {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
};

/** `awslambda.HttpResponseStream.from`: writes the prelude, returns the stream the body goes to. */
export type StartResponse = (responseStream: Writable, prelude: ResponsePrelude) => Writable;

/** Hop-by-hop headers belong to one connection, not to the response API Gateway sends on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * The Lambda side of the read service: one REST API (proxy integration, STREAM transfer mode)
 * event replayed as an HTTP request against createApiServer listening on loopback in the same
 * execution environment, its response piped into Lambda's response stream as it is produced.
 * So the Lambda serves exactly what `poglytics serve` serves (routes, gzip and brotli, cursors
 * released when the client leaves) with no second implementation of any route. The client's
 * address goes along as X-Forwarded-For.
 */
export async function proxyApiGatewayEvent(
  event: APIGatewayProxyEvent,
  port: number,
  responseStream: Writable,
  startResponse: StartResponse,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values && values.length > 0 && !HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = values.join(', ');
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && headers[name.toLowerCase()] === undefined && !HOP_BY_HOP.has(name.toLowerCase()))
      headers[name.toLowerCase()] = value;
  }
  const sourceIp = event.requestContext?.identity?.sourceIp;
  if (sourceIp) headers['x-forwarded-for'] = sourceIp;
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  if (body) headers['content-length'] = String(body.length);
  else delete headers['content-length'];

  const upstream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: event.httpMethod, path: pathWithQuery(event), headers }, resolve);
    req.once('error', reject);
    req.end(body);
  });
  const responseHeaders = singleValued(upstream.headers);
  // The service redirects to absolute paths ("/channel/x/2026/12/5"); on the execute-api address the
  // stage ("/prod") precedes them, so a redirect keeps the prefix the client came in under.
  const prefix = basePrefix(event);
  const location = responseHeaders['location'];
  if (prefix && location?.startsWith('/') && !location.startsWith('//')) responseHeaders['location'] = `${prefix}${location}`;
  const body$ = startResponse(responseStream, { statusCode: upstream.statusCode ?? 502, headers: responseHeaders });
  // The client leaving destroys the response stream, which ends the local request and so the database cursor.
  await pipeline(upstream, body$);
}

/** What precedes the service's own path in the client's URL: the stage on the execute-api address, nothing behind a custom domain. */
function basePrefix(event: APIGatewayProxyEvent): string {
  const full = event.requestContext?.path;
  if (!full || full === event.path || !full.endsWith(event.path)) return '';
  return full.slice(0, full.length - event.path.length).replace(/\/$/, '');
}

function pathWithQuery(event: APIGatewayProxyEvent): string {
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) query.append(name, value);
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query.append(name, value);
  }
  const encodedPath = event.path.split('/').map(encodeURIComponent).join('/');
  const search = query.toString();
  return search ? `${encodedPath}?${search}` : encodedPath;
}

function singleValued(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
