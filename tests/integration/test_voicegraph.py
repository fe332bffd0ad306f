"""The voice graph rewrite: 1-D convolutions run as 2-D ones compute the same thing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pytest
from filelock import FileLock
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from articleaudio.synth.voicegraph import convolutions_as_2d


def _run(model: onnx.ModelProto, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 4
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return [np.asarray(out) for out in session.run(None, feed)]


def _conv_model(
    *,
    channels: int,
    kernel: int,
    stride: int,
    dilation: int,
    pads: tuple[int, int],
    group: int,
    up: int,
    opset: int = 15,
) -> onnx.ModelProto:
    """Conv (+bias) → LeakyRelu → ConvTranspose ×``up`` → add the conv output's mean."""
    rng = np.random.default_rng(kernel * 100 + stride * 10 + dilation)
    out_channels = 2 * channels
    weights = [
        numpy_helper.from_array(
            rng.standard_normal((out_channels, channels // group, kernel)).astype(np.float32), "w"
        ),
        numpy_helper.from_array(rng.standard_normal(out_channels).astype(np.float32), "b"),
        numpy_helper.from_array(
            rng.standard_normal((out_channels, channels, 2 * up)).astype(np.float32), "wt"
        ),
    ]
    nodes = [
        helper.make_node(
            "Conv",
            ["x", "w", "b"],
            ["c"],
            kernel_shape=[kernel],
            strides=[stride],
            dilations=[dilation],
            pads=list(pads),
            group=group,
        ),
        helper.make_node("LeakyRelu", ["c"], ["r"], alpha=0.1),
        helper.make_node(
            "ConvTranspose",
            ["r", "wt"],
            ["t"],
            strides=[up],
            pads=[up // 2, up // 2],
            output_padding=[up % 2] if up > 1 else [0],
        ),
        helper.make_node("ReduceMean", ["c"], ["m"], keepdims=1),
        helper.make_node("Add", ["t", "m"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, None])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("c", TensorProto.FLOAT, None),
        ],
        weights,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@settings(max_examples=30, deadline=None)
@given(
    kernel=st.integers(1, 7),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    left=st.integers(0, 3),
    right=st.integers(0, 3),
    grouped=st.booleans(),
    up=st.integers(1, 4),
    length=st.integers(40, 200),
    opset=st.sampled_from([11, 15]),
)
def test_rewritten_convolutions_compute_the_same(
    kernel: int,
    stride: int,
    dilation: int,
    left: int,
    right: int,
    grouped: bool,
    up: int,
    length: int,
    opset: int,
) -> None:
    group = 2 if grouped else 1
    model = _conv_model(
        channels=16,
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        pads=(left, right),
        group=group,
        up=up,
        opset=opset,
    )
    feed = {"x": np.random.default_rng(length).standard_normal((1, 16, length)).astype(np.float32)}
    before = _run(model, feed)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(model)
    assert convolutions_as_2d(rewritten) == 2
    after = _run(rewritten, feed)
    for old, new in zip(before, after, strict=True):
        assert new.shape == old.shape  # the graph's outputs keep their 1-D shape
        np.testing.assert_allclose(new, old, rtol=1e-4, atol=1e-4)
    weights = {w.name: len(w.dims) for w in rewritten.graph.initializer}
    assert weights["w"] == weights["wt"] == 4


def test_weight_read_by_another_node_is_left_alone() -> None:
    model = _conv_model(channels=8, kernel=3, stride=1, dilation=1, pads=(1, 1), group=1, up=2)
    model.graph.node.append(helper.make_node("Identity", ["w"], ["w_copy"]))
    model.graph.output.append(helper.make_tensor_value_info("w_copy", TensorProto.FLOAT, None))
    assert convolutions_as_2d(model) == 1  # only the transposed convolution
    feed = {"x": np.ones((1, 8, 50), np.float32)}
    assert _run(model, feed)[2].shape == (16, 8, 3)


def test_graph_with_subgraphs_is_not_touched() -> None:
    model = _conv_model(channels=8, kernel=3, stride=1, dilation=1, pads=(1, 1), group=1, up=2)
    branch = helper.make_graph(
        [helper.make_node("Identity", ["w"], ["v"])],
        "branch",
        [],
        [helper.make_tensor_value_info("v", TensorProto.FLOAT, None)],
    )
    model.graph.node.append(
        helper.make_node("If", ["cond"], ["v_out"], then_branch=branch, else_branch=branch)
    )
    before = model.SerializeToString()
    assert convolutions_as_2d(model) == 0
    assert model.SerializeToString() == before


def _voice_feed(piper_voice: Any, text: str) -> dict[str, np.ndarray]:
    """Inputs for one sentence with the voice's randomness switched off."""
    ids = piper_voice.phonemes_to_ids(piper_voice.phonemize(text)[0])
    return {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array([0.0, 1.0, 0.0], dtype=np.float32),
    }


@pytest.mark.slow
def test_real_voice_speaks_the_same_after_the_rewrite() -> None:
    """The embedded voice's rewritten graph: same samples (to float rounding) and durations."""
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.patch_voice_with_alignment import add_alignment_output

    from articleaudio.synth.voices import find_voice

    voice = find_voice(None)
    original = onnx.load(str(voice.model_path))
    add_alignment_output(original)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(original)
    assert convolutions_as_2d(rewritten) > 100
    flat = {w.name for w in rewritten.graph.initializer if len(w.dims) == 3}
    assert not [n for n in rewritten.graph.node if n.op_type == "Conv" and n.input[1] in flat]
    import json

    config = PiperConfig.from_dict(json.loads(voice.config_path.read_text(encoding="utf-8")))
    speaker = PiperVoice(session=None, config=config)
    for text in ("The council met on Tuesday to discuss the new bridge.", "Yes."):
        feed = _voice_feed(speaker, text)
        old_audio, old_durations = _run(original, feed)
        new_audio, new_durations = _run(rewritten, feed)
        np.testing.assert_array_equal(new_durations.shape, old_durations.shape)
        assert new_audio.shape == old_audio.shape
        assert float(np.max(np.abs(new_audio - old_audio))) < 1e-4 * max(
            1.0, float(np.max(np.abs(old_audio)))
        )
        np.testing.assert_allclose(new_durations, old_durations, rtol=1e-4, atol=1e-3)


@pytest.mark.slow
def test_voice_sessions_use_the_rewritten_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph kept for later sessions is the rewritten one, and reopening it works."""
    from articleaudio.synth.synthesize import PiperSynthesizer, SynthesisSettings, close_voices
    from articleaudio.synth.voices import find_voice

    monkeypatch.setenv("ARTICLEAUDIO_CACHE", str(tmp_path))
    voice = find_voice(None)
    synthesizer = PiperSynthesizer(voice, SynthesisSettings(threads=1))
    first = synthesizer.synthesize("One sentence.")
    # The session that speaks, even the one that just saved the graph, gets every pass.
    level = synthesizer._piper.session.get_session_options().graph_optimization_level
    assert level == onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    (kept,) = (tmp_path / "models").glob("*.prepared-*.ort-*.onnx")
    graph = onnx.load(str(kept)).graph
    weights = {w.name: len(w.dims) for w in graph.initializer}
    convolutions = [n for n in graph.node if "Conv" in n.op_type]
    assert len(convolutions) > 100
    assert all(weights.get(n.input[1], 4) == 4 for n in convolutions)
    close_voices()  # reopened from the kept graph
    again = PiperSynthesizer(voice, SynthesisSettings(threads=1)).synthesize("One sentence.")
    assert again.words and first.words  # word timings survive the rewrite
    assert abs(len(again.audio) - len(first.audio)) < 0.2 * len(first.audio)
    # A worker that finds no graph while another is preparing it waits for that one and
    # loads it rather than preparing its own (the first build's two workers, issue 14).
    aside = kept.with_suffix(".aside")
    kept.rename(aside)
    made = aside.stat().st_ino
    close_voices()  # this process plays the other worker, which has no voice open yet
    waiter = PiperSynthesizer(voice, SynthesisSettings(threads=1))
    with FileLock(str(kept.parent / f".{kept.name}.lock")):  # as a preparing process holds it
        thread = threading.Thread(target=waiter.load)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting for the lock, not preparing
        aside.rename(kept)  # the other process has kept its graph
    thread.join()
    assert kept.stat().st_ino == made and waiter._piper is not None
    assert not list(kept.parent.glob("*.tmp"))
