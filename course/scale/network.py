"""Lesson 03's recipe on the Taiwan clients, and fine-tuning a pre-trained model for a new lender.

The model takes **raw records** (the :data:`~course.scale.data.FEATURES` columns as published,
one float32 matrix): standardising the quantities and one-hot encoding the codes (demographics
and repayment statuses, :data:`~course.scale.data.CODED`) happen in its first layer, adapted on
the training rows only. Behind it, lesson 03's small wide-and-deep network. One matrix input,
and an encoder made of plain tensor operations, keep the model convertible by TensorFlow Lite
without extra operators (:mod:`course.scale.compress`).

Importing this module imports TensorFlow (about 6 s and 700 MB).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from course.scale.data import AMOUNTS, CODED, FEATURES, NUMERIC, SEED, TARGET, as_matrix, signed_log

tf.get_logger().setLevel("ERROR")

_NUMERIC_INDEX = [FEATURES.index(c) for c in NUMERIC]
#: 1 for the numeric columns that are amounts (logged before standardising), 0 for the others.
_AMOUNT_MASK = np.array([float(c in AMOUNTS) for c in NUMERIC], dtype="float32")
_CODED_INDEX = [FEATURES.index(c) for c in CODED]
#: Per code column: its lowest code and its number of codes (one one-hot slot per code).
_LOWEST = [min(codes) for codes in CODED.values()]
_WIDTHS = [max(codes) - min(codes) + 1 for codes in CODED.values()]
N_ENCODED = len(NUMERIC) + sum(_WIDTHS)


@dataclass(frozen=True)
class NetConfig:
    """Lesson 03's settings, with batches scaled to the data (256 rows instead of 64)."""

    hidden: int = 16
    dropout: float = 0.3
    l2: float = 1e-3
    learning_rate: float = 1e-2
    batch_size: int = 256
    max_epochs: int = 60
    patience: int = 6
    seed: int = SEED
    #: Take the signed logarithm of the amounts before standardising (False: lesson 03's recipe,
    #: raw amounts, kept to show what float16 does to large constants).
    log_amounts: bool = True


@keras.saving.register_keras_serializable(package="course")
class RecordEncoder(keras.layers.Layer):
    """Raw record matrix -> standardised quantities followed by one one-hot block per code
    column (:data:`~course.scale.data.CODED`: the demographics and the six repayment statuses).

    With ``log_amounts`` the amounts (:data:`~course.scale.data.AMOUNTS`) are replaced by their
    signed logarithm first. ``mean`` and ``std`` are fixed weights set by :func:`adapt` on training
    rows only. A code outside a column's range gets an all-zero block.
    """

    def __init__(self, log_amounts: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.log_amounts = bool(log_amounts)

    def get_config(self):
        return {**super().get_config(), "log_amounts": self.log_amounts}

    def build(self, input_shape):
        self.mean = self.add_weight(
            shape=(len(NUMERIC),), initializer="zeros", trainable=False, name="mean"
        )
        self.std = self.add_weight(
            shape=(len(NUMERIC),), initializer="ones", trainable=False, name="std"
        )

    def call(self, records):
        numbers = tf.gather(records, _NUMERIC_INDEX, axis=1)
        if self.log_amounts:  # sign(x) * log(1 + |x|), in operations TF Lite has built in
            logged = tf.sign(numbers) * tf.math.log(1.0 + tf.abs(numbers))
            numbers = _AMOUNT_MASK * logged + (1.0 - _AMOUNT_MASK) * numbers
        numbers = (numbers - self.mean) / self.std
        codes = tf.cast(tf.gather(records, _CODED_INDEX, axis=1), tf.int32)
        hot = [
            tf.one_hot(codes[:, i] - low, width)
            for i, (low, width) in enumerate(zip(_LOWEST, _WIDTHS, strict=True))
        ]
        return tf.concat([numbers, *hot], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], N_ENCODED)


def adapt(encoder: RecordEncoder, frame: pd.DataFrame) -> None:
    """Set the encoder's statistics from ``frame`` (the training rows: never validation or test)."""
    numbers = frame[NUMERIC].to_numpy(dtype="float64")
    if encoder.log_amounts:
        numbers = np.where(_AMOUNT_MASK.astype(bool), signed_log(numbers), numbers)
    encoder.set_weights(
        [
            numbers.mean(axis=0).astype("float32"),
            np.maximum(numbers.std(axis=0), 1e-7).astype("float32"),
        ]
    )


def build_model(train: pd.DataFrame, config: NetConfig = NetConfig()) -> keras.Model:
    """Raw records in, P(default) out: the encoder adapted on ``train``, then wide and deep."""
    keras.utils.set_random_seed(config.seed)
    records = keras.Input(shape=(len(FEATURES),), name="records")
    encoder = RecordEncoder(log_amounts=config.log_amounts, name="encode")
    features = encoder(records)
    adapt(encoder, train)
    regularizer = keras.regularizers.L2(config.l2)
    hidden = keras.layers.Dense(
        config.hidden, activation="relu", kernel_regularizer=regularizer, name="hidden"
    )(features)
    hidden = keras.layers.Dropout(config.dropout, name="dropout")(hidden)
    joined = keras.layers.Concatenate(name="wide_and_deep")([features, hidden])
    output = keras.layers.Dense(
        1, activation="sigmoid", kernel_regularizer=regularizer, name="default_probability"
    )(joined)
    return keras.Model(records, output, name="taiwan_credit_risk")


def compile_model(model: keras.Model, learning_rate: float) -> None:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.AUC(name="auc")],
    )


def fit(
    model: keras.Model,
    train: pd.DataFrame,
    validation: pd.DataFrame,
    config: NetConfig = NetConfig(),
) -> pd.DataFrame:
    """Train silently with early stopping on validation AUC (best weights restored); the history."""
    compile_model(model, config.learning_rate)
    keras.utils.set_random_seed(config.seed)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_auc", mode="max", patience=config.patience, restore_best_weights=True
    )
    batches = (
        tf.data.Dataset.from_tensor_slices((as_matrix(train), train[TARGET].to_numpy("float32")))
        .cache()
        .shuffle(len(train), seed=config.seed)
        .batch(config.batch_size)
    )
    held_out = (
        tf.data.Dataset.from_tensor_slices(
            (as_matrix(validation), validation[TARGET].to_numpy("float32"))
        )
        .batch(4096)
        .cache()
    )
    fitted = model.fit(
        batches,
        validation_data=held_out,
        epochs=config.max_epochs,
        shuffle=False,
        callbacks=[stop],
        verbose=0,
    )
    history = pd.DataFrame(fitted.history)
    history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
    return history


@dataclass
class Trained:
    model: keras.Model
    history: pd.DataFrame

    @property
    def best_epoch(self) -> int:
        return int(self.history["val_auc"].idxmax())


def train_model(
    train: pd.DataFrame, validation: pd.DataFrame, config: NetConfig = NetConfig()
) -> Trained:
    """Lesson 03's recipe: build on ``train``, early-stop on ``validation``."""
    model = build_model(train, config)
    return Trained(model, fit(model, train, validation, config))


def predict_proba(model: keras.Model, frame: pd.DataFrame) -> np.ndarray:
    """P(default) per row (``predict_on_batch``: the fast path)."""
    return np.asarray(model.predict_on_batch(as_matrix(frame))).ravel()


def early_stopping_split(train: pd.DataFrame, seed: int = SEED):
    """A stratified 25 % of ``train`` held out for early stopping (lesson 03's ``fit_predict``)."""
    from sklearn.model_selection import train_test_split

    return train_test_split(train, test_size=0.25, stratify=train[TARGET], random_state=seed)


def fit_predict(
    train: pd.DataFrame, test: pd.DataFrame, config: NetConfig = NetConfig()
) -> np.ndarray:
    """Cross-validation helper: early-stop on a quarter of ``train``, return P(default) for
    ``test``."""
    rows, stop = early_stopping_split(train, config.seed)
    return predict_proba(train_model(rows, stop, config).model, test)


# --- transfer: pre-train on other clients, fine-tune on the new lender's --------------------------

#: The fine-tuning methods compared, and how each treats the pre-trained model.
METHODS = {
    "from scratch": "the recipe on the new lender's rows only",
    "pre-trained as is": "the other segments' model, unchanged",
    "fine-tuned: last layer": (
        "the output layer retrained on the new lender's rows, the rest frozen"
    ),
    "fine-tuned: all layers": "every layer retrained, at a tenth of the learning rate",
}
#: Fine-tuning all layers starts from good weights: a tenth of the learning rate keeps it near them.
FINE_TUNE_RATE = 1e-3


def clone(model: keras.Model) -> keras.Model:
    """An independent copy with the same weights (the encoder's statistics included)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def fine_tune(
    pretrained: keras.Model, rows: pd.DataFrame, method: str, config: NetConfig = NetConfig()
) -> keras.Model:
    """A model for the new lender from its ``rows`` (a quarter of them held out for early
    stopping), by one of :data:`METHODS`. The pre-trained model itself is never changed; the
    encoder keeps the pre-training statistics (they come from far more clients)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {list(METHODS)}")
    if method == "pre-trained as is":
        return pretrained
    fit_rows, stop = early_stopping_split(rows, config.seed)
    if method == "from scratch":
        return train_model(fit_rows, stop, config).model
    # Seed before cloning: the copy's dropout draws its own seed when it is made, from the global
    # state, so without this a point's result would depend on what ran before it.
    keras.utils.set_random_seed(config.seed)
    model = clone(pretrained)
    rate = config.learning_rate
    if method == "fine-tuned: last layer":
        model.get_layer("hidden").trainable = False
    else:
        rate = FINE_TUNE_RATE
    fit(model, fit_rows, stop, replace(config, learning_rate=rate, batch_size=32))
    return model
