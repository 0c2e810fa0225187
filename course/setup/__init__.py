"""A learner's machine: the checks, pins, Jupyter settings and the Colab/Kaggle set-up cell."""
