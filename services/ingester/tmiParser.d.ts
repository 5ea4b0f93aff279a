/** tmi.js's line parser (CommonJS, untyped); the ingester hands it only the handshake lines. */
declare module 'tmi.js/lib/parser.js' {
  const parser: { msg(line: string): unknown };
  export default parser;
}
