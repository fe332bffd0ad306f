// articleaudio player: the <article-audio> web component.
// Used inline by embed.html (data in a JSON script element) and as
// a script embed on article pages. Attributes:
//   src="…/episode.json"        the episode record to play (fetched; needs http)
//   data-episode="ID"            read the record from the JSON script element with that id
//   follow-page[="selector"]     highlight the host page's paragraph being read and
//                                play from a clicked one, or one reached with Tab and
//                                Enter/Space (default FOLLOW_SELECTOR)
//   disclosure-url="URL"         link the AI-assistance label to an explanation
//   fit                          fill the host element's height (embed.html in an iframe)
// Every piece of article text is set with textContent, never parsed as HTML.
// The bundler in player.py wraps this file in a function that receives CSS.

const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
const RATE_KEY = "articleaudio:playbackRate";
const SKIP_SECONDS = 15;
const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = { play: "M8 5v14l11-7z", pause: "M6 5h4v14H6zM14 5h4v14h-4z" };
const FINGERPRINT_CHARS = 80;
const HOST_STYLE_ID = "article-audio-host-style";
// Every kind of block the extractor reads as a paragraph (extract_dom.CANDIDATE_TAGS):
// a list item or a heading is spoken, so it is highlighted and playable too.
const FALLBACK_SELECTOR = "p, li, h2, h3, h4, h5, h6, blockquote";
const FOLLOW_SELECTOR = `article :is(${FALLBACK_SELECTOR}), main :is(${FALLBACK_SELECTOR})`;
// Elements with no semantics of their own to lose may become buttons; a list item
// or a heading keeps its role (lists and heading navigation stay intact).
const BUTTON_TAGS = new Set(["P", "DIV", "SPAN"]);
// C0/C1 control characters have no glyph; they would show as boxes.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function clean(value) {
  return String(value ?? "").replace(CONTROLS, "");
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}

function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "24");
  svg.setAttribute("height", "24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

// A titled part that folds away. A button with aria-expanded rather than
// <details>, whose content box cannot be laid out as a flex item (the
// transcript must take the frame's remaining height and scroll inside it).
function foldable(className, title, body) {
  body.id = `${className}-body`;
  const toggle = el("button", { type: "button", class: "aa-toggle", "aria-controls": body.id, text: title });
  const part = el("div", { class: `aa-part ${className}` }, [toggle, body]);
  part.expand = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    body.hidden = !open;
    part.classList.toggle("aa-folded", !open);
  };
  toggle.addEventListener("click", () => part.expand(body.hidden));
  part.expand(true);
  return part;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function spokenClock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const m = Math.floor(s / 60);
  return m ? `${m} min ${s % 60} s` : `${s % 60} s`;
}

// Text → comparable key: accents, case, punctuation and spacing removed, so a
// host page's <p> matches the transcript however it was typeset.
function fingerprint(text) {
  return String(text)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .slice(0, FINGERPRINT_CHARS);
}

// Last index whose start is <= t, or -1: cues are sorted by start.
function findIndex(items, t) {
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

function safeHref(url, base) {
  try {
    const parsed = new URL(url, base);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

// episode.json (models.Episode.to_dict) → what the player needs.
function toModel(episode, base, options) {
  const article = episode.article || {};
  const timeline = episode.timeline || {};
  const audioFile = (episode.files && episode.files.audio) || (episode.audio && episode.audio.file);
  const artFile = episode.files && episode.files.art;
  const cues = (timeline.cues || []).map((c) => ({
    text: clean(c.text),
    start: Number(c.start),
    end: Number(c.end),
    role: String(c.role || "sentence"),
    paragraph: Number.isInteger(c.paragraph) ? c.paragraph : -1,
    words: (c.words || []).map((w) => ({ text: clean(w[0]), start: Number(w[1]), end: Number(w[2]) })),
  }));
  return {
    title: clean(article.title),
    language: /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(article.language || "") ? article.language : "",
    artist: clean((article.authors || []).join(", ") || article.publisher),
    album: clean(article.publisher),
    // The episode's own art file; the article's image URL may be relative to the article.
    image: artFile ? new URL(String(artFile), base).href : article.image ? safeHref(article.image, base) : null,
    disclosure: clean(episode.disclosure || "This audio is created with AI assistance"),
    disclosureUrl: options.disclosureUrl ? safeHref(options.disclosureUrl, base) : null,
    audio: new URL(String(audioFile), base).href,
    duration: Number(timeline.duration) || 0,
    cues,
    chapters: (timeline.chapters || []).map((ch) => ({
      title: clean(ch.title),
      start: Number(ch.start),
      end: Number(ch.end),
    })),
  };
}

function storedRate() {
  try {
    const value = Number(window.localStorage.getItem(RATE_KEY));
    return RATES.includes(value) ? value : 1;
  } catch (_) {
    return 1; // storage blocked (sandboxed iframe, privacy mode)
  }
}

function storeRate(rate) {
  try {
    window.localStorage.setItem(RATE_KEY, String(rate));
  } catch (_) {
    /* not remembered, still applied */
  }
}

class ArticleAudio extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    root.append(el("style", { text: CSS }));
    this.load().catch((err) => this.fail(err));
  }

  get audio() {
    return this._audio || null;
  }

  async load() {
    const options = { disclosureUrl: this.getAttribute("disclosure-url") };
    const inlineId = this.getAttribute("data-episode");
    if (inlineId) {
      const data = JSON.parse(document.getElementById(inlineId).textContent);
      this.render(toModel(data.episode, document.baseURI, { ...options, ...data.options }));
      return;
    }
    const src = new URL(this.getAttribute("src") || "episode.json", document.baseURI);
    const response = await fetch(src.href);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    this.render(toModel(await response.json(), src.href, options));
  }

  fail(err) {
    this.shadowRoot.append(el("p", { class: "aa", role: "alert", text: `Audio unavailable (${err.message || err})` }));
  }

  render(model) {
    this.model = model;
    const audio = el("audio", { preload: "metadata", src: model.audio });
    this._audio = audio;
    const region = el("section", { class: "aa", "aria-label": `Audio version: ${model.title}` }, [
      this.renderDisclosure(model),
      el("p", { class: "aa-title", text: model.title }),
      audio,
      this.renderControls(model),
      (this.status = el("p", { class: "aa-status", role: "status" })),
    ]);
    if (model.chapters.length) region.append(this.renderChapters(model));
    if (model.cues.length) region.append(this.renderTranscript(model));
    // The article's language for its own text, so screen readers pronounce it
    // right; the controls' labels stay English.
    if (model.language) {
      for (const node of region.querySelectorAll(".aa-title, .aa-chapters ol, .aa-text")) node.lang = model.language;
    }
    this.shadowRoot.append(region);
    this.bindAudio(audio);
    if (this.hasAttribute("follow-page")) this.linkHostParagraphs();
    // The article on the page is the transcript: keep the copy folded away.
    if (this.hostParagraphs && this.hostParagraphs.size && this.transcript) this.transcript.expand(false);
  }

  renderDisclosure(model) {
    const label = el("p", { class: "aa-disclosure" });
    if (model.disclosureUrl) label.append(el("a", { href: model.disclosureUrl, target: "_blank", rel: "noopener", text: model.disclosure }));
    else label.textContent = model.disclosure;
    return label;
  }

  renderControls(model) {
    this.playButton = el("button", { type: "button", class: "aa-play", "aria-label": "Play" }, [icon("play")]);
    this.playButton.addEventListener("click", () => this.toggle());
    const back = el("button", { type: "button", class: "aa-back", "aria-label": `Back ${SKIP_SECONDS} seconds`, text: `−${SKIP_SECONDS}s` });
    back.addEventListener("click", () => this.skip(-SKIP_SECONDS));
    const fwd = el("button", { type: "button", class: "aa-fwd", "aria-label": `Forward ${SKIP_SECONDS} seconds`, text: `+${SKIP_SECONDS}s` });
    fwd.addEventListener("click", () => this.skip(SKIP_SECONDS));
    this.seek = el("input", { type: "range", class: "aa-seek", min: "0", max: String(model.duration), step: "0.1", value: "0", "aria-label": "Seek" });
    this.seek.addEventListener("input", () => this.seekTo(Number(this.seek.value), false));
    this.elapsed = el("span", { class: "aa-elapsed", text: "0:00" });
    this.total = el("span", { class: "aa-total", text: clock(model.duration) });
    const time = el("span", { class: "aa-time", "aria-hidden": "true" }, [this.elapsed, " / ", this.total]);
    this.speed = el("select", { class: "aa-speed", "aria-label": "Playback speed" });
    for (const rate of RATES) this.speed.append(el("option", { value: String(rate), text: `${rate}×` }));
    this.speed.value = String(storedRate());
    this.speed.addEventListener("change", () => this.setRate(Number(this.speed.value)));
    const speedLabel = el("label", { class: "aa-speed-label" }, [el("span", { class: "aa-speed-text", text: "Speed" }), this.speed]);
    const controls = el("div", { class: "aa-controls", role: "group", "aria-label": "Player controls" }, [
      this.playButton, back, fwd, speedLabel, el("div", { class: "aa-seekrow" }, [this.seek, time]),
    ]);
    controls.addEventListener("keydown", (event) => this.onKey(event));
    return controls;
  }

  renderChapters(model) {
    this.chapterButtons = model.chapters.map((ch) => {
      const button = el("button", { type: "button", class: "aa-chapter", "aria-label": `${ch.title}, at ${spokenClock(ch.start)}` }, [
        el("span", { class: "aa-chapter-title", text: ch.title }),
        el("span", { class: "aa-chapter-time", text: clock(ch.start) }),
      ]);
      button.addEventListener("click", () => this.jump(ch.start));
      return el("li", {}, [button]);
    });
    return foldable("aa-chapters", "Chapters", el("ol", {}, this.chapterButtons));
  }

  renderTranscript(model) {
    this.textBox = el("div", { class: "aa-text", role: "group", "aria-label": "Transcript; use arrow keys to move, Enter to play from a sentence" });
    let para = null;
    let paraKey = null;
    this.cueNodes = model.cues.map((cue, i) => {
      const key = cue.paragraph < 0 ? "intro" : `p:${cue.paragraph}`;
      if (key !== paraKey) {
        const kind = { intro: "aa-intro", heading: "aa-heading" }[cue.paragraph < 0 ? "intro" : cue.role] || "";
        para = el("p", { class: `aa-para ${kind}`.trim() });
        this.textBox.append(para);
        paraKey = key;
      }
      const node = el("span", { class: "aa-cue", role: "button", tabindex: i === 0 ? "0" : "-1" });
      node.dataset.index = String(i);
      cue.wordNodes = cue.words.map((w, j) => {
        const word = el("span", { class: "aa-word", text: w.text });
        if (j) node.append(" ");
        node.append(word);
        return word;
      });
      if (!cue.words.length) node.textContent = cue.text;
      node.addEventListener("click", () => this.jump(cue.start));
      if (para.childNodes.length) para.append(" ");
      para.append(node);
      return node;
    });
    this.textBox.addEventListener("keydown", (event) => this.onTranscriptKey(event));
    this.transcript = foldable("aa-transcript", "Transcript", this.textBox);
    return this.transcript;
  }

  bindAudio(audio) {
    const rate = storedRate();
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    audio.addEventListener("loadedmetadata", () => {
      audio.playbackRate = Number(this.speed.value);
      if (Number.isFinite(audio.duration)) {
        this.seek.max = String(audio.duration);
        this.total.textContent = clock(audio.duration);
      }
    });
    audio.addEventListener("play", () => this.onPlayState(true));
    audio.addEventListener("pause", () => this.onPlayState(false));
    audio.addEventListener("ended", () => this.onPlayState(false));
    audio.addEventListener("timeupdate", () => this.update());
    audio.addEventListener("seeked", () => this.update());
    audio.addEventListener("error", () => (this.status.textContent = "The audio file could not be loaded."));
    this.update();
  }

  toggle() {
    if (this._audio.paused) this.play();
    else this._audio.pause();
  }

  play() {
    const pending = this._audio.play();
    if (pending) pending.catch((err) => (this.status.textContent = `Playback blocked: ${err.message}`));
  }

  skip(delta) {
    this.seekTo(this._audio.currentTime + delta, false);
  }

  seekTo(seconds, andPlay) {
    const limit = Number.isFinite(this._audio.duration) ? this._audio.duration : this.model.duration;
    this._audio.currentTime = Math.min(Math.max(0, seconds), limit);
    this.update();
    if (andPlay) this.play();
  }

  jump(seconds) {
    this.seekTo(seconds, true);
  }

  setRate(rate) {
    this._audio.playbackRate = rate;
    this._audio.defaultPlaybackRate = rate;
    storeRate(rate);
  }

  onPlayState(playing) {
    this.playButton.replaceChildren(icon(playing ? "pause" : "play"));
    this.playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    if (playing) {
      // One voice at a time: a second player on the page pauses the first.
      for (const other of document.querySelectorAll("article-audio")) {
        if (other !== this && other.audio && !other.audio.paused) other.audio.pause();
      }
      this.status.textContent = "";
      this.setMediaSession();
      this.tick();
    }
  }

  // timeupdate fires only ~4 times a second; word highlighting needs frames.
  tick() {
    this.update();
    if (!this._audio.paused) window.requestAnimationFrame(() => this.tick());
  }

  update() {
    const t = this._audio.currentTime;
    this.elapsed.textContent = clock(t);
    this.seek.value = String(t);
    this.seek.setAttribute("aria-valuetext", `${spokenClock(t)} of ${spokenClock(Number(this.seek.max))}`);
    this.markCue(findIndex(this.model.cues, t), t);
    this.markChapter(findIndex(this.model.chapters, t));
  }

  markCue(index, t) {
    if (!this.cueNodes) return;
    if (index !== this.cueIndex) {
      if (this.cueIndex >= 0) this.cueNodes[this.cueIndex].classList.remove("aa-current");
      if (index >= 0) {
        this.cueNodes[index].classList.add("aa-current");
        this.scrollToCue(this.cueNodes[index]);
      }
      this.cueIndex = index;
      this.markHostParagraph(index >= 0 ? this.model.cues[index].paragraph : -1);
    }
    const cue = this.model.cues[index];
    const word = cue && cue.words.length ? findIndex(cue.words, t) : -1;
    if (this.word && this.word !== (cue && cue.wordNodes[word])) this.word.classList.remove("aa-current");
    this.word = word >= 0 ? cue.wordNodes[word] : null;
    if (this.word) this.word.classList.add("aa-current");
  }

  // Scroll only the transcript box, never the page around the player.
  scrollToCue(node) {
    const box = this.textBox;
    const top = node.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + node.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  markChapter(index) {
    if (!this.chapterButtons || index === this.chapterIndex) return;
    this.chapterButtons.forEach((li, i) => li.firstChild.setAttribute("aria-current", String(i === index)));
    this.chapterIndex = index;
  }

  onKey(event) {
    if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT") return;
    const actions = { k: () => this.toggle(), j: () => this.skip(-SKIP_SECONDS), l: () => this.skip(SKIP_SECONDS) };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  // One tab stop for the whole transcript (roving tabindex, WAI-ARIA APG).
  onTranscriptKey(event) {
    const current = Number(event.target.dataset.index);
    if (!Number.isInteger(current)) return;
    const moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -current, End: this.cueNodes.length - 1 - current };
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.jump(this.model.cues[current].start);
    } else if (event.key in moves) {
      event.preventDefault();
      const next = Math.min(Math.max(0, current + moves[event.key]), this.cueNodes.length - 1);
      event.target.tabIndex = -1;
      this.cueNodes[next].tabIndex = 0;
      this.cueNodes[next].focus();
    }
  }

  setMediaSession() {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    const m = this.model;
    const artwork = m.image ? [{ src: m.image }] : [];
    navigator.mediaSession.metadata = new MediaMetadata({ title: m.title, artist: m.artist, album: m.album, artwork });
    const handlers = {
      play: () => this.play(),
      pause: () => this._audio.pause(),
      seekbackward: (d) => this.skip(-(d.seekOffset || SKIP_SECONDS)),
      seekforward: (d) => this.skip(d.seekOffset || SKIP_SECONDS),
      seekto: (d) => this.seekTo(d.seekTime, false),
      previoustrack: () => this.chapterStep(-1),
      nexttrack: () => this.chapterStep(1),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch (_) {
        /* action not supported by this browser */
      }
    }
  }

  chapterStep(step) {
    const chapters = this.model.chapters;
    const i = findIndex(chapters, this._audio.currentTime);
    const target = chapters[Math.min(Math.max(0, i + step), chapters.length - 1)];
    if (target) this.seekTo(target.start, false);
  }

  // Script embed: match the host page's paragraphs to transcript paragraphs by
  // fingerprint, highlight the one being read, play from the one clicked.
  linkHostParagraphs() {
    const starts = new Map();
    const texts = new Map();
    this.model.cues.forEach((cue) => {
      if (cue.paragraph < 0) return;
      if (!starts.has(cue.paragraph)) starts.set(cue.paragraph, cue.start);
      texts.set(cue.paragraph, `${texts.get(cue.paragraph) || ""} ${cue.text}`);
    });
    const byPrint = new Map();
    for (const [paragraph, text] of texts) byPrint.set(fingerprint(text), paragraph);
    const selector = this.getAttribute("follow-page") || FOLLOW_SELECTOR;
    let hostNodes = Array.from(document.querySelectorAll(selector));
    if (!hostNodes.length) hostNodes = Array.from(document.querySelectorAll(FALLBACK_SELECTOR));
    this.hostParagraphs = new Map();
    for (const node of hostNodes) {
      const paragraph = byPrint.get(fingerprint(node.textContent));
      if (paragraph === undefined || this.contains(node)) continue;
      // A <p> inside a matched <li> or <blockquote> is the same block: one tab stop.
      if (node.parentElement && node.parentElement.closest("[data-article-audio-paragraph]")) continue;
      this.hostParagraphs.set(paragraph, node);
      this.linkHostNode(node, starts.get(paragraph), paragraph);
    }
    if (this.hostParagraphs.size) this.addHostStyle();
  }

  linkHostNode(node, start, paragraph) {
    node.dataset.articleAudioParagraph = String(paragraph);
    if (!node.hasAttribute("tabindex")) node.tabIndex = 0;
    if (BUTTON_TAGS.has(node.tagName) && !node.hasAttribute("role")) node.setAttribute("role", "button");
    node.addEventListener("click", (event) => {
      if (event.target.closest("a, button, input, select, textarea, label")) return;
      if (String(window.getSelection() || "")) return; // the reader is selecting text
      this.jump(start);
    });
    // Enter and Space as on a button (WAI-ARIA APG button pattern); keys pressed on
    // a link inside the paragraph stay the link's.
    node.addEventListener("keydown", (event) => {
      if (event.target !== node || (event.key !== "Enter" && event.key !== " ")) return;
      event.preventDefault();
      this.jump(start);
    });
  }

  addHostStyle() {
    if (document.getElementById(HOST_STYLE_ID)) return;
    const style = el("style", { id: HOST_STYLE_ID });
    style.textContent =
      "[data-article-audio-paragraph]{cursor:pointer}" +
      "[data-article-audio-paragraph]:focus-visible{outline:3px solid #1a5fb4;outline-offset:3px}" +
      "[data-article-audio-reading]{background:rgba(255,213,79,.35);box-shadow:0 0 0 4px rgba(255,213,79,.35);border-radius:2px}";
    document.head.append(style);
  }

  markHostParagraph(paragraph) {
    if (!this.hostParagraphs) return;
    const node = this.hostParagraphs.get(paragraph) || null;
    if (node === this.hostReading) return;
    if (this.hostReading) delete this.hostReading.dataset.articleAudioReading;
    if (node) node.dataset.articleAudioReading = "";
    this.hostReading = node;
  }
}

ArticleAudio.prototype.cueIndex = -1;
ArticleAudio.prototype.chapterIndex = -2;
if (!customElements.get("article-audio")) customElements.define("article-audio", ArticleAudio);
