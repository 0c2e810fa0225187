"""Lesson 06 (optional extension): more data, transfer to a new lender, a smaller model.

Submodules, imported on use:

- :mod:`course.scale.data`: the tidy Taiwan credit-card data, its fixed split and segments (no TF)
- :mod:`course.scale.baselines`: the two scikit-learn baselines and cross-validation (no TF)
- :mod:`course.scale.forward`: the trained network run with NumPy only (no TF)
- :mod:`course.scale.network`: the lesson-03 recipe on this data, and fine-tuning (TensorFlow)
- :mod:`course.scale.grids`: the learning curve and fine-tuning grids, cached (TensorFlow to build)
- :mod:`course.scale.compress`: TensorFlow Lite conversion, latency and magnitude pruning (TF)
"""
