import { SinkConnectError } from '../errors.ts';

/**
 * A reader with SELECT only cannot migrate: it checks that the database is at the schema this
 * release reads, and names the fix when it is not.
 */
export function assertSchemaVersion(target: string, applied: number, migrations: readonly { readonly version: number }[]): void {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  if (applied < latest)
    throw new SinkConnectError(
      `${target}: the schema is at version ${applied}, this release reads version ${latest}: run \`poglytics migrate\` as a user that may change the schema`,
    );
}
