"""The Keras credit-risk model. It takes **raw records** (the 20 applicant attributes as they
appear on a form): normalisation and category encoding are layers inside the model, so the
exported model and the web service accept exactly what an applicant provides.

Importing this module imports TensorFlow (about 6 s and 700 MB): only lesson 03 and the
reference-model builder do.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from course.credit.data import CATEGORICAL, FEATURES, NUMERIC, SEED, TARGET, Split
from course.credit.features import CATEGORIES
from course.credit.signature import MODEL_NAME, OUTPUT

# TensorFlow's Python logger prints retracing notices (with memory addresses) and export paths:
# noise for learners and different on every run. Errors still show.
tf.get_logger().setLevel("ERROR")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and training settings (the defaults are the course's reference model)."""

    hidden: int = 16
    dropout: float = 0.3
    l2: float = 1e-3
    learning_rate: float = 1e-2
    batch_size: int = 64
    max_epochs: int = 200
    patience: int = 10
    seed: int = SEED


def to_inputs(frame: pd.DataFrame) -> dict:
    """Raw records as the model's named inputs: string tensors for categories, float32 numbers."""
    missing = [c for c in FEATURES if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}")
    inputs = {
        c: tf.constant(frame[c].astype(str).to_numpy().reshape(-1, 1), dtype=tf.string)
        for c in CATEGORICAL
    }
    inputs |= {c: frame[c].to_numpy(dtype="float32").reshape(-1, 1) for c in NUMERIC}
    return inputs


def vocabulary(values: pd.Series, column: str) -> list[str]:
    """The categories seen in ``values``, most frequent first, as Keras's ``adapt`` orders them,
    but with ties broken by the form's order (:data:`CATEGORIES`, last first) instead of by the
    labels' spelling: renaming a level (the corrected code table did) cannot reorder the one-hot
    columns, and the order is the one ``adapt`` gave the data file's original labels."""
    position = {label: i for i, label in enumerate(CATEGORIES[column])}
    counts = values.astype(str).value_counts()
    unknown = sorted(set(counts.index) - set(position))
    if unknown:
        raise ValueError(f"{column}: values not on the form: {unknown}")
    return sorted(counts.index, key=lambda label: (-counts[label], -position[label]))


def build_preprocessor(train: pd.DataFrame) -> keras.Model:
    """Raw inputs -> one feature matrix: normalised numbers and one-hot categories, adapted on
    ``train`` only (statistics from validation or test data would leak into the model)."""
    inputs = {c: keras.Input(shape=(1,), dtype="float32", name=c) for c in NUMERIC}
    numbers = keras.layers.Concatenate(name="numeric")([inputs[c] for c in NUMERIC])
    norm = keras.layers.Normalization(name="normalize")
    norm.adapt(train[NUMERIC].to_numpy("float32"))
    encoded = [norm(numbers)]
    for column in CATEGORICAL:
        inputs[column] = keras.Input(shape=(1,), dtype="string", name=column)
        lookup = keras.layers.StringLookup(
            vocabulary=vocabulary(train[column], column),
            output_mode="one_hot",
            name=f"lookup_{column}",
        )
        encoded.append(lookup(inputs[column]))
    return keras.Model(
        inputs, keras.layers.Concatenate(name="features")(encoded), name="preprocess"
    )


def build_core(n_features: int, config: ModelConfig = ModelConfig()) -> keras.Model:
    """A small 'wide and deep' network on the feature matrix: a linear path (like logistic
    regression) plus one hidden layer, joined before the sigmoid output."""
    keras.utils.set_random_seed(config.seed)
    features = keras.Input(shape=(n_features,), name="features")
    regularizer = keras.regularizers.L2(config.l2)
    hidden = keras.layers.Dense(
        config.hidden, activation="relu", kernel_regularizer=regularizer, name="hidden"
    )(features)
    hidden = keras.layers.Dropout(config.dropout, name="dropout")(hidden)
    joined = keras.layers.Concatenate(name="wide_and_deep")([features, hidden])
    output = keras.layers.Dense(
        1, activation="sigmoid", kernel_regularizer=regularizer, name=OUTPUT
    )(joined)
    core = keras.Model(features, output, name="core")
    core.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.AUC(name="auc")],
    )
    return core


def compose(preprocessor: keras.Model, core: keras.Model) -> keras.Model:
    """The deployable model: raw records in, P(default) out."""
    inputs = {c: keras.Input(shape=(1,), dtype="float32", name=c) for c in NUMERIC}
    inputs |= {c: keras.Input(shape=(1,), dtype="string", name=c) for c in CATEGORICAL}
    return keras.Model(inputs, core(preprocessor(inputs)), name=MODEL_NAME)


@dataclass
class TrainingResult:
    model: keras.Model  # raw records -> P(default)
    history: pd.DataFrame  # loss, auc, val_loss, val_auc per epoch
    best_epoch: int


def train_model(
    train: pd.DataFrame, validation: pd.DataFrame, config: ModelConfig = ModelConfig()
) -> TrainingResult:
    """Fit with early stopping on validation AUC (best weights restored), seeded and silent.

    The preprocessing runs once on each split; the core trains on the resulting dense arrays
    (13 string lookups per step would make training about 20 times slower).
    """
    preprocessor = build_preprocessor(train)
    x_train = np.asarray(preprocessor.predict_on_batch(to_inputs(train)))
    x_val = np.asarray(preprocessor.predict_on_batch(to_inputs(validation)))
    core = build_core(x_train.shape[1], config)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_auc", mode="max", patience=config.patience, restore_best_weights=True
    )
    # A cached tf.data pipeline: Keras rebuilds one from NumPy arrays every epoch (~2.5x slower).
    batches = (
        tf.data.Dataset.from_tensor_slices((x_train, train[TARGET].to_numpy("float32")))
        .cache()
        .shuffle(len(x_train), seed=config.seed)
        .batch(config.batch_size)
    )
    held_out = (
        tf.data.Dataset.from_tensor_slices((x_val, validation[TARGET].to_numpy("float32")))
        .batch(len(x_val))
        .cache()
    )
    fitted = core.fit(
        batches,
        validation_data=held_out,
        epochs=config.max_epochs,
        shuffle=False,
        callbacks=[stop],
        verbose=0,
    )  # batches are shuffled above
    history = pd.DataFrame(fitted.history)
    history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
    return TrainingResult(compose(preprocessor, core), history, int(history["val_auc"].idxmax()))


def predict_proba(model: keras.Model, frame: pd.DataFrame) -> np.ndarray:
    """P(default) per row, via ``predict_on_batch`` (the fast path for small inputs)."""
    return np.asarray(model.predict_on_batch(to_inputs(frame))).ravel()


def fit_predict(
    train: pd.DataFrame,
    test: pd.DataFrame,
    config: ModelConfig = ModelConfig(),
    inner_seed: int = SEED,
    tune_threshold: bool = False,
):
    """Cross-validation helper: hold out a stratified 25 % of ``train`` for early stopping, fit,
    and return P(default) for ``test``.

    With ``tune_threshold``, return ``(probabilities, threshold)`` where the threshold minimises
    cost on the same held-out rows that chose the epoch: the reference model's recipe, repeated
    in every fold so that it can be compared with the fixed 1/6 on data it never saw.
    """
    from sklearn.model_selection import train_test_split

    from course.credit.evaluate import best_threshold

    fit, stop = train_test_split(
        train, test_size=0.25, stratify=train[TARGET], random_state=inner_seed
    )
    model = train_model(fit, stop, config).model
    if not tune_threshold:
        return predict_proba(model, test)
    return predict_proba(model, test), best_threshold(stop[TARGET], predict_proba(model, stop))


def fit_predict_tuned(train: pd.DataFrame, test: pd.DataFrame) -> tuple[np.ndarray, float]:
    """:func:`fit_predict` that also tunes its threshold on its early-stopping rows."""
    return fit_predict(train, test, tune_threshold=True)


def train_reference_model(split: Split | None = None) -> TrainingResult:
    """The course's reference model: the same split, settings and seed, so the same weights."""
    from course.credit.data import split_data

    split = split or split_data()
    return train_model(split.train, split.validation, ModelConfig())
