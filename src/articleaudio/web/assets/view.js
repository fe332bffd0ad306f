// The player's view: builds the shadow DOM from a model and shows what the
// controller tells it (time, the cue and word being read, the chapter, play
// state). It keeps its DOM nodes to itself and holds no playback state; every
// input becomes a call to one of the controller's `actions`.
// Every piece of article text is set with textContent, never parsed as HTML.

import {
  KEY_ACTIONS,
  RATES,
  SKIP_SECONDS,
  clock,
  paragraphGroups,
  spokenClock,
  transcriptMove,
  valueText,
} from "./model.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = { play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zM14 5h4v14h-4z" };
const PARAGRAPH_CLASSES = {
  intro: "aa-para aa-intro",
  heading: "aa-para aa-heading",
  "": "aa-para",
};
const TRANSCRIPT_LABEL = "Transcript; use arrow keys to move, Enter to play from a sentence";

/** An element with attributes ("text" and "class" set those properties) and children. */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [key, value] of Object.entries({ viewBox: "0 0 24 24", width: "24", height: "24" })) {
    svg.setAttribute(key, value);
  }
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function button(className, label, text, onClick) {
  const node = el("button", { type: "button", class: className, "aria-label": label, text });
  node.addEventListener("click", onClick);
  return node;
}

// A titled part that folds away. A button with aria-expanded rather than
// <details>, whose content box cannot be laid out as a flex item (the
// transcript must take the frame's remaining height and scroll inside it).
class Foldable {
  element;
  #toggle;
  #body;

  constructor(className, title, body) {
    body.id = `${className}-body`;
    this.#body = body;
    this.#toggle = el("button", {
      type: "button",
      class: "aa-toggle",
      "aria-controls": body.id,
      text: title,
    });
    this.#toggle.addEventListener("click", () => this.expand(body.hidden));
    this.element = el("div", { class: `aa-part ${className}` }, [this.#toggle, body]);
    this.expand(true);
  }

  expand(open) {
    this.#toggle.setAttribute("aria-expanded", String(open));
    this.#body.hidden = !open;
    this.element.classList.toggle("aa-folded", !open);
  }
}

export class PlayerView {
  /** The <section> to put in the shadow root. */
  region;
  /** The <audio> element the controller drives. */
  audio;
  #actions;
  #playButton;
  #seek;
  #elapsed;
  #total;
  #speed;
  #status;
  #chapterButtons = [];
  #cueNodes = [];
  #wordNodes = []; // per cue, its word <span>s (empty when the cue has no word times)
  #textBox = null;
  #transcript = null;
  #duration;
  #valueText = "";
  #cue = -1;
  #word = null;
  #chapter = -2; // no chapter is -1, so the first mark always writes aria-current

  /** actions: { toggle(), skip(delta), seek(seconds, andPlay), setRate(rate) }. */
  constructor(model, actions, rate) {
    this.#actions = actions;
    this.#duration = model.duration;
    this.audio = el("audio", { preload: "metadata", src: model.audio });
    this.#status = el("p", { class: "aa-status", role: "status" });
    this.region = el("section", { class: "aa", "aria-label": `Audio version: ${model.title}` }, [
      this.#disclosure(model),
      el("p", { class: "aa-title", text: model.title }),
      this.audio,
      this.#controls(rate),
      this.#status,
    ]);
    if (model.chapters.length) this.region.append(this.#chapters(model.chapters));
    if (model.cues.length) this.region.append(this.#transcriptPart(model.cues));
    // The article's language for its own text, so screen readers pronounce it
    // right; the controls' labels stay English.
    if (model.language) {
      for (const node of this.region.querySelectorAll(".aa-title, .aa-chapters ol, .aa-text")) {
        node.lang = model.language;
      }
    }
    this.showPosition(0);
  }

  /** The rate chosen in the speed menu. */
  get rate() {
    return Number(this.#speed.value);
  }

  #disclosure(model) {
    const label = el("p", { class: "aa-disclosure" });
    if (!model.disclosureUrl) label.textContent = model.disclosure;
    else {
      const props = {
        href: model.disclosureUrl,
        target: "_blank",
        rel: "noopener",
        text: model.disclosure,
      };
      label.append(el("a", props));
    }
    return label;
  }

  #controls(rate) {
    const act = this.#actions;
    const props = { type: "button", class: "aa-play", "aria-label": "Play" };
    this.#playButton = el("button", props, [icon("play")]);
    this.#playButton.addEventListener("click", () => act.toggle());
    const skips = [
      ["aa-back", `Back ${SKIP_SECONDS} seconds`, `−${SKIP_SECONDS}s`, -SKIP_SECONDS],
      ["aa-fwd", `Forward ${SKIP_SECONDS} seconds`, `+${SKIP_SECONDS}s`, SKIP_SECONDS],
    ].map(([name, label, text, delta]) => button(name, label, text, () => act.skip(delta)));
    const group = { class: "aa-controls", role: "group", "aria-label": "Player controls" };
    const controls = el("div", group, [
      this.#playButton,
      ...skips,
      this.#speedMenu(rate),
      this.#seekRow(),
    ]);
    controls.addEventListener("keydown", (event) => this.#onKey(event));
    return controls;
  }

  #seekRow() {
    const max = String(this.#duration);
    const props = { type: "range", class: "aa-seek", min: "0", max, step: "0.1", value: "0" };
    this.#seek = el("input", { ...props, "aria-label": "Seek" });
    this.#seek.addEventListener("input", () => this.#actions.seek(Number(this.#seek.value), false));
    this.#elapsed = el("span", { class: "aa-elapsed", text: "0:00" });
    this.#total = el("span", { class: "aa-total", text: clock(this.#duration) });
    const parts = [this.#elapsed, " / ", this.#total];
    const time = el("span", { class: "aa-time", "aria-hidden": "true" }, parts);
    return el("div", { class: "aa-seekrow" }, [this.#seek, time]);
  }

  #speedMenu(rate) {
    this.#speed = el("select", { class: "aa-speed", "aria-label": "Playback speed" });
    for (const r of RATES) this.#speed.append(el("option", { value: String(r), text: `${r}×` }));
    this.#speed.value = String(rate);
    this.#speed.addEventListener("change", () => this.#actions.setRate(this.rate));
    return el("label", { class: "aa-speed-label" }, [
      el("span", { class: "aa-speed-text", text: "Speed" }),
      this.#speed,
    ]);
  }

  #chapters(chapters) {
    const items = chapters.map((ch) => {
      const node = el(
        "button",
        {
          type: "button",
          class: "aa-chapter",
          "aria-label": `${ch.title}, at ${spokenClock(ch.start)}`,
        },
        [
          el("span", { class: "aa-chapter-title", text: ch.title }),
          el("span", { class: "aa-chapter-time", text: clock(ch.start) }),
        ],
      );
      node.addEventListener("click", () => this.#actions.seek(ch.start, true));
      this.#chapterButtons.push(node);
      return el("li", {}, [node]);
    });
    return new Foldable("aa-chapters", "Chapters", el("ol", {}, items)).element;
  }

  #transcriptPart(cues) {
    this.#textBox = el("div", { class: "aa-text", role: "group", "aria-label": TRANSCRIPT_LABEL });
    for (const group of paragraphGroups(cues)) {
      const para = el("p", { class: PARAGRAPH_CLASSES[group.kind] });
      group.cues.forEach((index, n) => {
        if (n) para.append(" ");
        para.append(this.#cueNode(cues[index], index));
      });
      this.#textBox.append(para);
    }
    this.#textBox.addEventListener("keydown", (event) => this.#onTranscriptKey(event, cues));
    this.#transcript = new Foldable("aa-transcript", "Transcript", this.#textBox);
    return this.#transcript.element;
  }

  #cueNode(cue, index) {
    const node = el("span", {
      class: "aa-cue",
      role: "button",
      tabindex: index === 0 ? "0" : "-1",
    });
    node.dataset.index = String(index);
    const words = cue.words.map((w, j) => {
      const word = el("span", { class: "aa-word", text: w.text });
      node.append(...(j ? [" ", word] : [word]));
      return word;
    });
    if (!words.length) node.textContent = cue.text;
    node.addEventListener("click", () => this.#actions.seek(cue.start, true));
    this.#cueNodes.push(node);
    this.#wordNodes.push(words);
    return node;
  }

  #onKey(event) {
    if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT") return;
    if (!Object.hasOwn(KEY_ACTIONS, event.key)) return;
    event.preventDefault();
    const [name, ...args] = KEY_ACTIONS[event.key];
    this.#actions[name](...args);
  }

  // One tab stop for the whole transcript (roving tabindex, WAI-ARIA APG).
  #onTranscriptKey(event, cues) {
    const current = Number(event.target.dataset.index);
    if (!Number.isInteger(current)) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.#actions.seek(cues[current].start, true);
      return;
    }
    const next = transcriptMove(event.key, current, this.#cueNodes.length);
    if (next === null) return;
    event.preventDefault();
    event.target.tabIndex = -1;
    this.#cueNodes[next].tabIndex = 0;
    this.#cueNodes[next].focus();
  }

  /** The transcript's node of cue `index`, or null (an extension marks it; review.js). */
  cueNode(index) {
    return this.#cueNodes[index] || null;
  }

  /** Show `node`, a part of an extension's own, above the chapters and the transcript. */
  addPart(node) {
    this.#status.after(node);
  }

  /** The audio's real length, once its metadata is known. */
  showDuration(seconds) {
    this.#duration = seconds;
    this.#seek.max = String(seconds);
    this.#total.textContent = clock(seconds);
  }

  /** The elapsed time, as seen (aria-hidden: the slider speaks for it). */
  showTime(seconds) {
    this.#elapsed.textContent = clock(seconds);
  }

  // The slider is what a screen reader follows: it moves at the media element's
  // timeupdate pace, never every frame, and its spoken text is rewritten only
  // when the words change, so the reader is not made to chatter.
  showPosition(seconds) {
    this.#seek.value = String(seconds);
    const text = valueText(seconds, this.#duration);
    if (text === this.#valueText) return;
    this.#valueText = text;
    this.#seek.setAttribute("aria-valuetext", text);
  }

  /** Highlight cue `index` (-1: none); true if it changed. */
  markCue(index) {
    if (index === this.#cue || !this.#cueNodes.length) return false;
    if (this.#cue >= 0) this.#cueNodes[this.#cue].classList.remove("aa-current");
    if (index >= 0) {
      this.#cueNodes[index].classList.add("aa-current");
      this.#scrollToCue(this.#cueNodes[index]);
    }
    this.#cue = index;
    return true;
  }

  /** Highlight word `word` of cue `cue` (-1: none). */
  markWord(cue, word) {
    const node = (cue >= 0 && this.#wordNodes[cue][word]) || null;
    if (node === this.#word) return;
    if (this.#word) this.#word.classList.remove("aa-current");
    if (node) node.classList.add("aa-current");
    this.#word = node;
  }

  // Scroll only the transcript box, never the page around the player.
  #scrollToCue(node) {
    const box = this.#textBox;
    const top = node.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + node.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  /** Mark chapter `index` as the current one (-1: none). */
  markChapter(index) {
    if (index === this.#chapter) return;
    this.#chapterButtons.forEach((node, i) =>
      node.setAttribute("aria-current", String(i === index)),
    );
    this.#chapter = index;
  }

  showPlaying(playing) {
    this.#playButton.replaceChildren(icon(playing ? "pause" : "play"));
    this.#playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
  }

  showStatus(text) {
    this.#status.textContent = text;
  }

  /** The article on the page is the transcript: keep the copy folded away. */
  foldTranscript() {
    if (this.#transcript) this.#transcript.expand(false);
  }
}
