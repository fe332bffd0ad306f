// The review page's pure part: the check report's flags (review.py puts them in
// the page's data) → what review.html shows, and when a sentence played on its
// own is over. No DOM and no state: Node's test runner loads it as it is
// (tests/js/review.test.mjs). The times are the episode's cues', the one source
// of truth for where a sentence is; a flag names its cue by index.

import { clean, clock } from "./model.js";

// check.json's kinds (web/check_report.py FlagKind) as an editor reads them.
export const FLAG_KINDS = {
  missing: "Missing word",
  extra: "Extra word",
  number: "Number heard differently",
  name: "Name heard differently",
  unheard: "Not heard",
};
// Which comparison failed: the voice's own text, or the article's meaning.
const FLAG_SIDES = {
  spoken: "the voice's text",
  article: "the article",
};
// A seek that lands this close before a clip's start still plays that clip:
// media elements may round a time they are given.
export const CLIP_SLACK = 0.05;

function lookup(table, key) {
  return Object.hasOwn(table, key) ? table[key] : clean(key);
}

function toFlag(flag, cue) {
  const score = Number(flag.score);
  return {
    index: flag.index,
    kind: clean(flag.kind),
    kindLabel: lookup(FLAG_KINDS, flag.kind),
    against: lookup(FLAG_SIDES, flag.against),
    text: clean(flag.text) || cue.text,
    meant: clean(flag.meant),
    heard: clean(flag.heard),
    score: Number.isFinite(score) ? score : 0,
    suggestion: flag.suggestion ? clean(flag.suggestion) : null,
    start: cue.start,
    end: cue.end,
  };
}

/**
 * The review's flags for the model's cues, highest score first (ties in spoken
 * order), each with its rank (1, 2, …); a flag naming no cue is dropped.
 */
export function toFlags(review, cues) {
  const named = ((review && review.flags) || []).filter(
    (f) => Number.isInteger(f.index) && f.index >= 0 && f.index < cues.length,
  );
  const flags = named.map((f) => toFlag(f, cues[f.index]));
  flags.sort((a, b) => b.score - a.score || a.index - b.index);
  return Object.freeze(flags.map((f, i) => Object.freeze({ ...f, rank: i + 1 })));
}

/** "Name heard differently: heard “nado”, meant “nato” (against the voice's text; score 82%)". */
export function flagLabel(flag) {
  const heard = flag.heard ? `heard “${flag.heard}”` : "heard nothing";
  const score = `score ${Math.round(flag.score * 100)}%`;
  return `${flag.kindLabel}: ${heard}, meant “${flag.meant}” (against ${flag.against}; ${score})`;
}

/** The accessible name of a marked sentence: that it is flagged, its text, then why. */
export function cueLabel(text, flags) {
  const ranks = flags.map((f) => f.rank).join(", ");
  return `Flagged sentence (flag ${ranks}): ${text} ${flags.map(flagLabel).join("; ")}`;
}

/** Cue index → its flags, in rank order. */
export function flagsByCue(flags) {
  const byCue = new Map();
  for (const flag of flags) {
    if (!byCue.has(flag.index)) byCue.set(flag.index, []);
    byCue.get(flag.index).push(flag);
  }
  return byCue;
}

/** The line above the list: how many, of how many, and what heard them. */
export function reviewSummary(review, count) {
  const sentences = Number(review && review.sentences) || 0;
  const wer = Number(review && review.wer) || 0;
  const parts = [
    `${count} of ${sentences} sentences flagged`,
    `word error rate ${(wer * 100).toFixed(1)}%`,
  ];
  if (review && review.model) parts.push(`heard by ${clean(review.model)}`);
  if (review && review.checked) parts.push(`checked ${clean(review.checked)}`);
  return parts.join(" · ");
}

/** Where the flag's sentence is, as a list shows it: "0:41". */
export function flagTime(flag) {
  return clock(flag.start);
}

/** A sentence played on its own has reached its end at time t. */
export function clipDone(clip, t) {
  return t >= clip.end;
}

/** A seek to t stays inside the clip (else the listener went elsewhere: the clip is off). */
export function clipHolds(clip, t) {
  return t >= clip.start - CLIP_SLACK && t < clip.end;
}
