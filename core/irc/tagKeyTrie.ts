/**
 * The tag key sequences seen so far, as a trie. Twitch sends a command's tags in a fixed order,
 * so at each node the next key is nearly always one of a few children: it is matched with one
 * startsWith instead of a character loop, and the key string is shared across lines (no slice, no
 * interning per tag). A node reached as the end of a line's tag section more than once gets a
 * builder: a function made once per key sequence that returns the tags object as one object
 * literal, so V8 allocates it at its final size with one hidden class, instead of growing it one
 * megamorphic store at a time.
 * Bounded: a node holds at most MAX_CHILDREN keys, and a new key replaces the least used one (so
 * one-off keys, hostile or random, churn among themselves and never push out Twitch's); past
 * MAX_NODES, unseen keys are still parsed, just not learned; past MAX_BUILDERS, objects are built
 * with plain stores.
 */
export interface KeyNode {
  /** The keys seen after this node's key sequence, the node each one leads to, and how often each was matched. */
  readonly keys: string[];
  readonly children: KeyNode[];
  readonly hits: number[];
  /** The node before this one and the key that led here (null and '' at the root). */
  readonly parent: KeyNode | null;
  readonly key: string;
  readonly depth: number;
  /** How often a tag section ended here without a builder. */
  ends: number;
  /** Builds the tags object from the values in path order; null when none can be made. */
  build: TagsBuilder | null | undefined;
}

export type TagsBuilder = (values: readonly string[]) => Record<string, string>;

const MAX_NODES = 4096;
const MAX_BUILDERS = 512;
const MAX_CHILDREN = 8;
/** Twitch sends up to about 40 tags; keys past this depth are parsed but not learned. */
const MAX_DEPTH = 64;
/** A sequence gets its builder on its second end: one-off sequences never cost a compile. */
const ENDS_BEFORE_BUILDER = 2;

function node(parent: KeyNode | null, key: string): KeyNode {
  return { keys: [], children: [], hits: [], parent, key, depth: parent === null ? 0 : parent.depth + 1, ends: 0, build: undefined };
}

/**
 * One key cache: its trie, node and builder counts. The parser uses one shared instance
 * (`sharedTagKeys`); a test or a tool that must not depend on what the process parsed before
 * creates its own.
 */
export class TagKeyTrie {
  readonly root: KeyNode = node(null, '');
  private nodes = 1;
  private builders = 0;

  /**
   * The child of `parent` for `key` (not one of its keys yet), learned in a free slot or in place of
   * the least used child (which frees at least one node, so a full trie still learns); undefined
   * past MAX_DEPTH, or past MAX_NODES when the parent still has a free slot.
   */
  childFor(parent: KeyNode, key: string): KeyNode | undefined {
    if (parent.depth >= MAX_DEPTH) return undefined;
    if (parent.keys.length < MAX_CHILDREN) {
      if (this.nodes >= MAX_NODES) return undefined;
      const child = node(parent, key);
      this.nodes++;
      parent.keys.push(key);
      parent.children.push(child);
      parent.hits.push(0);
      return child;
    }
    let least = 0;
    for (let k = 1; k < parent.hits.length; k++) if (parent.hits[k]! < parent.hits[least]!) least = k;
    this.forget(parent.children[least]!);
    const child = node(parent, key);
    this.nodes++;
    parent.keys[least] = key;
    parent.children[least] = child;
    parent.hits[least] = 0;
    return child;
  }

  /**
   * The builder for the sequence ending at `end`, once it has earned one: undefined until then,
   * while MAX_BUILDERS are in use (evictions free some), or when it cannot have one.
   */
  builderFor(end: KeyNode): TagsBuilder | undefined {
    if (end.build !== undefined) return end.build ?? undefined;
    if (++end.ends < ENDS_BEFORE_BUILDER || this.builders >= MAX_BUILDERS) return undefined;
    end.build = compileBuilder(pathTo(end));
    if (end.build !== null) this.builders++;
    return end.build ?? undefined;
  }

  /** Whether the key sequence is learned and has its builder (for tests and diagnostics), and the trie's size. */
  state(keys: readonly string[]): { learned: boolean; built: boolean; nodes: number; builders: number } {
    let at: KeyNode | undefined = this.root;
    for (const key of keys) {
      const i: number = at.keys.indexOf(key);
      at = i === -1 ? undefined : at.children[i];
      if (at === undefined) break;
    }
    return { learned: at !== undefined, built: typeof at?.build === 'function', nodes: this.nodes, builders: this.builders };
  }

  private forget(subtree: KeyNode): void {
    this.nodes--;
    if (subtree.build) this.builders--;
    for (const child of subtree.children) this.forget(child);
  }
}

function pathTo(end: KeyNode): string[] {
  const path: string[] = [];
  for (let at: KeyNode | null = end; at !== null && at.parent !== null; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * `v => ({"k0": v[0], "k1": v[1], …})`. Keys reach here only after parseTags validated them as
 * printable ASCII without space, `=` or `;`, and each is written as a JSON string literal, so no
 * key can change the code. A repeated key behaves as repeated stores do (first position, last
 * value). `__proto__` in a literal would set the prototype: a sequence holding it gets no builder,
 * and neither does any sequence where code generation is disabled
 * (--disallow-code-generation-from-strings).
 */
export function compileBuilder(path: readonly string[]): TagsBuilder | null {
  if (path.length === 0 || path.includes('__proto__')) return null;
  const fields = path.map((key, i) => `${JSON.stringify(key)}:v[${i}]`).join(',');
  try {
    // Deliberate (the module's header says why: one hidden class per key sequence); the keys cannot
    // inject code (see above).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('v', `"use strict";return {${fields}};`) as TagsBuilder;
  } catch {
    return null;
  }
}

/** The parser's default cache, shared by every caller that does not bring its own. */
export const sharedTagKeys = new TagKeyTrie();
