"""Lesson 06's TF Lite files: the float16 explanation's premise (which encoder constants exceed
float16's range, and what the converter stores for them), its fix (standardising outside the
file), int8's per-channel scales, and the LiteRT runtime (TensorFlow's answers to float32 rounding).

Imports TensorFlow, like ``tests/test_scale_tf.py``. Every expectation comes from the model's own
weights and the real data, not from which columns the encoder one-hot encodes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course.scale import data, grids

#: What lesson 06 says float16 cannot hold: (column, constant) of the encoder's statistics.
BEYOND_FLOAT16 = {
    ("credit_limit", "mean"),
    ("credit_limit", "std"),
    ("bill_sep", "std"),
    ("bill_aug", "std"),
    ("bill_jul", "std"),
}


@pytest.fixture(scope="module")
def split():
    return data.split_taiwan()


@pytest.fixture(scope="module")
def models():
    """The lesson's two cached networks (trained on the real data when missing)."""
    import keras

    import course.scale.network  # noqa: F401  (registers the encoder layer the files name)

    grids.ensure_cache()
    return {
        name: keras.models.load_model(grids.folder() / file)
        for name, file in [
            ("network", grids.MODEL_FILE),
            ("wide", grids.WIDE_FILE),
            ("raw", grids.RAW_FILE),
        ]
    }


@pytest.fixture(scope="module")
def float16(models):
    from course.scale import compress

    return compress.convert(models["raw"], "TF Lite float16")


def test_the_constants_beyond_float16_are_the_ones_the_lesson_names(models):
    from course.scale import compress

    table = compress.beyond_float16(models["raw"])
    assert set(zip(table["column"], table["constant"], strict=True)) == BEYOND_FLOAT16
    assert (table["value"].abs() > 65_504).all() and compress.FLOAT16_MAX == 65_504
    mean = table.set_index(["column", "constant"]).loc[("credit_limit", "mean"), "value"]
    assert round(mean) == 167_945  # the figure the lesson quotes
    constants = compress.encoder_constants(models["raw"])  # every other one fits
    fits = (constants.abs() <= 65_504).to_numpy().sum()
    assert fits == 2 * len(data.NUMERIC) - len(BEYOND_FLOAT16)


def _float16_vectors(lite_file) -> list[np.ndarray]:
    from course.scale import lite

    with lite.native_output_silenced():
        interpreter = lite.interpreter(lite_file.content)
        interpreter.allocate_tensors()
    vectors = []
    for t in interpreter.get_tensor_details():
        if t["dtype"] == np.float16 and tuple(t["shape"]) == (len(data.NUMERIC),):
            vectors.append(interpreter.get_tensor(t["index"]).astype(np.float64))
    return vectors


def test_the_float16_file_clamps_the_mean_and_stores_reciprocal_deviations(models, float16):
    """Why only the mean moves the probabilities: the converter stores mean and 1/std; the one
    mean beyond 65,504 becomes 65,504, and every 1/std fits (as a small float16 number)."""
    from course.scale import compress

    constants = compress.encoder_constants(models["raw"])
    mean, std = constants["mean"].to_numpy(), constants["std"].to_numpy()
    vectors = _float16_vectors(float16)
    assert all(np.isfinite(v).all() for v in vectors)
    (stored_mean,) = [v for v in vectors if np.allclose(v, np.minimum(mean, 65_504), rtol=1e-3)]
    assert stored_mean[data.NUMERIC.index("credit_limit")] == 65_504
    clamped = {
        c
        for c, m, s in zip(data.NUMERIC, mean, stored_mean, strict=True)
        if abs(m - s) > 1e-3 * abs(m)
    }
    assert clamped == {c for c, k in BEYOND_FLOAT16 if k == "mean"}
    assert any(np.allclose(v, 1 / std, rtol=0.01) for v in vectors)  # 1/std, subnormals included


def test_standardising_outside_the_file_removes_the_float16_shift(models, split, float16):
    from course.scale import compress
    from course.scale.network import predict_proba

    model, x = models["raw"], data.as_matrix(split.test)
    keras_p = predict_proba(model, split.test)
    before = compress.probability_shift(keras_p, compress.predict_all(float16, x))
    fixed = compress.convert(model, "TF Lite float16", standardise_outside=True)
    after = compress.probability_shift(keras_p, compress.predict_all(fixed, x))
    assert before["moved > 0.01"] > 0.5 and before["decisions flipped"] > 0.02
    assert before["largest change"] > 0.02
    assert after["moved > 0.01"] == 0 and after["largest change"] < 1e-3
    assert after["decisions flipped"] < 0.002
    assert fixed.standardised_outside and not float16.standardised_outside
    exact = compress.convert(model, "TF Lite float32", standardise_outside=True)
    exact_p = compress.predict_all(exact, x)
    assert compress.probability_shift(keras_p, exact_p)["largest change"] < 1e-5
    # the outside step is the model's own: the raw records are not changed in place
    assert np.array_equal(x, data.as_matrix(split.test))


def test_the_lessons_networks_take_logged_amounts_and_float16_leaves_them_alone(models, split):
    """The practitioner's encoding is also float16's fix: logged amounts have small constants."""
    from course.scale import compress
    from course.scale.network import predict_proba

    x = data.as_matrix(split.test)
    for name in ("network", "wide"):
        model = models[name]
        assert model.get_layer("encode").log_amounts and compress.beyond_float16(model).empty
        p = compress.predict_all(compress.convert(model, "TF Lite float16"), x)
        shift = compress.probability_shift(predict_proba(model, split.test), p)
        assert shift["moved > 0.01"] == 0 and shift["largest change"] < 5e-3
        with pytest.raises(ValueError, match="logarithm of the amounts"):
            compress.convert(model, "TF Lite float16", standardise_outside=True)
    assert not models["raw"].get_layer("encode").log_amounts


def test_int8_keeps_one_scale_per_output_unit(models):
    from course.scale import compress

    table = compress.int8_tensors(compress.convert(models["wide"], "TF Lite int8 (dynamic range)"))
    big = table.loc[table["weights"].idxmax()]
    assert big["weights"] >= compress.QUANTIZE_MIN_WEIGHTS
    assert big["scales"] == big["shape"][big["scale axis"]] == grids.WIDE_HIDDEN  # per channel
    assert (table["weights"] >= compress.QUANTIZE_MIN_WEIGHTS).all()


def test_litert_runs_where_the_lock_installs_it():
    from course.scale import lite
    from course.setup.pins import pins_for_this_platform

    if "ai-edge-litert" in pins_for_this_platform():
        assert lite.RUNTIME == lite.LITERT
        pinned = pins_for_this_platform()["ai-edge-litert"]
        assert lite.describe_runtime().startswith(f"LiteRT {pinned}")
    assert lite.RUNTIMES[-1] == lite.TENSORFLOW


def test_litert_and_tensorflow_give_the_same_probabilities(models, split, capfd):
    """The same file on both runtimes: equal to float32 rounding (their logarithm kernels, used
    for the logged amounts, may differ in the last bit), and the same decisions."""
    from course.scale import compress, lite

    if lite.LITERT not in lite.RUNTIMES:
        pytest.skip("LiteRT (ai-edge-litert) has no wheel for this platform")
    x = data.as_matrix(split.test.head(2_500))
    for variant in compress.VARIANTS:
        file = compress.convert(models["network"], variant)
        on = {r: compress.predict_all(file, x, runtime=r) for r in lite.RUNTIMES}
        assert np.abs(on[lite.LITERT] - on[lite.TENSORFLOW]).max() <= 1e-6, variant
    assert capfd.readouterr() == ("", "")  # converter and delegate chatter stay out of the lesson


def test_only_the_named_warning_is_filtered_and_others_come_through(models, capfd):
    from course.scale import compress, lite

    file = compress.convert(models["network"], "TF Lite float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lite.LiteModel(file, 3, runtime=lite.TENSORFLOW)
    assert not [w for w in caught if "deprecated" in str(w.message)]
    with pytest.warns(UserWarning, match="a warning that matters"):
        with lite.native_output_silenced():
            print("converter chatter")
            warnings.warn("a warning that matters", UserWarning, stacklevel=1)
    assert capfd.readouterr() == ("", "")


def test_bad_input_gets_a_clear_error(models, float16):
    from course.scale import compress, lite

    with pytest.raises(ValueError, match="unknown variant"):
        compress.convert(models["network"], "TF Lite int4")
    with pytest.raises(ValueError, match="not installed"):
        lite.LiteModel(float16, 2, runtime="ONNX Runtime")
    with pytest.raises(ValueError, match="2 rows at a time"):
        lite.LiteModel(float16, 2).predict_proba(np.zeros((3, len(data.FEATURES))))
    with pytest.raises(ValueError, match="columns"):
        lite.LiteModel(float16, 2).predict_proba(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="LiteFile"):
        lite.predict_all("model.tflite", np.zeros((2, len(data.FEATURES))))
    with pytest.raises(ValueError, match="equally long"):
        compress.probability_shift(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="'encode' layer"):
        compress.encoder_constants(_NoEncoder())


class _NoEncoder:
    """A stand-in model whose encoder holds no statistics."""

    def get_layer(self, name):
        return self

    def get_weights(self):
        return [np.zeros(3)]
