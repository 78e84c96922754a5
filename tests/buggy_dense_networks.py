"""Keras builders for testing the `dense_networks` check table: the lecture's
recipe written three ways (none may trigger a hint), and one builder per
"frequent misunderstanding" (each must trigger its hint). Plain code, written
independently of reference_impl/dense_networks.py; keras is imported by the
functions so that importing this module stays cheap.
"""
from __future__ import annotations


# ============================================================ the recipe, three ways


def recipe_regressor(n_inputs):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


def recipe_classifier(n_inputs, n_classes):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
    return model


def recipe_regressor_activation_layers(n_inputs):
    """Functional API, activations as separate layers, a loss object."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(n_inputs,))
    x = layers.ReLU()(layers.Dense(30)(inputs))
    x = layers.Activation("relu")(layers.Dense(30)(x))
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    return model


def recipe_classifier_logits(n_inputs, n_classes):
    """A linear output with from_logits=True is a softmax classifier too (its
    predictions are logits, whose argmax is the class)."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"), layers.Dense(n_classes)])
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    return model


# ============================================================ misunderstandings


def linear_regressor(n_inputs):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30), layers.Dense(30),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def linear_classifier(n_inputs, n_classes):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30), layers.Dense(30),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def sigmoid_output_regressor(n_inputs):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="mse")
    return model


def softmax_hidden_regressor(n_inputs):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="softmax"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def sigmoid_hidden_classifier(n_inputs, n_classes):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)),
                              layers.Dense(30, activation="sigmoid"),
                              layers.Dense(30, activation="sigmoid"),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def crossentropy_regressor(n_inputs):
    """categorical_crossentropy on one linear unit: always 0, nothing is learnt."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def mse_classifier(n_inputs, n_classes):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="mse")
    return model


def sparse_classifier(n_inputs, n_classes):
    """sparse_categorical_crossentropy wants class numbers; the targets are one-hot."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(30, activation="relu"),
                              layers.Dense(30, activation="relu"),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def wide_regressor(n_inputs):
    """2 x 100 units: 10,401 parameters, over the budget."""
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(100, activation="relu"),
                              layers.Dense(100, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def wide_classifier(n_inputs, n_classes):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(n_inputs,)), layers.Dense(100, activation="relu"),
                              layers.Dense(100, activation="relu"),
                              layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model
