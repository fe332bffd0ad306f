// Unit tests of the player's pure model (src/articleaudio/web/assets/model.js),
// run by Node's own test runner: `npm test`, or `make test`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  KEY_ACTIONS,
  RATES,
  chapterTarget,
  clampTime,
  clean,
  clock,
  fingerprint,
  findIndex,
  paragraphGroups,
  paragraphsByPrint,
  positionAt,
  safeHref,
  spokenClock,
  toModel,
  transcriptMove,
  validRate,
  valueText,
} from "../../src/articleaudio/web/assets/model.js";

const BASE = "https://audio.example/episodes/bridge/episode.json";

// A small seeded generator (mulberry32), so a failure can be replayed exactly.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Sorted starts with gaps and ties, as a real timeline can have (a word of zero length).
function sortedItems(rand, count) {
  let t = rand() * 2;
  return Array.from({ length: count }, () => {
    t += rand() < 0.1 ? 0 : rand() * 3;
    return { start: Math.round(t * 1000) / 1000 };
  });
}

function linearIndex(items, t) {
  let found = -1;
  items.forEach((item, i) => {
    if (item.start <= t) found = i;
  });
  return found;
}

// An episode.json as models.Episode.to_dict writes it, with `cues` [role, text, start, end, paragraph].
function episode(cues, extra = {}) {
  return {
    article: { title: "Harbour bridge", language: "en", authors: ["Ada"], publisher: "Daily" },
    files: { audio: "bridge.mp3" },
    disclosure: "This audio is created with AI assistance",
    timeline: {
      duration: 20,
      cues: cues.map(([role, text, start, end, paragraph]) => ({
        role,
        text,
        start,
        end,
        paragraph,
      })),
      chapters: [
        { title: "Introduction", start: 0, end: 6 },
        { title: "What changed", start: 6, end: 12.2 },
        { title: "What comes next", start: 12.2, end: 20 },
      ],
    },
    ...extra,
  };
}

const CUES = [
  ["title", "Harbour bridge", 0.3, 2, -1],
  ["disclosure", "This audio is created with AI assistance", 2.2, 3.4, -1],
  ["heading", "What changed", 6, 7, 0],
  ["sentence", "The bridge opened at dawn on Monday.", 7.2, 9.5, 1],
  ["sentence", "Crews had worked on it for nine months.", 9.6, 11.8, 1],
  ["heading", "What comes next", 12.2, 13, 2],
  ["sentence", "Tolls return in the spring.", 13.2, 16, 3],
];

describe("findIndex", () => {
  test("agrees with a linear scan for many random timelines and times", () => {
    const rand = random(14);
    for (let round = 0; round < 200; round++) {
      const items = sortedItems(rand, Math.floor(rand() * 40));
      const last = items.length ? items[items.length - 1].start : 0;
      const times = Array.from({ length: 50 }, () => rand() * (last + 4) - 2);
      times.push(...items.map((item) => item.start)); // exactly on a start
      for (const t of times) assert.equal(findIndex(items, t), linearIndex(items, t), `t=${t}`);
    }
  });

  test("is -1 before the first start and on an empty list", () => {
    assert.equal(findIndex([], 5), -1);
    assert.equal(findIndex([{ start: 1 }], 0.999), -1);
    assert.equal(findIndex([{ start: 1 }], Number.NaN), -1);
  });

  test("picks the last of equal starts", () => {
    assert.equal(findIndex([{ start: 0 }, { start: 1 }, { start: 1 }, { start: 2 }], 1), 2);
  });
});

describe("clock and spoken times", () => {
  test("formats minutes and hours", () => {
    const cases = [
      [0, "0:00"],
      [7.9, "0:07"],
      [65, "1:05"],
      [600, "10:00"],
      [3599.99, "59:59"],
      [3600, "1:00:00"],
      [3723, "1:02:03"],
      [36000, "10:00:00"],
    ];
    for (const [seconds, text] of cases) assert.equal(clock(seconds), text, String(seconds));
  });

  test("nonsense shows as zero", () => {
    for (const value of [-3, Number.NaN, Infinity, -Infinity, undefined]) {
      assert.equal(clock(value), "0:00");
      assert.equal(spokenClock(value), "0 s");
    }
  });

  test("reads back to the whole seconds it was given", () => {
    const rand = random(7);
    for (let i = 0; i < 2000; i++) {
      const seconds = rand() * 40000;
      const fields = clock(seconds).split(":").map(Number);
      const back = fields.reduce((total, field) => total * 60 + field, 0);
      assert.equal(back, Math.floor(seconds), clock(seconds));
      assert.ok(fields.slice(1).every((field) => field < 60));
      assert.match(clock(seconds), /^\d+(:\d\d){1,2}$/);
    }
  });

  test("spoken times say minutes and seconds", () => {
    assert.equal(spokenClock(10.6), "10 s");
    assert.equal(spokenClock(65), "1 min 5 s");
    assert.equal(spokenClock(3723), "62 min 3 s");
    assert.equal(valueText(10, 20), "10 s of 20 s");
  });
});

describe("text", () => {
  test("clean drops control characters only", () => {
    assert.equal(clean("a\u0007b\u0000c\u009f\td\ne"), "abc\td\ne");
    assert.equal(clean(null), "");
    assert.equal(clean(undefined), "");
    assert.equal(clean("\u202eevil\u202c 😀"), "\u202eevil\u202c 😀"); // not controls: kept
  });

  test("fingerprint ignores accents, case, punctuation and spacing", () => {
    const print = fingerprint("The bridge opened at dawn on Monday.");
    for (const typeset of [
      "the  bridge opened at dawn on MONDAY",
      "  The bridge\n   opened — at dawn, on Monday!  ",
      "The bridge opened at dawn on Mondáy.",
    ]) {
      assert.equal(fingerprint(typeset), print, typeset);
    }
    assert.notEqual(fingerprint("The bridge closed at dawn"), print);
  });

  test("fingerprint is short and idempotent", () => {
    const rand = random(3);
    const alphabet = "aZé é,.!?—\n\t0123456789ßøÅ";
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(rand() * 200);
      const text = Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const print = fingerprint(text.join(""));
      assert.ok(print.length <= 80);
      assert.equal(fingerprint(print), print.trim());
      assert.equal(print, print.toLowerCase());
    }
  });
});

describe("safeHref", () => {
  test("resolves http(s) addresses and refuses other schemes", () => {
    assert.equal(
      safeHref("images/a.jpg", BASE),
      "https://audio.example/episodes/bridge/images/a.jpg",
    );
    assert.equal(safeHref("http://x.example/y", BASE), "http://x.example/y");
    for (const url of ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd"]) {
      assert.equal(safeHref(url, BASE), null, url);
    }
    assert.equal(safeHref("http://[::1", BASE), null); // unparsable
  });
});

describe("toModel", () => {
  test("reads episode.json into frozen cues, words and chapters", () => {
    const data = episode(CUES);
    data.timeline.cues[3].words = [
      ["The", 7.2, 7.5],
      ["bridge\u0007", 7.5, 8],
    ];
    const model = toModel(data, BASE);
    assert.equal(model.audio, "https://audio.example/episodes/bridge/bridge.mp3");
    assert.equal(model.title, "Harbour bridge");
    assert.equal(model.artist, "Ada");
    assert.equal(model.language, "en");
    assert.equal(model.duration, 20);
    assert.equal(model.cues.length, CUES.length);
    assert.deepEqual(model.cues[3].words[1], { text: "bridge", start: 7.5, end: 8 });
    assert.deepEqual(model.cues[4].words, []);
    assert.deepEqual(
      model.chapters.map((ch) => ch.title),
      ["Introduction", "What changed", "What comes next"],
    );
    for (const frozen of [
      model,
      model.cues,
      model.cues[3],
      model.cues[3].words[0],
      model.chapters[0],
    ]) {
      assert.ok(Object.isFrozen(frozen));
    }
  });

  test("fills defaults and refuses unsafe values", () => {
    const data = episode([["sentence", "Hi", 0, 1, undefined]]);
    data.article = { title: "T\u0000", language: 'en"><x', publisher: "Daily" };
    data.disclosure = "";
    data.files = { art: "art-1.png" };
    data.audio = { file: "x.mp3" };
    const model = toModel(data, BASE, { disclosureUrl: "javascript:alert(1)" });
    assert.equal(model.title, "T");
    assert.equal(model.language, "");
    assert.equal(model.artist, "Daily"); // no authors: the publisher
    assert.equal(model.disclosure, "This audio is created with AI assistance");
    assert.equal(model.disclosureUrl, null);
    assert.equal(model.audio, "https://audio.example/episodes/bridge/x.mp3");
    assert.equal(model.image, "https://audio.example/episodes/bridge/art-1.png");
    assert.equal(model.cues[0].paragraph, -1);
    assert.equal(model.cues[0].role, "sentence");
  });

  test("takes an article image only as an http(s) address", () => {
    const data = episode([]);
    data.article.image = "javascript:alert(1)";
    assert.equal(toModel(data, BASE).image, null);
    data.article.image = "lead.jpg";
    assert.equal(toModel(data, BASE).image, "https://audio.example/episodes/bridge/lead.jpg");
  });
});

describe("positionAt and chapterTarget", () => {
  test("cue, word and chapter agree with linear scans", () => {
    const rand = random(21);
    const data = episode(CUES);
    data.timeline.cues = data.timeline.cues.map((cue) => {
      const words = cue.text.split(" ");
      const step = (cue.end - cue.start) / words.length;
      return {
        ...cue,
        words: words.map((w, i) => [w, cue.start + i * step, cue.start + (i + 1) * step]),
      };
    });
    const model = toModel(data, BASE);
    for (let i = 0; i < 5000; i++) {
      const t = rand() * 22 - 1;
      const at = positionAt(model, t);
      assert.equal(at.cue, linearIndex(model.cues, t));
      assert.equal(at.chapter, linearIndex(model.chapters, t));
      const words = at.cue >= 0 ? model.cues[at.cue].words : [];
      assert.equal(at.word, words.length ? linearIndex(words, t) : -1);
    }
  });

  test("a cue without words has no word position", () => {
    const model = toModel(episode(CUES), BASE);
    assert.deepEqual(positionAt(model, 8), { cue: 3, word: -1, chapter: 1 });
    assert.deepEqual(positionAt(model, 0.1), { cue: -1, word: -1, chapter: 0 });
  });

  test("steps between chapters and stops at the ends", () => {
    const { chapters } = toModel(episode(CUES), BASE);
    assert.equal(chapterTarget(chapters, 8, 1), 12.2);
    assert.equal(chapterTarget(chapters, 8, -1), 0);
    assert.equal(chapterTarget(chapters, 8, 0), 6);
    assert.equal(chapterTarget(chapters, 19, 5), 12.2);
    assert.equal(chapterTarget(chapters, 1, -5), 0);
    assert.equal(chapterTarget([], 3, 1), null);
  });
});

describe("transcript layout and keys", () => {
  test("paragraph groups rejoin to the cues in order and never mix paragraphs", () => {
    const model = toModel(episode(CUES), BASE);
    const groups = paragraphGroups(model.cues);
    assert.deepEqual(
      groups.flatMap((group) => group.cues),
      model.cues.map((_, i) => i),
    );
    for (const group of groups) {
      assert.equal(new Set(group.cues.map((i) => model.cues[i].paragraph)).size, 1);
    }
    assert.deepEqual(
      groups.map((group) => group.kind),
      ["intro", "heading", "", "heading", ""],
    );
  });

  test("arrow, Home and End keys move within the sentences", () => {
    assert.equal(transcriptMove("ArrowDown", 3, 7), 4);
    assert.equal(transcriptMove("ArrowRight", 6, 7), 6); // stays on the last
    assert.equal(transcriptMove("ArrowUp", 0, 7), 0);
    assert.equal(transcriptMove("ArrowLeft", 3, 7), 2);
    assert.equal(transcriptMove("Home", 5, 7), 0);
    assert.equal(transcriptMove("End", 1, 7), 6);
    assert.equal(transcriptMove("Enter", 1, 7), null);
    assert.equal(transcriptMove("toString", 1, 7), null); // not an inherited property
    assert.equal(transcriptMove("ArrowDown", 0, 0), null);
  });

  test("the player's shortcuts are toggle and skips", () => {
    assert.deepEqual(KEY_ACTIONS.k, ["toggle"]);
    assert.equal(KEY_ACTIONS.j[1], -KEY_ACTIONS.l[1]);
  });
});

describe("host page paragraphs", () => {
  test("each paragraph is found by the fingerprint of its sentences, from its first start", () => {
    const byPrint = paragraphsByPrint(toModel(episode(CUES), BASE).cues);
    assert.deepEqual(byPrint.get(fingerprint("What changed")), { paragraph: 0, start: 6 });
    const text = "The bridge opened at dawn on Monday. Crews had worked on it for nine months.";
    assert.deepEqual(byPrint.get(fingerprint(text)), { paragraph: 1, start: 7.2 });
    assert.equal(byPrint.size, 4); // the intro (title, label) is not on the page
  });
});

describe("rates and times", () => {
  test("only the menu's rates are remembered", () => {
    for (const rate of RATES) assert.equal(validRate(rate), rate);
    for (const rate of [0, 3, Number.NaN, 1.1]) assert.equal(validRate(rate), 1);
  });

  test("clampTime stays inside the audio", () => {
    assert.equal(clampTime(-5, 20), 0);
    assert.equal(clampTime(25, 20), 20);
    assert.equal(clampTime(7.5, 20), 7.5);
  });
});
