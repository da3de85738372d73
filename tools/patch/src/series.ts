/** What a `[RFC PATCH v3 net-next 02/10]` subject says about its place in a series. */
export interface SubjectTag {
  /** The series version (`v3` → 3); 1 when none is given. */
  version: number;
  /** The position in the series (0 for a cover letter); undefined for a lone patch. */
  counter: number | undefined;
  /** The number of patches; undefined for a lone patch. */
  total: number | undefined;
  /** `RFC`, `RESEND`, in upper case, in order of appearance. */
  flags: string[];
  /** Other words of the bracket group, such as a tree name (`net-next`). */
  prefixes: string[];
  /** Whether the group named PATCH at all (a `[GIT PULL]` or plain `Re:` does not). */
  isPatch: boolean;
  /** The subject with `Re:` and every leading bracket group removed. */
  title: string;
}

const FLAGS = new Set(['RFC', 'RESEND']);

/**
 * Parses the bracket groups of a patch subject.
 *
 * @example
 * ```ts
 * import { parseSubject } from '@rfl/patch';
 * const tag = parseSubject('[PATCH v3 02/10] foo: bar');
 * [tag.version, tag.counter, tag.total, tag.title] // => [3, 2, 10, 'foo: bar']
 * parseSubject('[RFC PATCH net-next 1/2] x').prefixes // => ['net-next']
 * parseSubject('[PATCHv2] y').version // => 2
 * ```
 */
export function parseSubject(subject: string): SubjectTag {
  const tag: SubjectTag = {
    version: 1,
    counter: undefined,
    total: undefined,
    flags: [],
    prefixes: [],
    isPatch: false,
    title: '',
  };
  let rest = subject.trim();
  for (;;) {
    const re = /^(?:re:|aw:|fwd?:)\s*/i.exec(rest);
    if (re) {
      rest = rest.slice(re[0].length);
      continue;
    }
    const m = /^\[([^\]]*)\]\s*/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    for (const word of m[1]!.split(/[\s,]+/).filter(Boolean)) readWord(tag, word);
  }
  tag.title = rest.trim();
  return tag;
}

function readWord(tag: SubjectTag, word: string): void {
  const upper = word.toUpperCase();
  const patchv = /^PATCH(?:V(\d+))?$/.exec(upper);
  if (patchv) {
    tag.isPatch = true;
    if (patchv[1]) tag.version = Number(patchv[1]);
    return;
  }
  const version = /^V(\d+)$/.exec(upper);
  if (version) {
    tag.version = Number(version[1]);
    return;
  }
  const count = /^(\d+)\/(\d+)$/.exec(word);
  if (count) {
    tag.counter = Number(count[1]);
    tag.total = Number(count[2]);
    return;
  }
  if (FLAGS.has(upper)) tag.flags.push(upper);
  else tag.prefixes.push(word);
}

/** One message of a thread, as far as threading is concerned. */
export interface ThreadedMessage {
  messageId: string;
  inReplyTo: string;
  references: string[];
  rawSubject: string;
}

/** A numbered series found in a set of messages. */
export interface Series<T extends ThreadedMessage> {
  cover: T | undefined;
  /** The patches in counter order (`patches[0]` is `1/N`). */
  patches: T[];
  version: number;
  total: number;
  /** Numbers between 1 and total with no message. */
  missing: number[];
}

/**
 * Groups messages into series: a patch belongs to the thread root it replies to (through
 * In-Reply-To, else the first References entry), and within a thread the messages whose
 * subjects carry `n/N` with the same version and total form a series. Replies that are not
 * patches (reviews) are left out. Lone patches form one-patch series.
 */
export function findSeries<T extends ThreadedMessage>(messages: T[]): Series<T>[] {
  const byId = new Map(messages.filter((m) => m.messageId).map((m) => [m.messageId, m]));
  const rootOf = (m: T): string => {
    let cur: T = m;
    const seen = new Set<string>();
    for (;;) {
      const parentId = cur.inReplyTo || cur.references[cur.references.length - 1] || '';
      const parent = byId.get(parentId);
      if (!parent || seen.has(parentId)) return cur.messageId || cur.rawSubject;
      seen.add(parentId);
      cur = parent;
    }
  };
  const groups = new Map<string, Series<T>>();
  const order: Series<T>[] = [];
  for (const m of messages) {
    const tag = parseSubject(m.rawSubject);
    if (!tag.isPatch || /^re:/i.test(m.rawSubject.trim())) continue;
    const key = `${rootOf(m)}\0${tag.version}\0${tag.total ?? 'single'}`;
    let series = groups.get(key);
    if (!series || tag.total === undefined) {
      series = {
        cover: undefined,
        patches: [],
        version: tag.version,
        total: tag.total ?? 1,
        missing: [],
      };
      groups.set(key, series);
      order.push(series);
    }
    if (tag.counter === 0) series.cover = m;
    else series.patches[(tag.counter ?? 1) - 1] = m;
  }
  for (const s of order) {
    for (let i = 0; i < s.total; i++) if (!s.patches[i]) s.missing.push(i + 1);
    s.patches = s.patches.filter(Boolean);
  }
  return order;
}
