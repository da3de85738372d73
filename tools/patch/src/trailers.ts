import { parseAuthor } from './address.js';
import { mailinfo } from './mailinfo.js';
import { patchIds } from './patch-id.js';
import { findSeries, parseSubject, type ThreadedMessage } from './series.js';

/** A `Tag: value` line of a commit message's last paragraph. */
export interface Trailer {
  tag: string;
  value: string;
}

/** A trailer found in a reply, with who sent it and where. */
export interface CollectedTrailer extends Trailer {
  /** The reply's sender. */
  sender: { name: string; email: string };
  /** The reply's Message-ID. */
  messageId: string;
  /** True when it was given on the cover letter and so applies to every patch. */
  fromCover: boolean;
}

/** A trailer left out, and why. */
export interface RefusedTrailer extends CollectedTrailer {
  reason: string;
  /** The subject of the patch (or cover letter) it was given on. */
  subject: string;
}

/** A patch of a series with the trailers its thread gave it. */
export interface PatchTrailers {
  subject: string;
  version: number;
  counter: number;
  /** `git patch-id --stable` of the patch, what matches it across versions and commits. */
  patchId: string;
  trailers: CollectedTrailer[];
}

/** The trailers a follow-up (review, test report, ack) may carry, as b4 collects them. */
export const FOLLOWUP_TAGS = [
  'Reviewed-by',
  'Acked-by',
  'Tested-by',
  'Reported-by',
  'Suggested-by',
  'Fixes',
  'Link',
  'Closes',
] as const;

/**
 * The order of commit tags the kernel's maintainers use (the tip tree handbook):
 * Co-developed-by and Signed-off-by share a rank so that their chain keeps its order.
 */
const ORDER = new Map<string, number>([
  ['fixes', 0],
  ['reported-by', 1],
  ['closes', 2],
  ['originally-by', 3],
  ['suggested-by', 4],
  ['co-developed-by', 5],
  ['signed-off-by', 5],
  ['tested-by', 6],
  ['reviewed-by', 7],
  ['acked-by', 8],
  ['cc', 9],
  ['link', 10],
]);

/** Trailers naming a person, whose address must be the sender's. */
const PERSON_TAGS = new Set([
  'reviewed-by',
  'acked-by',
  'tested-by',
  'reported-by',
  'suggested-by',
]);

const CANONICAL = new Map(FOLLOWUP_TAGS.map((t) => [t.toLowerCase(), t]));

const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]+(\S.*?)\s*$/;

/** The follow-up trailers written (not quoted) in a reply's text. */
export function parseFollowupTrailers(text: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of text.split('\n')) {
    const m = TRAILER_LINE.exec(line);
    if (!m) continue;
    const tag = CANONICAL.get(m[1]!.toLowerCase());
    if (tag) out.push({ tag, value: m[2]! });
  }
  return out;
}

function rank(tag: string): number {
  return ORDER.get(tag.toLowerCase()) ?? 9;
}

function sameTrailer(a: Trailer, b: Trailer): boolean {
  return (
    a.tag.toLowerCase() === b.tag.toLowerCase() &&
    a.value.replace(/\s+/g, ' ').toLowerCase() === b.value.replace(/\s+/g, ' ').toLowerCase()
  );
}

/** Where a message's trailer block starts, or -1 when its last paragraph is not one. */
function trailerBlock(lines: string[]): number {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  let start = end;
  while (start > 0 && lines[start - 1]!.trim() !== '') start--;
  if (start === end || start === 0) return -1;
  const block = lines.slice(start, end);
  const trailers = block.filter((l) => TRAILER_LINE.test(l) || /^\(cherry picked from/.test(l));
  const continuation = block.filter((l) => /^\s/.test(l));
  // git interpret-trailers: all trailers, or at least one git-generated trailer and 25%.
  return trailers.length + continuation.length === block.length && trailers.length > 0 ? start : -1;
}

/**
 * Adds `trailers` to a commit message in the kernel's order: each new trailer goes after
 * the last trailer of the same or an earlier rank, so the existing block (its Signed-off-by
 * chain included) keeps its order. Trailers already present are not repeated.
 *
 * @example
 * ```ts
 * import { addTrailers } from '@rfl/patch';
 * addTrailers('foo: fix bar\n\nSigned-off-by: A <a@x.org>\n', [
 *   { tag: 'Reviewed-by', value: 'R <r@x.org>' },
 *   { tag: 'Fixes', value: '0123456789ab ("foo: add bar")' },
 * ]) // => 'foo: fix bar\n\nFixes: 0123456789ab ("foo: add bar")\nSigned-off-by: A <a@x.org>\nReviewed-by: R <r@x.org>\n'
 * ```
 */
export function addTrailers(message: string, trailers: Trailer[]): string {
  const lines = message.replace(/\n+$/, '').split('\n');
  let start = trailerBlock(lines);
  if (start < 0) {
    lines.push('');
    start = lines.length;
  }
  const block = lines.slice(start).filter((l) => l.trim() !== '');
  const present: Trailer[] = block.flatMap((l) => {
    const m = TRAILER_LINE.exec(l);
    return m ? [{ tag: m[1]!, value: m[2]! }] : [];
  });
  const ranks = block.map((l) => {
    const m = TRAILER_LINE.exec(l);
    return m ? rank(m[1]!) : -1;
  });
  for (const t of trailers) {
    if (present.some((p) => sameTrailer(p, t))) continue;
    const r = rank(t.tag);
    let at = 0;
    for (let i = 0; i < ranks.length; i++) if (ranks[i]! <= r) at = i + 1;
    block.splice(at, 0, `${t.tag}: ${t.value}`);
    ranks.splice(at, 0, r);
    present.push(t);
  }
  return `${[...lines.slice(0, start), ...block].join('\n')}\n`;
}

/** The trailers of `trailers` that `message`'s trailer block does not have yet. */
export function missingTrailers<T extends Trailer>(message: string, trailers: T[]): T[] {
  const lines = message.replace(/\n+$/, '').split('\n');
  const start = trailerBlock(lines);
  const present: Trailer[] =
    start < 0
      ? []
      : lines.slice(start).flatMap((l) => {
          const m = TRAILER_LINE.exec(l);
          return m ? [{ tag: m[1]!, value: m[2]! }] : [];
        });
  return trailers.filter((t) => !present.some((p) => sameTrailer(p, t)));
}

interface Mail extends ThreadedMessage {
  sender: { name: string; email: string };
  subject: string;
  body: string;
  patchId: string | undefined;
}

function readMail(raw: Buffer): Mail {
  const info = mailinfo(raw, { noInbodyHeaders: true });
  const diff = info.patch.toString('latin1');
  const id = /^diff --git /m.test(diff) ? patchIds(info.patch)[0]?.patchId : undefined;
  return {
    messageId: info.messageId,
    inReplyTo: info.inReplyTo,
    references: info.references,
    rawSubject: info.rawSubject,
    sender: { name: info.name, email: info.email },
    subject: info.subject,
    // Quoted lines are the replied-to text, never the reviewer's own trailers.
    body: info.log
      .toString('utf8')
      .split('\n')
      .filter((l) => !l.startsWith('>'))
      .join('\n'),
    patchId: id,
  };
}

/** Options of {@link collectTrailers}. */
export interface CollectOptions {
  /** Accept person trailers whose address is not the sender's (b4's `--sloppy-trailers`). */
  sloppy?: boolean;
}

/**
 * Reads a thread (the series, any earlier versions, and the replies to them) and finds the
 * trailers each patch was given: a reply's trailers go to the patch it answers (directly or
 * through other replies), a cover letter's to every patch of its series. A person trailer
 * whose address differs from the reply's sender is refused unless `sloppy`.
 */
export function collectTrailers(
  mails: Buffer[],
  opts: CollectOptions = {},
): { patches: PatchTrailers[]; refused: RefusedTrailer[] } {
  const all = mails.map(readMail);
  const byId = new Map(all.filter((m) => m.messageId).map((m) => [m.messageId, m]));
  const patches: PatchTrailers[] = [];
  const refused: RefusedTrailer[] = [];
  const target = new Map<Mail, { cover: boolean; patches: PatchTrailers[] }>();
  for (const s of findSeries(all)) {
    const entries = s.patches.flatMap((p) => {
      const tag = parseSubject(p.rawSubject);
      if (!p.patchId) return [];
      const entry: PatchTrailers = {
        subject: p.subject,
        version: s.version,
        counter: tag.counter ?? 1,
        patchId: p.patchId,
        trailers: [],
      };
      target.set(p, { cover: false, patches: [entry] });
      return [entry];
    });
    patches.push(...entries);
    if (s.cover) target.set(s.cover, { cover: true, patches: entries });
  }
  const targetOf = (
    m: Mail,
  ): { mail: Mail; cover: boolean; patches: PatchTrailers[] } | undefined => {
    let cur: Mail | undefined = m;
    const seen = new Set<Mail>();
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      const parentId: string = cur.inReplyTo || cur.references[cur.references.length - 1] || '';
      const parent = byId.get(parentId);
      if (!parent) return undefined;
      const t = target.get(parent);
      if (t) return { mail: parent, ...t };
      cur = parent;
    }
    return undefined;
  };
  for (const reply of all) {
    if (target.has(reply)) continue;
    const t = targetOf(reply);
    if (!t) continue;
    for (const trailer of parseFollowupTrailers(reply.body)) {
      const collected: CollectedTrailer = {
        ...trailer,
        sender: reply.sender,
        messageId: reply.messageId,
        fromCover: t.cover,
      };
      if (PERSON_TAGS.has(trailer.tag.toLowerCase()) && !opts.sloppy) {
        const named = parseAuthor(trailer.value).email.toLowerCase();
        if (named !== reply.sender.email.toLowerCase()) {
          refused.push({
            ...collected,
            subject: t.mail.rawSubject,
            reason: `sent by ${reply.sender.name} <${reply.sender.email}>, not by the person it names`,
          });
          continue;
        }
      }
      for (const p of t.patches) {
        if (!p.trailers.some((x) => sameTrailer(x, collected))) p.trailers.push(collected);
      }
    }
  }
  return { patches, refused };
}

/**
 * The trailers for a commit whose patch-id is `patchId`, gathered over every version of
 * the series that had the same patch (a review of v1 still holds for an unchanged v2
 * patch; a changed patch has a new patch-id and starts over).
 */
export function trailersForPatchId(patches: PatchTrailers[], patchId: string): CollectedTrailer[] {
  const out: CollectedTrailer[] = [];
  for (const p of patches) {
    if (p.patchId !== patchId) continue;
    for (const t of p.trailers) if (!out.some((x) => sameTrailer(x, t))) out.push(t);
  }
  return out;
}
