// The editors' review page (review.html, `articleaudio embed --review`): the
// player, plus the sentences `articleaudio check` flagged, marked in the
// transcript and listed highest score first. A flag, or a marked sentence
// (clicked, or Enter/Space on it), plays just that sentence and pauses at its
// end. Only the review page's script holds this module; player.js and embed.html
// never do (review.py). Report text is set with textContent, never parsed.

import { el } from "./view.js";
import { defineArticleAudio } from "./controller.js";
import {
  clipDone,
  clipHolds,
  cueLabel,
  flagLabel,
  flagTime,
  flagsByCue,
  reviewSummary,
  toFlags,
} from "./review-model.js";

const LIST_LABEL = "Flagged sentences; each plays its sentence alone";

// Plays one sentence and pauses at its end. The media element's timeupdate comes
// only about four times a second, so while a sentence plays its end is watched
// every animation frame; a seek away from the sentence lets the audio play on.
class SentenceClip {
  #player;
  #clip = null;
  #frame = 0;

  constructor(player, signal) {
    this.#player = player;
    const audio = player.audio;
    const on = (type, handler) => audio.addEventListener(type, handler, { signal });
    on("seeking", () => {
      if (this.#clip && !clipHolds(this.#clip, audio.currentTime)) this.#clip = null;
    });
    on("play", () => this.#watch());
    on("timeupdate", () => this.#check());
    signal.addEventListener("abort", () => {
      if (this.#frame) window.cancelAnimationFrame(this.#frame);
      this.#frame = 0;
      this.#clip = null;
    });
  }

  /** Seek to the sentence's start and play it to its end. */
  play(sentence) {
    this.hold(sentence);
    this.#player.seekTo(sentence.start, true);
  }

  /** Pause at the end of this sentence, which is playing or about to. */
  hold(sentence) {
    this.#clip = { start: sentence.start, end: sentence.end };
    this.#watch();
  }

  #watch() {
    if (!this.#frame) this.#frame = window.requestAnimationFrame(this.#tick);
  }

  #tick = () => {
    this.#frame = 0;
    const audio = this.#player.audio;
    if (!this.#check() && this.#clip && audio && !audio.paused) this.#watch();
  };

  // True when the sentence is over and the audio was paused for it.
  #check() {
    const audio = this.#player.audio;
    if (!this.#clip || !audio || !clipDone(this.#clip, audio.currentTime)) return false;
    this.#clip = null;
    audio.pause();
    return true;
  }
}

// The report, from the page's own data block (the one the player read).
function readReview(player) {
  const id = player.getAttribute("data-episode");
  const node = id ? document.getElementById(id) : null;
  return node ? JSON.parse(node.textContent).review || null : null;
}

function flagButton(flag, language, play) {
  const text = el("span", { class: "aa-flag-text", text: flag.text });
  if (language) text.lang = language;
  const parts = [
    el("span", { class: "aa-flag-head" }, [
      el("span", { class: "aa-flag-kind", text: `${flag.rank}. ${flag.kindLabel}` }),
      el("span", { class: "aa-flag-time", text: flagTime(flag) }),
    ]),
    text,
    el("span", { class: "aa-flag-why", text: flagLabel(flag) }),
  ];
  if (flag.suggestion) {
    parts.push(
      el("span", { class: "aa-flag-try", text: `Lexicon entry to try: ${flag.suggestion}` }),
    );
  }
  const node = el("button", { type: "button", class: "aa-flag" }, parts);
  node.dataset.index = String(flag.index);
  node.addEventListener("click", () => play(flag));
  return el("li", {}, [node]);
}

function flagList(review, flags, model, clip) {
  const heading = el("h2", { class: "aa-review-title", text: "Flagged by the listening check" });
  const summary = el("p", {
    class: "aa-review-summary",
    text: reviewSummary(review, flags.length),
  });
  const part = el("div", { class: "aa-part aa-review", role: "region", "aria-label": LIST_LABEL }, [
    heading,
    summary,
  ]);
  if (!flags.length) {
    part.append(el("p", { class: "aa-review-none", text: "No sentence was flagged." }));
    return part;
  }
  const play = (flag) => clip.play(flag);
  part.append(
    el(
      "ol",
      {},
      flags.map((flag) => flagButton(flag, model.language, play)),
    ),
  );
  return part;
}

// The visible mark is CSS (a wavy underline and ⚑ with the flag's number, from
// data-flag); the accessible name says the same, with what was heard and meant.
function markSentences(view, flags, model, clip, signal) {
  for (const [index, own] of flagsByCue(flags)) {
    const node = view.cueNode(index);
    if (!node) continue;
    node.classList.add("aa-flagged");
    node.dataset.flag = own.map((f) => f.rank).join(",");
    node.setAttribute("aria-label", cueLabel(model.cues[index].text, own));
    // The transcript itself seeks to the sentence and plays (view.js); this only
    // says where to stop.
    const hold = () => clip.hold(own[0]);
    node.addEventListener("click", hold, { signal });
    node.addEventListener(
      "keydown",
      (event) => {
        if (event.key === "Enter" || event.key === " ") hold();
      },
      { signal },
    );
  }
}

/** The player extension of the review page (ArticleAudio.extensions). */
export function attachReview({ player, view, model, signal }) {
  const review = readReview(player);
  if (!review) return;
  const flags = toFlags(review, model.cues);
  const clip = new SentenceClip(player, signal);
  markSentences(view, flags, model, clip, signal);
  view.addPart(flagList(review, flags, model, clip));
}

/** Register <article-audio> with the review; review.html's script's last line calls this. */
export function defineArticleAudioReview(css) {
  return defineArticleAudio(css, window.customElements, [attachReview]);
}
