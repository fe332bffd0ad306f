// The player's pure model: episode.json → cues, chapters and times, and every
// lookup the player makes while it plays. No DOM and no state: Node's test runner
// loads this module as it is (tests/js/model.test.mjs), and the view and the
// controller only ask it questions.

export const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
export const SKIP_SECONDS = 15;
// The player's own shortcuts, on its controls only (never on the host page):
// the YouTube keys, which many listeners already know.
export const KEY_ACTIONS = {
  k: ["toggle"],
  j: ["skip", -SKIP_SECONDS],
  l: ["skip", SKIP_SECONDS],
};
const FINGERPRINT_CHARS = 80;
// C0/C1 control characters have no glyph; they would show as boxes.
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
// The shape of a BCP 47 tag (RFC 5646 §2.1), loosely: enough to refuse a value
// that is not one before it becomes a lang attribute.
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;
const DEFAULT_DISCLOSURE = "This audio is created with AI assistance";

/** Text as it may be shown: control characters dropped, null as "". */
export function clean(value) {
  return String(value ?? "").replace(CONTROLS, "");
}

/** 0:07, 1:05, 1:02:03: the clock a player shows; nonsense shows as 0:00. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** "1 min 5 s": a time as a screen reader should say it. */
export function spokenClock(seconds) {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const m = Math.floor(s / 60);
  return m ? `${m} min ${s % 60} s` : `${s % 60} s`;
}

/** The seek slider's aria-valuetext: "10 s of 20 s". */
export function valueText(seconds, duration) {
  return `${spokenClock(seconds)} of ${spokenClock(duration)}`;
}

/** A time kept inside [0, limit]. */
export function clampTime(seconds, limit) {
  return Math.min(Math.max(0, seconds), limit);
}

/** A remembered playback rate if it is one the menu offers, else 1. */
export function validRate(value) {
  return RATES.includes(value) ? value : 1;
}

// Text → comparable key: accents, case, punctuation and spacing removed, so a
// host page's <p> matches the transcript however it was typeset.
export function fingerprint(text) {
  return String(text)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .slice(0, FINGERPRINT_CHARS);
}

/** Last index whose start is <= t, or -1; items are sorted by start. */
export function findIndex(items, t) {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].start <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** An absolute http(s) address for url, or null for any other scheme or junk. */
export function safeHref(url, base) {
  try {
    const parsed = new URL(url, base);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function toWord(word) {
  return Object.freeze({ text: clean(word[0]), start: Number(word[1]), end: Number(word[2]) });
}

function toCue(cue) {
  return Object.freeze({
    text: clean(cue.text),
    start: Number(cue.start),
    end: Number(cue.end),
    role: String(cue.role || "sentence"),
    paragraph: Number.isInteger(cue.paragraph) ? cue.paragraph : -1,
    words: Object.freeze((cue.words || []).map(toWord)),
  });
}

function toChapter(chapter) {
  return Object.freeze({
    title: clean(chapter.title),
    start: Number(chapter.start),
    end: Number(chapter.end),
  });
}

// The episode's own art file; the article's image URL may be relative to the
// article, which is not where the episode is published.
function imageOf(episode, base) {
  const artFile = episode.files && episode.files.art;
  if (artFile) return new URL(String(artFile), base).href;
  const image = episode.article && episode.article.image;
  return image ? safeHref(image, base) : null;
}

/** episode.json (models.Episode.to_dict) → what the player needs, frozen. */
export function toModel(episode, base, options = {}) {
  const article = episode.article || {};
  const timeline = episode.timeline || {};
  const audioFile = (episode.files && episode.files.audio) || (episode.audio && episode.audio.file);
  return Object.freeze({
    title: clean(article.title),
    language: LANGUAGE_TAG.test(article.language || "") ? article.language : "",
    artist: clean((article.authors || []).join(", ") || article.publisher),
    album: clean(article.publisher),
    image: imageOf(episode, base),
    disclosure: clean(episode.disclosure || DEFAULT_DISCLOSURE),
    disclosureUrl: options.disclosureUrl ? safeHref(options.disclosureUrl, base) : null,
    audio: new URL(String(audioFile), base).href,
    duration: Number(timeline.duration) || 0,
    cues: Object.freeze((timeline.cues || []).map(toCue)),
    chapters: Object.freeze((timeline.chapters || []).map(toChapter)),
  });
}

/** What is being read at time t: indices of the cue, its word and the chapter (-1: none). */
export function positionAt(model, t) {
  const cue = findIndex(model.cues, t);
  const words = cue >= 0 ? model.cues[cue].words : [];
  return {
    cue,
    word: words.length ? findIndex(words, t) : -1,
    chapter: findIndex(model.chapters, t),
  };
}

/** Start of the chapter `step` chapters away from the one at t (clamped), or null. */
export function chapterTarget(chapters, t, step) {
  if (!chapters.length) return null;
  const i = findIndex(chapters, t);
  return chapters[Math.min(Math.max(0, i + step), chapters.length - 1)].start;
}

// Roving tabindex over the transcript's sentences (WAI-ARIA APG, "Keyboard
// Navigation Inside Components"): where a key moves the focus, or null.
const MOVES = {
  ArrowDown: (i) => i + 1,
  ArrowRight: (i) => i + 1,
  ArrowUp: (i) => i - 1,
  ArrowLeft: (i) => i - 1,
  Home: () => 0,
  End: (_, count) => count - 1,
};

/** The sentence index that `key` moves the focus to from `current`, or null. */
export function transcriptMove(key, current, count) {
  const move = Object.hasOwn(MOVES, key) ? MOVES[key] : null;
  return move && count ? Math.min(Math.max(0, move(current, count)), count - 1) : null;
}

/** The transcript's paragraphs: runs of cues that share one, in spoken order. */
export function paragraphGroups(cues) {
  const groups = [];
  let key = null;
  cues.forEach((cue, index) => {
    const own = cue.paragraph < 0 ? "intro" : `p:${cue.paragraph}`;
    if (own !== key) {
      const kind = cue.paragraph < 0 ? "intro" : cue.role === "heading" ? "heading" : "";
      groups.push({ kind, cues: [] });
      key = own;
    }
    groups[groups.length - 1].cues.push(index);
  });
  return groups;
}

/**
 * The article's paragraphs by fingerprint (fingerprint → { paragraph, start }),
 * to find them on the host page. The spoken intro (title, byline, label) is not
 * a paragraph of the page. If two paragraphs print alike, the later one wins.
 */
export function paragraphsByPrint(cues) {
  const texts = new Map();
  for (const cue of cues) {
    if (cue.paragraph < 0) continue;
    const seen = texts.get(cue.paragraph);
    if (seen) seen.text += ` ${cue.text}`;
    else texts.set(cue.paragraph, { text: ` ${cue.text}`, start: cue.start });
  }
  const byPrint = new Map();
  for (const [paragraph, { text, start }] of texts) {
    byPrint.set(fingerprint(text), { paragraph, start });
  }
  return byPrint;
}
