// The controller: the <article-audio> custom element. It loads the episode,
// turns it into a model, has the view render it, and drives the <audio>
// element: what the listener does becomes a seek or a rate, what the audio does
// becomes a highlight. Attributes (all observed: changing one reloads the player):
//   src="…/episode.json"        the episode record to play (fetched; needs http)
//   data-episode="ID"            read the record from the JSON script element with that id
//   follow-page[="selector"]     highlight the host page's paragraph being read and
//                                play from a clicked one, or one reached with Tab and
//                                Enter/Space (default FOLLOW_SELECTOR)
//   disclosure-url="URL"         link the AI-assistance label to an explanation
//   fit                          fill the host element's height (embed.html in an iframe; CSS only)

import { SKIP_SECONDS, chapterTarget, clampTime, positionAt, toModel, validRate } from "./model.js";
import { PlayerView, el } from "./view.js";
import { FOLLOW_SELECTOR, HostPage } from "./host.js";

const TAG = "article-audio";
const RATE_KEY = "articleaudio:playbackRate";

function storedRate() {
  try {
    return validRate(Number(window.localStorage.getItem(RATE_KEY)));
  } catch {
    return 1; // storage blocked (sandboxed iframe, privacy mode)
  }
}

function storeRate(rate) {
  try {
    window.localStorage.setItem(RATE_KEY, String(rate));
  } catch {
    /* not remembered, still applied */
  }
}

// The episode record: inline in the page (embed.html) or fetched (script embed).
async function loadModel(element, signal) {
  const options = { disclosureUrl: element.getAttribute("disclosure-url") };
  const inlineId = element.getAttribute("data-episode");
  if (inlineId) {
    const data = JSON.parse(document.getElementById(inlineId).textContent);
    return toModel(data.episode, document.baseURI, { ...options, ...data.options });
  }
  const src = new URL(element.getAttribute("src") || "episode.json", document.baseURI);
  const response = await fetch(src.href, { signal });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return toModel(await response.json(), src.href, options);
}

export class ArticleAudio extends HTMLElement {
  static observedAttributes = ["src", "data-episode", "follow-page", "disclosure-url"];
  /** The shadow root's stylesheet (player.css), given to defineArticleAudio. */
  static styles = "";
  /**
   * Functions called with { player, view, model, signal } once an episode is shown,
   * given to defineArticleAudio: the review page's (review.js); none in player.js.
   */
  static extensions = [];

  #model = null;
  #view = null;
  #host = null;
  #life = null; // AbortController of this connection: aborting it ends loads and listeners
  #frame = 0; // the pending animation frame, 0 when none
  #cue = -1;
  #ownsSession = false;

  /** The <audio> element, once the episode has loaded (tests and host pages use it). */
  get audio() {
    return this.#view ? this.#view.audio : null;
  }

  connectedCallback() {
    if (!this.#life) this.#start();
  }

  // A move within the page disconnects and reconnects in one task; only an
  // element still out of the page at the next microtask is really gone.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (!this.isConnected) this.#stop();
    });
  }

  attributeChangedCallback(name, before, after) {
    // Before the first connection the attributes are just being set: nothing to reload.
    if (before === after || !this.#life) return;
    this.#stop();
    this.#start();
  }

  #start() {
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    root.replaceChildren(el("style", { text: this.constructor.styles }));
    const life = new AbortController();
    this.#life = life;
    // A load that outlives its connection (the element removed, an attribute
    // changed) must not render into the next one.
    loadModel(this, life.signal)
      .then((model) => {
        if (!life.signal.aborted) this.#render(model, life.signal);
      })
      .catch((err) => {
        if (!life.signal.aborted) this.#fail(err);
      });
  }

  #stop() {
    if (!this.#life) return;
    this.#life.abort();
    this.#life = null;
    if (this.#frame) window.cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#view) this.#view.audio.pause();
    if (this.#host) this.#host.unlink();
    if (this.#ownsSession) clearMediaSession();
    this.#ownsSession = false;
    this.#model = this.#view = this.#host = null;
    this.#cue = -1;
    this.shadowRoot.replaceChildren();
  }

  #fail(err) {
    const text = `Audio unavailable (${err.message || err})`;
    this.shadowRoot.append(el("p", { class: "aa", role: "alert", text }));
  }

  #render(model, signal) {
    this.#model = model;
    const actions = {
      toggle: () => this.toggle(),
      skip: (delta) => this.skip(delta),
      seek: (seconds, andPlay) => this.seekTo(seconds, andPlay),
      setRate: (rate) => this.#setRate(rate),
    };
    this.#view = new PlayerView(model, actions, storedRate());
    this.shadowRoot.append(this.#view.region);
    this.#bindAudio(this.#view.audio, signal);
    if (this.hasAttribute("follow-page")) this.#followPage(signal);
    const view = this.#view;
    for (const extend of this.constructor.extensions) extend({ player: this, view, model, signal });
  }

  #followPage(signal) {
    const host = HostPage.link(document, {
      selector: this.getAttribute("follow-page") || FOLLOW_SELECTOR,
      cues: this.#model.cues,
      exclude: this,
      play: (seconds) => this.seekTo(seconds, true),
      signal,
    });
    if (!host.size) return;
    this.#host = host;
    this.#view.foldTranscript();
    this.#markHost();
  }

  #bindAudio(audio, signal) {
    const on = (type, handler) => audio.addEventListener(type, handler, { signal });
    const rate = storedRate();
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    on("loadedmetadata", () => {
      audio.playbackRate = this.#view.rate;
      if (Number.isFinite(audio.duration)) this.#view.showDuration(audio.duration);
      this.#view.showPosition(audio.currentTime);
    });
    on("play", () => this.#onPlayState(true));
    on("pause", () => this.#onPlayState(false));
    on("ended", () => this.#onPlayState(false));
    // The media element fires timeupdate as it plays and after every seek.
    on("timeupdate", () => this.#onTimeUpdate());
    on("error", () => this.#view.showStatus("The audio file could not be loaded."));
    this.#show();
  }

  toggle() {
    if (!this.audio) return;
    if (this.audio.paused) this.play();
    else this.audio.pause();
  }

  play() {
    const pending = this.audio && this.audio.play();
    if (pending)
      pending.catch(
        (err) => this.#view && this.#view.showStatus(`Playback blocked: ${err.message}`),
      );
  }

  skip(delta) {
    if (this.audio) this.seekTo(this.audio.currentTime + delta, false);
  }

  /** Seek to `seconds` (kept inside the audio) and, if `andPlay`, play from there. */
  seekTo(seconds, andPlay = false) {
    const audio = this.audio;
    if (!audio) return;
    const limit = Number.isFinite(audio.duration) ? audio.duration : this.#model.duration;
    audio.currentTime = clampTime(seconds, limit);
    this.#show();
    if (andPlay) this.play();
  }

  #setRate(rate) {
    this.audio.playbackRate = rate;
    this.audio.defaultPlaybackRate = rate;
    storeRate(rate);
  }

  #onPlayState(playing) {
    this.#view.showPlaying(playing);
    if (!playing) return;
    // One voice at a time: a second player on the page pauses the first.
    for (const other of document.querySelectorAll(TAG)) {
      if (other !== this && other.audio && !other.audio.paused) other.audio.pause();
    }
    this.#view.showStatus("");
    this.#setMediaSession();
    if (!this.#frame) this.#frame = window.requestAnimationFrame(this.#tick);
  }

  // timeupdate fires only ~4 times a second; word highlighting needs frames.
  #tick = () => {
    this.#frame = 0;
    if (!this.#view) return;
    this.#show();
    if (!this.audio.paused) this.#frame = window.requestAnimationFrame(this.#tick);
  };

  #onTimeUpdate() {
    this.#show();
    this.#view.showPosition(this.audio.currentTime);
  }

  // What every frame shows: the elapsed time and the cue, word and chapter.
  #show() {
    const t = this.audio.currentTime;
    const at = positionAt(this.#model, t);
    this.#view.showTime(t);
    this.#view.markCue(at.cue);
    this.#view.markWord(at.cue, at.word);
    this.#view.markChapter(at.chapter);
    if (at.cue === this.#cue) return;
    this.#cue = at.cue;
    this.#markHost();
  }

  #markHost() {
    if (this.#host) this.#host.mark(this.#cue >= 0 ? this.#model.cues[this.#cue].paragraph : -1);
  }

  #setMediaSession() {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    const m = this.#model;
    const artwork = m.image ? [{ src: m.image }] : [];
    navigator.mediaSession.metadata = new MediaMetadata({
      title: m.title,
      artist: m.artist,
      album: m.album,
      artwork,
    });
    const step = (by) => {
      const start = chapterTarget(m.chapters, this.audio.currentTime, by);
      if (start !== null) this.seekTo(start, false);
    };
    setSessionHandlers({
      play: () => this.play(),
      pause: () => this.audio.pause(),
      seekbackward: (d) => this.skip(-(d.seekOffset || SKIP_SECONDS)),
      seekforward: (d) => this.skip(d.seekOffset || SKIP_SECONDS),
      seekto: (d) => this.seekTo(d.seekTime, false),
      previoustrack: () => step(-1),
      nexttrack: () => step(1),
    });
    this.#ownsSession = true;
    for (const other of document.querySelectorAll(TAG)) {
      if (other !== this && #ownsSession in other) other.#ownsSession = false;
    }
  }
}

const SESSION_ACTIONS = [
  "play",
  "pause",
  "seekbackward",
  "seekforward",
  "seekto",
  "previoustrack",
  "nexttrack",
];

function setSessionHandlers(handlers) {
  for (const action of SESSION_ACTIONS) {
    try {
      navigator.mediaSession.setActionHandler(action, handlers[action] || null);
    } catch {
      /* action not supported by this browser */
    }
  }
}

// A removed player leaves no lock-screen controls that call into it.
function clearMediaSession() {
  if (!("mediaSession" in navigator)) return;
  navigator.mediaSession.metadata = null;
  setSessionHandlers({});
}

/**
 * Register <article-audio> with its stylesheet (and extensions: see
 * ArticleAudio.extensions); the shipped script's last line calls this (player.py).
 * A second copy of the script on one page keeps the first.
 */
export function defineArticleAudio(css, registry = window.customElements, extensions = []) {
  if (!registry.get(TAG)) {
    registry.define(
      TAG,
      class extends ArticleAudio {
        static styles = css;
        static extensions = Object.freeze([...extensions]);
      },
    );
  }
  return registry.get(TAG);
}
