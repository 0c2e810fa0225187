"""Lesson 06 with TensorFlow: the cache matches a fresh computation of its points, the NumPy
forward pass and TF Lite agree with Keras, pruning and fine-tuning do what they say.

All of lesson 06's TensorFlow tests live in this one file (one test worker imports TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from course.scale import data, grids


@pytest.fixture(scope="module")
def cache():
    """The course's cache, as the notebook gets it (built in a child process when missing)."""
    return grids.ensure_cache()


@pytest.fixture(scope="module")
def split():
    return data.split_taiwan()


@pytest.fixture(scope="module")
def model():
    import keras

    from course.scale import network  # noqa: F401  (registers its layers for load_model)

    grids.ensure_cache()
    return keras.models.load_model(grids.folder() / grids.MODEL_FILE)


def _cached(points, **key):
    (point,) = [p for p in points if all(p[k] == v for k, v in key.items())]
    return point["auc"]


def test_cache_records_its_seeds_and_every_grid_point(cache):
    assert cache["curve_seeds"] == grids.CURVE_SEEDS and cache["tune_seeds"] == grids.TUNE_SEEDS
    assert {p["n"] for p in cache["learning_curve"]} == set(grids.CURVE_SIZES)
    assert len(cache["fine_tuning"]) == len(grids.TUNE_SIZES) * len(grids.TUNE_SEEDS) * 4
    assert all(len(folds) == 5 * grids.CV_REPEATS for folds in cache["cross_validation"].values())


@pytest.mark.pinned  # (scikit-learn's gradient boosting moves between releases: 0.7388 at 1.6.0)
def test_cache_matches_a_fresh_computation_of_one_point(cache, split):
    for model_name in grids.CURVE_MODELS:
        fresh = grids.curve_point(split, 1_000, 1, model_name)
        assert fresh == pytest.approx(
            _cached(cache["learning_curve"], n=1_000, seed=1, model=model_name), abs=1e-3
        )


def test_cache_matches_a_fresh_fine_tuning_point(cache):
    import keras

    from course.scale import network  # noqa: F401  (registers its layers for load_model)

    pretrained = keras.models.load_model(grids.folder() / grids.PRETRAINED_FILE)
    lender = data.lender_split()
    for method in ("from scratch", "fine-tuned: last layer"):
        fresh = grids.tune_point(lender, pretrained, 250, 1, method)
        cached = next(
            p for p in cache["fine_tuning"] if (p["n"], p["seed"], p["method"]) == (250, 1, method)
        )
        # (a cost moves in steps of 1/1,967 or 5/1,967 per flipped decision: two flips allowed)
        for measure, tolerance in (("auc", 1e-3), ("cost", 0.01), ("mean_probability", 1e-3)):
            assert fresh[measure] == pytest.approx(cached[measure], abs=tolerance), (
                method,
                measure,
            )


def test_numpy_forward_pass_equals_keras(model, split):
    from course.scale.forward import NumpyNet
    from course.scale.network import predict_proba

    p = NumpyNet.from_keras(model).predict_proba(data.as_matrix(split.test))
    assert np.abs(p - predict_proba(model, split.test)).max() <= 1e-6


def test_tf_lite_float32_equals_keras_and_int8_shrinks_big_tensors(model, split, capfd):
    import keras

    from course.scale import compress
    from course.scale.network import predict_proba

    x = data.as_matrix(split.test.head(1_500))
    flat = compress.convert(model, "TF Lite float32")
    assert (
        np.abs(compress.predict_all(flat, x) - predict_proba(model, split.test.head(1_500))).max()
        < 1e-5
    )
    wide = keras.models.load_model(grids.folder() / grids.WIDE_FILE)
    sizes = {v: len(compress.convert(wide, v)) for v in compress.VARIANTS}
    assert (
        sizes["TF Lite int8 (dynamic range)"] < sizes["TF Lite float16"] < sizes["TF Lite float32"]
    )
    assert sizes["TF Lite int8 (dynamic range)"] < 0.7 * sizes["TF Lite float32"]
    assert capfd.readouterr() == ("", "")  # the converter's chatter stays out of the lesson
    with pytest.raises(ValueError, match="rows at a time"):
        compress.LiteModel(flat, 2).predict_proba(x[:3])


def test_pruning_zeroes_the_smallest_weights_and_leaves_the_model_alone(model):
    from course.scale import compress

    before = [w.copy() for w in model.get_weights()]
    half = compress.prune(model, 0.5)
    assert compress.zero_share(half) == pytest.approx(0.5, abs=0.01)
    assert compress.zero_share(compress.prune(model, 0.0)) == compress.zero_share(model)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    kernel, pruned = (
        model.get_layer("hidden").get_weights()[0],
        half.get_layer("hidden").get_weights()[0],
    )
    assert np.abs(kernel[pruned == 0]).max() <= np.abs(kernel[pruned != 0]).min()
    with pytest.raises(ValueError):
        compress.prune(model, 1.0)


def test_fine_tuning_the_last_layer_freezes_the_rest_and_keeps_the_original(model):
    from course.scale.network import fine_tune

    lender = data.lender_split()
    before = [w.copy() for w in model.get_weights()]
    tuned = fine_tune(model, data.own_rows(lender.pool, 250, seed=0), "fine-tuned: last layer")
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    for name in ("encode", "hidden"):
        assert all(
            np.array_equal(a, b)
            for a, b in zip(
                model.get_layer(name).get_weights(),
                tuned.get_layer(name).get_weights(),
                strict=True,
            )
        )
    assert not np.array_equal(
        model.get_layer("default_probability").get_weights()[0],
        tuned.get_layer("default_probability").get_weights()[0],
    )
    assert fine_tune(model, lender.pool.head(10), "pre-trained as is") is model
    with pytest.raises(ValueError, match="unknown method"):
        fine_tune(model, lender.pool, "distil")


def test_a_fine_tuning_point_does_not_depend_on_what_ran_before():
    """The copy's dropout draws its seed when it is made: fine_tune seeds before cloning, so the
    same point gives the same model after any other work (here: another global seed)."""
    import keras

    pretrained = keras.models.load_model(grids.folder() / grids.PRETRAINED_FILE)
    lender = data.lender_split()
    first = grids.tune_point(lender, pretrained, 250, 2, "fine-tuned: all layers")
    keras.utils.set_random_seed(12345)
    keras.random.uniform((3,))
    assert grids.tune_point(lender, pretrained, 250, 2, "fine-tuned: all layers") == first
