import type Database from 'better-sqlite3';

/**
 * line_templates ids by template, cached per connection. Ids are never reused or deleted and a
 * template is UNIQUE, so a cached id stays right even when another process adds templates; only
 * a rolled-back transaction can take back an id this connection handed out, so the caller
 * forgets the cache when a write fails.
 */
export class TemplateDictionary {
  private readonly ids = new Map<string, number>();
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO line_templates (template) VALUES (?)');
    this.select = db.prepare('SELECT id FROM line_templates WHERE template = ?').pluck();
  }

  /** The template's id, added to the dictionary when new. Call inside the write transaction. */
  idOf(template: string): number {
    const cached = this.ids.get(template);
    if (cached !== undefined) return cached;
    this.insert.run(template);
    const id = this.select.get(template) as number;
    this.ids.set(template, id);
    return id;
  }

  forget(): void {
    this.ids.clear();
  }
}
