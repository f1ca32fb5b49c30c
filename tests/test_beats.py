import numpy as np
import pytest

from ecgbeat.beats import (
    KACHUEE_LENGTH,
    MAJORITY_FREE_RR_FEATURES,
    RR_FEATURE_NAMES,
    BeatSet,
    interval_features,
    rr_features,
    segment,
    segment_kachuee187,
)


def _beats(n=6, classes=("N", "S", "V")):
    rng = np.random.default_rng(0)
    return BeatSet(
        X=rng.normal(size=(n, 1, 20)),
        y=np.arange(n) % len(classes),
        record=np.repeat(["101", "100"], n // 2),
        rr=np.ones((n, len(RR_FEATURE_NAMES))),
        classes=classes,
        fs=360,
    )


class TestBeatSet:
    def test_arrays_get_model_ready_dtypes(self):
        b = _beats()
        assert b.X.dtype == np.float32 and b.y.dtype == np.int64 and b.rr.dtype == np.float32
        assert b.rr_names == RR_FEATURE_NAMES

    def test_selection_keeps_rows_aligned(self):
        b = _beats()
        sub = b[b.record == "100"]
        assert len(sub) == 3 and sub.records == ("100",)
        np.testing.assert_array_equal(sub.X, b.X[3:])

    def test_two_dimensional_X_is_refused_with_the_fix(self):
        with pytest.raises(ValueError, match=r"X\[:, None, :\]"):
            BeatSet(
                X=np.zeros((3, 10)),
                y=[0, 0, 0],
                record=["a"] * 3,
                rr=np.zeros((3, 0)),
                classes=("N",),
                fs=360,
            )

    def test_labels_outside_the_classes_are_refused(self):
        with pytest.raises(ValueError, match="classes"):
            BeatSet(
                X=np.zeros((2, 1, 5)),
                y=[0, 3],
                record=["a"] * 2,
                rr=np.zeros((2, 0)),
                classes=("N", "V"),
                fs=360,
            )

    def test_misaligned_arrays_are_refused(self):
        with pytest.raises(ValueError, match="record"):
            BeatSet(
                X=np.zeros((2, 1, 5)),
                y=[0, 1],
                record=["a"],
                rr=np.zeros((2, 0)),
                classes=("N", "V"),
                fs=360,
            )

    def test_an_empty_selection_keeps_the_rr_columns(self):
        b = _beats()
        empty = b[np.zeros(len(b), dtype=bool)]
        assert len(empty) == 0
        assert empty.rr.shape == (0, b.rr.shape[1])
        assert empty.rr_names == b.rr_names

    def test_class_counts_include_empty_classes(self):
        b = BeatSet(
            X=np.zeros((2, 1, 5)),
            y=[0, 2],
            record=["a"] * 2,
            rr=np.zeros((2, 0)),
            classes=("N", "S", "V", "F"),
            fs=360,
        )
        assert b.class_counts() == {"N": 1, "S": 0, "V": 1, "F": 0}

    def test_concat_adds_rows_and_summaries(self):
        b = _beats()
        b = BeatSet.concat([b, b])
        assert len(b) == 12

    def test_concat_refuses_different_classes(self):
        with pytest.raises(ValueError, match="classes"):
            BeatSet.concat([_beats(), _beats(classes=("N", "V", "Q"))])

    def test_inter_patient_split_separates_ds1_and_ds2_records(self):
        train, test = _beats().split("inter-patient")
        assert train.records == ("101",) and test.records == ("100",)

    def test_intra_patient_split_mixes_patients(self):
        train, test = _beats(n=40).split("intra-patient", test_size=0.25)
        assert len(test) == 10 and set(train.records) & set(test.records)

    def test_unknown_protocol_names_the_choices(self):
        with pytest.raises(ValueError, match="inter-patient"):
            _beats().split("random")


class TestSegment:
    def test_windows_are_centred_on_r_peaks_for_every_lead(self):
        x = np.stack([np.arange(1000.0), -np.arange(1000.0)])
        beats, kept = segment(x, np.array([100, 500]), fs=100, before_s=0.25, after_s=0.45)
        assert beats.shape == (2, 2, 70) and kept.all()
        assert beats[1, 0, 25] == 500 and beats[1, 1, 25] == -500

    def test_beats_too_close_to_an_edge_are_dropped_and_flagged(self):
        _, kept = segment(np.zeros(1000), np.array([10, 500, 995]), fs=100)
        assert kept.tolist() == [False, True, False]

    def test_a_beat_ending_exactly_at_the_record_end_is_kept(self):
        _, kept = segment(np.zeros(100), np.array([55]), fs=100, before_s=0.1, after_s=0.45)
        assert kept.tolist() == [True]

    def test_invalid_window_is_refused(self):
        with pytest.raises(ValueError, match="after_s"):
            segment(np.zeros(100), np.array([50]), fs=100, after_s=0)


class TestKachuee187:
    def _record(self, fs=360.0, seconds=60, bpm=75):
        t = np.arange(int(seconds * fs)) / fs
        peaks = np.arange(int(0.5 * fs), int((seconds - 1) * fs), int(fs * 60 / bpm))
        x = np.exp(-(((t[:, None] - peaks[None, :] / fs) / 0.015) ** 2)).sum(axis=1)
        return x, peaks

    def test_beats_have_the_kaggle_shape_and_range(self):
        x, peaks = self._record()
        beats, kept = segment_kachuee187(x, peaks, fs=360)
        assert beats.shape == (int(kept.sum()), 1, KACHUEE_LENGTH)
        assert beats.min() >= 0 and beats.max() <= 1

    def test_each_beat_starts_at_its_r_peak(self):
        x, peaks = self._record()
        beats, _ = segment_kachuee187(x, peaks, fs=360)
        assert np.all(beats[:, 0, 0] > 0.95)

    def test_beats_are_cut_at_1_2_median_rr_and_zero_padded(self):
        x, peaks = self._record(bpm=75)  # RR 0.8 s = 100 samples at 125 Hz -> 120-sample beats
        beats, _ = segment_kachuee187(x, peaks, fs=360)
        assert np.all(beats[:, 0, 121:] == 0)
        # The next R peak (at 100 samples) lies inside the cut (the last beat has none).
        assert np.all(beats[:-1, 0, 95:106].max(axis=1) > 0.9)

    def test_works_at_another_sampling_rate(self):
        x, peaks = self._record(fs=257.0)
        beats, kept = segment_kachuee187(x, peaks, fs=257.0)
        assert beats.shape[2] == KACHUEE_LENGTH and kept.sum() > 60


class TestRRFeatures:
    def test_premature_beat_has_short_pre_rr_and_long_post_rr(self):
        peaks = np.array([0, 360, 720, 900, 1440, 1800, 2160])
        f = rr_features(peaks, fs=360)
        names = list(RR_FEATURE_NAMES)
        assert f[3, names.index("pre_rr_s")] == pytest.approx(0.5)
        assert f[3, names.index("post_rr_s")] == pytest.approx(1.5)
        assert f[3, names.index("pre_over_local")] < 0.7
        assert f[3, names.index("pre_over_post")] == pytest.approx(1 / 3)

    def test_record_mean_rr_is_the_same_for_every_beat(self):
        f = rr_features(np.cumsum(np.full(20, 300)), fs=300)
        np.testing.assert_allclose(f[:, RR_FEATURE_NAMES.index("record_rr_s")], 1.0)

    def test_local_mean_uses_only_the_last_beats(self):
        peaks = np.concatenate([np.arange(0, 3600, 360), 3600 + np.arange(1, 21) * 180])
        f = rr_features(peaks, fs=360, local_beats=10)
        assert f[-1, RR_FEATURE_NAMES.index("local_rr_s")] == pytest.approx(0.5)

    def test_centred_ratios_ignore_the_premature_beat_and_its_pause(self):
        # Sinus rhythm at 1 s with one premature beat (0.5 s) and its pause (1.5 s): the
        # centred median stays at 1 s, so the ratios are the intervals themselves.
        rr = np.full(40, 1.0)
        rr[19], rr[20] = 0.5, 1.5
        f = rr_features(np.concatenate([[0.0], np.cumsum(rr)]) * 360, fs=360)
        col = {name: f[:, k] for k, name in enumerate(RR_FEATURE_NAMES)}
        assert col["pre_over_centred"][20] == pytest.approx(0.5)
        assert col["post_over_centred"][20] == pytest.approx(1.5)
        assert col["pre_over_regional"][20] == pytest.approx(0.5)
        assert col["pre_over_record_median"][20] == pytest.approx(0.5)
        assert col["next_post_over_centred"][19] == pytest.approx(1.5)
        assert col["prev_pre_over_centred"][21] == pytest.approx(0.5)
        assert col["pre_over_centred"][5] == pytest.approx(1.0)

    def test_irregularity_tells_atrial_fibrillation_from_sinus_rhythm_with_ectopics(self):
        rng = np.random.default_rng(0)
        sinus = np.full(60, 0.8)
        sinus[[15, 35]] = 0.45  # isolated premature beats
        fibrillation = rng.uniform(0.4, 1.2, 60)
        irregularity = RR_FEATURE_NAMES.index("irregularity")
        for rr, low, high in ((sinus, 0.0, 0.01), (fibrillation, 0.2, 1.5)):
            f = rr_features(np.concatenate([[0.0], np.cumsum(rr)]) * 360, fs=360)
            assert low <= np.median(f[:, irregularity]) <= high

    def test_organisation_parts_atrial_fibrillation_from_frequent_ectopy(self):
        rng = np.random.default_rng(0)
        sinus = 0.8 + rng.normal(0, 0.005, 90)
        ectopy = sinus.copy()
        ectopy[1::2], ectopy[2::2] = 0.45, 1.15  # bigeminy: every other beat early
        fibrillation = rng.uniform(0.4, 1.2, 90)
        organisation = RR_FEATURE_NAMES.index("organisation")
        share = {}
        for name, rr in (("sinus", sinus), ("ectopy", ectopy), ("fibrillation", fibrillation)):
            f = rr_features(np.concatenate([[0.0], np.cumsum(rr)]) * 360, fs=360)
            share[name] = f[:, organisation]
        assert share["sinus"].min() == 1.0
        assert share["ectopy"].min() > 0.8  # its early beats repeat one another
        assert np.median(share["fibrillation"]) < 0.4
        # The irregularity feature calls the bigeminy as irregular as the fibrillation.
        irregularity = RR_FEATURE_NAMES.index("irregularity")
        f = rr_features(np.concatenate([[0.0], np.cumsum(ectopy)]) * 360, fs=360)
        assert np.median(f[:, irregularity]) > 0.5

    def test_organisation_uses_only_real_beats_at_the_record_ends(self):
        # Three beats: no window holds two matching pairs, and no padded copy of a beat
        # matches it.
        f = interval_features(np.array([0.5, 0.8, 1.1]), np.array([0.8, 1.1, 0.7]))
        np.testing.assert_array_equal(f[:, RR_FEATURE_NAMES.index("organisation")], 0.0)

    def test_percentile_ratios_find_premature_beats_that_are_the_majority(self):
        # One sinus beat (1.2 s) then three premature ones (0.6 s), over and over: the
        # median interval is the premature one, the 90th percentile the sinus cycle.
        rr = np.tile([1.2, 0.6, 0.6, 0.6], 15)
        f = rr_features(np.concatenate([[0.0], np.cumsum(rr)]) * 360, fs=360)
        col = {name: f[1:, k] for k, name in enumerate(RR_FEATURE_NAMES)}
        premature = rr == 0.6
        np.testing.assert_allclose(col["pre_over_record_median"][premature], 1.0)
        np.testing.assert_allclose(col["pre_over_record_p90"][premature], 0.5)
        np.testing.assert_allclose(col["pre_over_record_p90"][~premature], 1.0)
        np.testing.assert_allclose(col["pre_over_regional_p90"][premature][5:-5], 0.5)
        assert set(MAJORITY_FREE_RR_FEATURES) <= set(RR_FEATURE_NAMES)
        assert not set(MAJORITY_FREE_RR_FEATURES) & {"pre_over_record_median", "pre_over_local"}

    def test_interval_features_of_a_whole_record_are_its_rr_features(self):
        peaks = np.cumsum(np.random.default_rng(0).uniform(200, 400, 50)).round()
        f = rr_features(peaks, fs=360)
        pre, post = f[:, 0].astype(np.float64), f[:, 1].astype(np.float64)
        np.testing.assert_allclose(interval_features(pre, post), f, rtol=1e-5)

    def test_interval_features_of_a_subset_take_references_from_the_subset(self):
        pre = np.array([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5])
        post = np.roll(pre, -1)
        f = interval_features(pre[3:], post[3:])
        assert f[0, RR_FEATURE_NAMES.index("record_rr_s")] == pytest.approx(0.5)

    def test_interval_features_refuse_bad_intervals(self):
        with pytest.raises(ValueError, match="same length"):
            interval_features(np.ones(3), np.ones(4))
        with pytest.raises(ValueError, match="positive"):
            interval_features(np.array([1.0, 0.0]), np.ones(2))

    def test_unsorted_peaks_are_refused(self):
        with pytest.raises(ValueError, match="increasing"):
            rr_features(np.array([0, 300, 200]), fs=360)

    def test_a_single_peak_is_refused(self):
        with pytest.raises(ValueError, match="two R peaks"):
            rr_features(np.array([10]), fs=360)
