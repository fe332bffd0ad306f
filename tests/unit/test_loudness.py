"""The numpy signal kernels behind the meter and the limiter, checked against scipy's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, lfilter, upfirdn

from articleaudio.master import loudness


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000, 192000])
def test_streamed_k_weighting_equals_the_iir_filter(rate: int) -> None:
    rng = np.random.default_rng(rate)
    signal = rng.standard_normal(rate * 2)
    signal[rate // 2 : rate] = 0.0  # silence inside, where the ringing must carry over
    b, a = loudness._k_weighting(rate)
    expected = lfilter(b, a, signal)
    history = np.zeros(len(loudness.k_impulse(rate)) - 1)
    parts = []
    for chunk in np.array_split(signal, 9):
        parts.append(loudness.k_weight(history, chunk, rate))
        history = np.concatenate([history, chunk])[-len(history) :]
    assert np.max(np.abs(np.concatenate(parts) - expected)) < 1e-6


def test_single_precision_kernels_stay_close_to_double() -> None:
    # The meter and true-peak detector run in float32 for speed; this bounds the cost.
    rate = 22050
    x = np.random.default_rng(9).standard_normal(rate * 3)
    b, a = loudness._k_weighting(rate)
    history = np.zeros(len(loudness.k_impulse(rate)) - 1, np.float32)
    single = loudness.k_weight(history, x.astype(np.float32), rate)
    assert single.dtype == np.float32
    assert np.max(np.abs(single - lfilter(b, a, x))) < 1e-4
    double = loudness._oversampled_magnitude(x)
    assert np.max(np.abs(loudness._oversampled_magnitude(x.astype(np.float32)) - double)) < 1e-5


def test_interpolator_and_oversampling_equal_scipy() -> None:
    taps = firwin(49, 0.25, window=("kaiser", 5.0)) * 4
    assert np.allclose(loudness._interpolator(), taps, atol=1e-15)
    x = np.random.default_rng(5).standard_normal(3001)
    up = np.abs(upfirdn(taps, x, up=4))[24 : 24 + 4 * len(x)].reshape(len(x), 4).max(axis=1)
    assert np.allclose(loudness._oversampled_magnitude(x), up, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=400),
    st.integers(1, 120),
)
def test_running_min_and_mean_equal_scipy(values: list[float], size: int) -> None:
    x = np.array(values)
    assert np.array_equal(loudness.running_min(x, size), minimum_filter1d(x, size, mode="nearest"))
    mean = uniform_filter1d(x, size, mode="nearest")
    assert np.allclose(loudness.running_mean(x, size), mean, atol=1e-12)


def test_true_peak_is_within_a_quarter_decibel_of_fine_oversampling() -> None:
    from scipy.signal import resample_poly

    rng = np.random.default_rng(21)
    rate = 22050
    t = np.arange(rate // 2) / rate
    for _syllable in range(40):
        # A voiced syllable: harmonics up to 10 kHz with falling strength, random phases.
        f0 = rng.uniform(90, 260)
        harmonics = np.arange(1, int(10000 / f0))
        phases = rng.uniform(0, 2 * np.pi, len(harmonics))
        voiced = sum(
            np.sin(2 * np.pi * f0 * h * t + p) / h**0.7
            for h, p in zip(harmonics, phases, strict=True)
        )
        signal = voiced * np.hanning(len(t)) * rng.uniform(0.05, 0.3)
        fine = np.abs(resample_poly(signal, 16, 1, window=("kaiser", 12.0))).max()
        assert -0.25 < 20 * np.log10(loudness.true_peak(signal) / fine) < 0.05


def _speechlike(rng: np.random.Generator, seconds: float, rate: int) -> np.ndarray:
    """Noise under a syllable-rate envelope: loud and quiet stretches, as in speech."""
    n = int(seconds * rate)
    envelope = 0.05 + 0.3 * np.abs(np.sin(np.arange(n) * 2 * np.pi * 4 / rate))
    return (rng.standard_normal(n) * envelope).astype(np.float32)


def _metered(
    pieces: list[np.ndarray], pauses: list[int], memo: loudness.WeightedPieces | None
) -> loudness.LoudnessMeter:
    meter = loudness.LoudnessMeter(22050, memo)
    for pause, piece in zip(pauses, pieces, strict=True):
        meter.add_silence(pause)
        meter.add(piece, peaks=False)
    meter.add_silence(22050)
    return meter


def _entries(memo: loudness.WeightedPieces) -> int:
    return len(memo)


def test_weighting_kept_between_builds_gives_the_same_floats() -> None:
    # A warm runner's edit: the pieces come back shifted by the edited one's new
    # length, so every 100 ms hop falls elsewhere; the hops must still be equal,
    # bit for bit, to those of a meter that filters everything again.
    rate = 22050
    rng = np.random.default_rng(16)
    pieces = [_speechlike(rng, float(s), rate) for s in rng.uniform(0.1, 6.0, 12)]
    pauses = [int(rate * p) for p in rng.uniform(0.3, 1.2, 12)]
    with loudness.WeightedPieces() as memo:
        first = _metered(pieces, pauses, memo)
        assert first._hops == _metered(pieces, pauses, None)._hops
        assert _entries(memo) == 2 * len(pieces)  # each piece and its ringing
        pieces[3] = _speechlike(rng, 2.7, rate)  # the edited sentence
        pauses = [p + 1 + 37 * n for n, p in enumerate(pauses)]  # every hop moves
        edited = _metered(pieces, pauses, memo)
        assert _entries(memo) == 2 * len(pieces) + 2  # only the new piece was filtered
        fresh = _metered(pieces, pauses, None)
    assert edited._hops == fresh._hops
    assert edited.integrated == fresh.integrated
    assert edited.integrated != first.integrated


def test_a_piece_inside_the_ringing_of_another_is_filtered_with_it() -> None:
    # A pause shorter than the filter's memory: the next piece's weighting depends
    # on the one before, so it is neither taken from nor kept in the memo.
    rate = 22050
    rng = np.random.default_rng(3)
    pieces = [_speechlike(rng, 1.5, rate) for _ in range(3)]
    pauses = [rate, rate // 20, rate]
    with loudness.WeightedPieces() as memo:
        _metered(pieces, pauses, memo)
        assert _entries(memo) == 3  # pieces 1 and 3, and the last one's whole ringing
        again = _metered(pieces, pauses, memo)
        assert _entries(memo) == 3
    assert again._hops == _metered(pieces, pauses, None)._hops


def test_weighted_pieces_keep_two_generations() -> None:
    memo = loudness.WeightedPieces(max_samples=1000)
    chunks = {bytes([n]): np.full(200, n, np.float32) for n in range(6)}
    for key, chunk in chunks.items():
        memo.keep(key, chunk)
    # 200 samples each, a generation holds up to 500: [0 1] [2 3] [4 5]; the first went.
    assert memo.recall(bytes([0])) is None
    recalled = memo.recall(bytes([2]))  # from the older generation: kept in the newer
    assert recalled is not None and np.array_equal(recalled, chunks[bytes([2])])
    memo.keep(bytes([9]), np.zeros(300, np.float32))  # the newer fills: [4 5 2] [9]
    assert memo.recall(bytes([2])) is not None and memo.recall(bytes([3])) is None
    memo.close()
    assert memo.recall(bytes([2])) is None


def test_a_piece_metered_by_its_key_reads_its_tail_and_a_value_per_hop() -> None:
    # A warm runner's edit: the pieces finished ahead reach the meter by their key; it
    # reads each one's last filter memory of samples and its running sums at the hop
    # edges it crosses, and the hops equal those of a meter that filters it all again.
    rate, hop = 22050, int(loudness.HOP * 22050)
    rng = np.random.default_rng(5)
    pieces = [_speechlike(rng, float(s), rate) for s in rng.uniform(0.5, 6.0, 8)]
    pauses = [int(rate * p) + 13 * n for n, p in enumerate(rng.uniform(0.3, 1.2, 8))]
    loaded: list[int] = []
    values: list[int] = []

    class Counting(loudness.WeightedPieces):
        def recall_at(self, key: bytes, indices: np.ndarray) -> np.ndarray | None:
            values.append(len(indices))
            return super().recall_at(key, indices)

    with Counting() as memo:
        keys = [memo.prime(piece, rate) for piece in pieces]
        meter = loudness.LoudnessMeter(rate, memo)
        for pause, piece, key in zip(pauses, pieces, keys, strict=True):

            def load(start: int, count: int, piece: np.ndarray = piece) -> np.ndarray:
                loaded.append(count)
                return piece[start : start + count]

            meter.add_silence(pause)
            meter.add_stored(key, len(piece), load)
        meter.add_silence(rate)
    fresh = _metered(pieces, pauses, None)
    assert meter._hops == fresh._hops and meter.integrated == fresh.integrated
    memory = len(loudness.k_impulse(rate)) - 1
    assert loaded == [memory] * len(pieces)  # never a whole piece
    most = sum(len(p) // hop + 2 for p in pieces) + len(pieces) * (memory // hop + 2)
    assert sum(values) <= most  # the pieces and their ringing: a value per hop edge


def test_an_entry_used_again_moves_generations_without_a_copy() -> None:
    # A warm runner editing one long article turns the generations over every few
    # edits: the article's entries must follow by reference, and a file kept for a
    # few of them is emptied once less than half of it is in use.
    memo = loudness.WeightedPieces(max_samples=1000)  # a generation indexes 500
    a, b = np.full(100, 1.0), np.full(300, 2.0)
    memo.keep(b"a", a)
    memo.keep(b"b", b)
    memo.keep(b"c", np.full(200, 3.0))  # turns over: [a b] [c]
    files = [spool.samples for spool in memo._spools]
    recalled = memo.recall(b"a")  # from the older generation: now in the newer too
    assert recalled is not None and np.array_equal(recalled, a)
    assert [spool.samples for spool in memo._spools] == files  # nothing was copied
    memo.keep(b"d", np.full(250, 4.0))  # turns over: [c a] [d]; [a b]'s file is 1/4 used
    assert memo.recall(b"b") is None
    again = memo.recall(b"a")
    assert again is not None and np.array_equal(again, a)
    in_use = 100 + 200 + 250
    assert len(memo._spools) == 2  # the first file went, a copied out of it
    assert sum(spool.samples for spool in memo._spools) <= 2 * in_use
    memo.close()


def test_an_entry_moved_out_while_it_is_recalled_is_read_from_where_it_went() -> None:
    # Recalling an older entry can turn the generations over and empty the file it lay
    # in (under half in use): the read must follow it to its new file.
    memo = loudness.WeightedPieces(max_samples=200)  # a generation indexes 100
    a = np.arange(30, dtype=np.float64)
    memo.keep(b"a", a)
    memo.keep(b"d", np.full(40, 4.0))
    memo.keep(b"b", np.full(60, 2.0))  # turns over: [a d] [b]
    memo.keep(b"c", np.full(30, 3.0))  # [a d] [b c]
    values = memo.recall_at(b"a", np.array([0, 7, 29]))  # turns over; a's file is 3/7 used
    assert values is not None and list(values) == [0.0, 7.0, 29.0]
    again = memo.recall(b"a")
    assert again is not None and np.array_equal(again, a)
    memo.close()
