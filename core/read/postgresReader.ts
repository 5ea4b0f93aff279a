import { compileTemplate, fillTagsOnly, fillTemplate, splitExtras, type CompiledTemplate } from '../events/compiledTemplate.ts';
import { columnIndex, LINE_COLUMNS } from '../events/lineTemplate.ts';
import { tagsOfTagSection } from '../events/tagSection.ts';
import { decodeBadges } from '../sinks/badgeList.ts';
import type { Sink } from '../sinks/types.ts';
import type { ChatEventKind } from '../events/chatEvent.ts';
import { POSTGRES_READER, type PageSource, type ReaderDialect } from './sqlChatReader.ts';
import type { StoredEvent } from './types.ts';

type Row = Record<string, unknown>;

/** The LINE_COLUMNS a template may use that READ_COLUMNS do not already select (badges as stored). */
const SLOT_COLUMNS = 'target_message_id, bits, stored_badges, color, source_channel_id, source_event_id';

const SENT_AT = columnIndex('sent_at');
const BADGES = columnIndex('badges');

/** A LINE_COLUMNS value of a chat_event_parts row as the text a template slot stands for (lineValues). */
function columnText(row: Row, index: number): string {
  if (index === SENT_AT) return row.sent_ms as string;
  if (index === BADGES) return badgesText(row.stored_badges as string | null);
  const value = row[LINE_COLUMNS[index]!];
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : '';
}

/** Stored badges (badgeList.ts) as a template's slot has them: the comma list (the stored text itself, unless JSON). */
function badgesText(stored: string | null): string {
  if (stored === null) return '';
  return stored.charCodeAt(0) === 0x5b ? decodeBadges(stored).join(',') : stored;
}

/**
 * A chat_event_parts row as a StoredEvent, the columns as the driver gives them (text a string
 * or null, is_action a boolean, ban_duration_s a number or null, sent_ms a bigint's text): one
 * object of one shape per row, without toStored's copy of the row and checks of each value.
 */
function storedEvent(row: Row, raw: string, tags: Record<string, string>): StoredEvent {
  return {
    event_id: row.event_id as string,
    kind: row.kind as ChatEventKind,
    subtype: row.subtype as string | null,
    channel: row.channel as string,
    channel_id: row.channel_id as string | null,
    user_login: row.user_login as string | null,
    user_id: row.user_id as string | null,
    display_name: row.display_name as string | null,
    target_user_login: row.target_user_login as string | null,
    target_user_id: row.target_user_id as string | null,
    text: row.text as string | null,
    is_action: row.is_action as boolean,
    system_text: row.system_text as string | null,
    ban_duration_s: row.ban_duration_s as number | null,
    sent_at: Number(row.sent_ms),
    tags,
    raw,
  };
}

/**
 * Postgres pages from chat_event_parts (postgresLayout.ts): the stored columns and the line
 * parts, raw rebuilt here from the template (compiled once per reader: a template is never
 * changed or deleted, and a row this reader sees was committed, so was its template) and tags
 * from the template's compiled tags (or the line's tag section, as the view does), unless the
 * row holds its own. The same values as the chat_events view, without its per-row SQL.
 */
class PostgresPages implements PageSource {
  readonly from = 'chat_event_parts';
  readonly columns = `${SLOT_COLUMNS}, template_id, extras, residual, own_tags`;
  private readonly templates = new Map<number, CompiledTemplate>();

  async toStored(rows: readonly Row[], sink: Pick<Sink, 'query'>): Promise<StoredEvent[]> {
    // A loop, not flatMap: an array per row of a 100,000-row read is garbage the reader waits for.
    const missing = new Set<number>();
    for (const row of rows)
      if (row.residual === null && !this.templates.has(row.template_id as number)) missing.add(row.template_id as number);
    if (missing.size > 0) {
      for (const found of await sink.query('SELECT id, template FROM line_templates WHERE id = ANY($1::integer[])', [[...missing]]))
        this.templates.set(Number(found.id), compileTemplate(String(found.template)));
    }
    return rows.map((row) => {
      const own = row.own_tags as Record<string, string> | null;
      const residual = row.residual as string | null;
      if (residual !== null) return storedEvent(row, residual, own ?? Object.fromEntries(tagsOfTagSection(residual)));
      const template = this.templates.get(row.template_id as number);
      if (template === undefined) throw new RangeError(`line template ${String(row.template_id)} is missing`);
      const extras = splitExtras(template, row.extras as string | null);
      const raw = fillTemplate(template, extras, row, columnText);
      // The template's compiled tags give what the tag section does, without parsing the line; a StoredEvent has no params.
      const tags =
        own ?? (template.tags === undefined ? Object.fromEntries(tagsOfTagSection(raw)) : fillTagsOnly(template, extras, row, columnText));
      return storedEvent(row, raw, tags);
    });
  }
}

/** The Postgres reader dialect with its own page source (and template cache): one per reader. */
export function postgresReader(): ReaderDialect {
  return { ...POSTGRES_READER, pages: new PostgresPages() };
}
