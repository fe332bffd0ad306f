// Unit tests of the review page's pure part (src/articleaudio/web/assets/review-model.js),
// run by Node's own test runner: `npm test`, or `make test`.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { toModel } from "../../src/articleaudio/web/assets/model.js";
import {
  CLIP_SLACK,
  FLAG_KINDS,
  clipDone,
  clipHolds,
  cueLabel,
  flagLabel,
  flagTime,
  flagsByCue,
  reviewSummary,
  toFlags,
} from "../../src/articleaudio/web/assets/review-model.js";

const BASE = "https://audio.example/episodes/bridge/review.html";
const CUES = [
  ["title", "Harbour bridge", 0.3, 2, -1],
  ["sentence", "NATO leaders met in Vilnius.", 2.2, 4.6, 0],
  ["sentence", "The summit cost 12 million euros.", 4.8, 7.5, 0],
  ["sentence", "It ended on Tuesday.", 7.7, 9.1, 1],
];
const MODEL = toModel(
  {
    article: { title: "Harbour bridge", language: "en" },
    files: { audio: "bridge.mp3" },
    timeline: {
      duration: 10,
      cues: CUES.map(([role, text, start, end, paragraph]) => ({
        role,
        text,
        start,
        end,
        paragraph,
      })),
    },
  },
  BASE,
);

// A flag as review.py writes it into the page's data (check.json without times).
function flag(index, score, extra = {}) {
  return {
    index,
    kind: "name",
    against: "spoken",
    text: CUES[index] ? CUES[index][1] : "gone",
    meant: "nato leaders met in vilnius",
    heard: "nado leaders met in vilnius",
    score,
    suggestion: null,
    ...extra,
  };
}

describe("toFlags", () => {
  test("sorts by score, highest first, ties in spoken order, and ranks from 1", () => {
    const review = { flags: [flag(3, 0.4), flag(1, 0.9), flag(2, 0.4)] };
    const flags = toFlags(review, MODEL.cues);
    assert.deepEqual(
      flags.map((f) => [f.rank, f.index, f.score]),
      [
        [1, 1, 0.9],
        [2, 2, 0.4],
        [3, 3, 0.4],
      ],
    );
    assert.ok(Object.isFrozen(flags) && Object.isFrozen(flags[0]));
  });

  test("takes each sentence's times from the episode's cues", () => {
    const [first] = toFlags({ flags: [flag(2, 0.5, { start: 99, end: 100 })] }, MODEL.cues);
    assert.equal(first.start, 4.8);
    assert.equal(first.end, 7.5);
    assert.equal(flagTime(first), "0:04");
  });

  test("drops flags that name no cue, and copes with no review", () => {
    const review = { flags: [flag(-1, 1), flag(4, 1), flag(1.5, 1), flag("1", 1), flag(1, 0.2)] };
    assert.deepEqual(
      toFlags(review, MODEL.cues).map((f) => f.index),
      [1],
    );
    assert.deepEqual(toFlags(null, MODEL.cues), []);
    assert.deepEqual(toFlags({}, MODEL.cues), []);
  });

  test("names every kind and side; unknown ones show as they are, cleaned", () => {
    for (const [kind, label] of Object.entries(FLAG_KINDS)) {
      assert.equal(toFlags({ flags: [flag(1, 1, { kind })] }, MODEL.cues)[0].kindLabel, label);
    }
    const [odd] = toFlags(
      { flags: [flag(1, 1, { kind: "toString", against: "x\u0007y" })] },
      MODEL.cues,
    );
    assert.equal(odd.kindLabel, "toString"); // not Object.prototype.toString
    assert.equal(odd.against, "xy");
    const sides = ["spoken", "article"].map(
      (against) => toFlags({ flags: [flag(1, 1, { against })] }, MODEL.cues)[0].against,
    );
    assert.deepEqual(sides, ["the voice's text", "the article"]);
  });

  test("keeps report text as text: control characters dropped, markup untouched", () => {
    const hostile = '<img src=x onerror="alert(1)"> & </script>\u0000';
    const [f] = toFlags(
      { flags: [flag(1, 0.5, { heard: hostile, suggestion: "A=\u0007B" })] },
      MODEL.cues,
    );
    assert.equal(f.heard, hostile.replace("\u0000", ""));
    assert.equal(f.suggestion, "A=B");
  });
});

describe("labels", () => {
  test("a flag says its kind, what was heard and what was meant", () => {
    const [f] = toFlags({ flags: [flag(1, 0.82)] }, MODEL.cues);
    assert.equal(
      flagLabel(f),
      "Name heard differently: heard “nado leaders met in vilnius”, " +
        "meant “nato leaders met in vilnius” (against the voice's text; score 82%)",
    );
    const [unheard] = toFlags({ flags: [flag(1, 1, { kind: "unheard", heard: "" })] }, MODEL.cues);
    assert.match(flagLabel(unheard), /^Not heard: heard nothing, meant/);
  });

  test("a marked sentence is named as flagged, then its text, then every flag's reason", () => {
    const review = { flags: [flag(1, 0.9), flag(1, 0.3, { kind: "missing", against: "article" })] };
    const flags = toFlags(review, MODEL.cues);
    const byCue = flagsByCue(flags);
    assert.deepEqual([...byCue.keys()], [1]);
    const label = cueLabel(MODEL.cues[1].text, byCue.get(1));
    assert.ok(label.startsWith("Flagged sentence (flag 1, 2): NATO leaders met in Vilnius. "));
    assert.ok(label.includes("Name heard differently: heard “nado"));
    assert.ok(label.includes("; Missing word: heard"));
  });

  test("the summary counts flags and sentences and names the recogniser", () => {
    const review = { sentences: 42, wer: 0.031, model: "tiny.en", checked: "2026-12-01T17:00:00" };
    assert.equal(
      reviewSummary(review, 2),
      "2 of 42 sentences flagged · word error rate 3.1% · heard by tiny.en · " +
        "checked 2026-12-01T17:00:00",
    );
    assert.equal(reviewSummary({}, 0), "0 of 0 sentences flagged · word error rate 0.0%");
  });
});

describe("sentence clips", () => {
  const clip = { start: 4.8, end: 7.5 };

  test("a clip is done at its end, not before", () => {
    assert.equal(clipDone(clip, 7.49), false);
    assert.equal(clipDone(clip, 7.5), true);
    assert.equal(clipDone(clip, 7.52), true);
  });

  test("a seek inside the sentence keeps the clip; one elsewhere ends it", () => {
    assert.equal(clipHolds(clip, 4.8), true);
    assert.equal(clipHolds(clip, 4.8 - CLIP_SLACK / 2), true); // the element rounded the time
    assert.equal(clipHolds(clip, 6), true);
    assert.equal(clipHolds(clip, 4.7), false);
    assert.equal(clipHolds(clip, 7.5), false);
    assert.equal(clipHolds(clip, 0), false);
  });
});
