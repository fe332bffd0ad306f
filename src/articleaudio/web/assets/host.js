// The host page's side of the script embed: find the article's paragraphs on
// the page by fingerprint, highlight the one being read, play from the one the
// reader clicks (or reaches with Tab and starts with Enter or Space). unlink()
// puts the page back as it was; listeners end with the signal given.

import { paragraphsByPrint, fingerprint } from "./model.js";

// Every kind of block the extractor reads as a paragraph (extract/dom.py CANDIDATE_TAGS):
// a list item or a heading is spoken, so it is highlighted and playable too.
export const FALLBACK_SELECTOR = "p, li, h2, h3, h4, h5, h6, blockquote";
export const FOLLOW_SELECTOR = `article :is(${FALLBACK_SELECTOR}), main :is(${FALLBACK_SELECTOR})`;
// Elements with no semantics of their own to lose may become buttons; a list item
// or a heading keeps its role (lists and heading navigation stay intact).
const BUTTON_TAGS = new Set(["P", "DIV", "SPAN"]);
// A click or key on one of these inside a paragraph is the control's, not ours.
const INTERACTIVE = "a, button, input, select, textarea, label";
const PARAGRAPH_ATTR = "data-article-audio-paragraph";
const READING_ATTR = "data-article-audio-reading";
const STYLE_ID = "article-audio-host-style";
// The host page themes the highlight with custom properties, set on any
// ancestor of its article (:root, say); the values after the commas are the
// defaults. Appended to <head>, so these rules win over the page's own
// equally specific ones and the properties are the way to change them.
const READING = "var(--article-audio-highlight, rgba(255, 213, 79, 0.35))";
const HOST_CSS = [
  `[${PARAGRAPH_ATTR}] { cursor: pointer; }`,
  `[${PARAGRAPH_ATTR}]:focus-visible { outline: 3px solid var(--article-audio-focus, #1a5fb4); outline-offset: 3px; }`,
  `[${READING_ATTR}] { background: ${READING}; box-shadow: 0 0 0 4px var(--article-audio-highlight-ring, ${READING}); border-radius: 2px; }`,
].join("\n");

function addStyle(doc) {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement("style");
  style.id = STYLE_ID;
  style.textContent = HOST_CSS;
  doc.head.append(style);
}

// The page's blocks that the selector names, or any block when it names none.
function candidates(doc, selector) {
  const nodes = Array.from(doc.querySelectorAll(selector));
  return nodes.length ? nodes : Array.from(doc.querySelectorAll(FALLBACK_SELECTOR));
}

export class HostPage {
  #linked = new Map(); // paragraph index → the host node that shows it
  #undo = []; // what puts the page back, newest last
  #reading = null;

  /**
   * Link the page's blocks to the model's paragraphs. options: { selector, cues,
   * exclude (the player element: its own children are not the article),
   * play(seconds), signal }.
   */
  static link(doc, options) {
    const host = new HostPage();
    const byPrint = paragraphsByPrint(options.cues);
    for (const node of candidates(doc, options.selector)) {
      const found = byPrint.get(fingerprint(node.textContent));
      if (!found || options.exclude.contains(node)) continue;
      // A <p> inside a matched <li> or <blockquote> is the same block: one tab stop.
      if (node.parentElement && node.parentElement.closest(`[${PARAGRAPH_ATTR}]`)) continue;
      host.#linkNode(node, found, options);
    }
    if (host.size) addStyle(doc);
    return host;
  }

  /** How many of the model's paragraphs were found on the page. */
  get size() {
    return this.#linked.size;
  }

  #linkNode(node, { paragraph, start }, { play, signal }) {
    this.#linked.set(paragraph, node);
    node.setAttribute(PARAGRAPH_ATTR, String(paragraph));
    this.#undo.push(() => node.removeAttribute(PARAGRAPH_ATTR));
    for (const [name, value, when] of [
      ["tabindex", "0", true],
      ["role", "button", BUTTON_TAGS.has(node.tagName)],
    ]) {
      if (!when || node.hasAttribute(name)) continue;
      node.setAttribute(name, value);
      this.#undo.push(() => node.removeAttribute(name));
    }
    node.addEventListener("click", (event) => onClick(event, start, play), { signal });
    node.addEventListener("keydown", (event) => onKey(event, node, start, play), { signal });
  }

  /** Highlight the block of paragraph `paragraph` (-1 or unknown: none). */
  mark(paragraph) {
    const node = this.#linked.get(paragraph) || null;
    if (node === this.#reading) return;
    if (this.#reading) this.#reading.removeAttribute(READING_ATTR);
    if (node) node.setAttribute(READING_ATTR, "");
    this.#reading = node;
  }

  /** Remove every attribute this added (the shared style stays for other players). */
  unlink() {
    this.mark(-1);
    for (const undo of this.#undo.reverse()) undo();
    this.#undo = [];
    this.#linked.clear();
  }
}

function onClick(event, start, play) {
  if (event.target.closest(INTERACTIVE)) return;
  if (String(window.getSelection() || "")) return; // the reader is selecting text
  play(start);
}

// Enter and Space as on a button (WAI-ARIA APG button pattern); keys pressed on
// a link inside the paragraph stay the link's.
function onKey(event, node, start, play) {
  if (event.target !== node || (event.key !== "Enter" && event.key !== " ")) return;
  event.preventDefault();
  play(start);
}
