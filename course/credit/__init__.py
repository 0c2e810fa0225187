"""Lesson 03-05 credit-risk logic. Submodules, imported on use:

- :mod:`course.credit.data`: features, target and the fixed stratified split (no TensorFlow)
- :mod:`course.credit.evaluate`: metrics, cost-optimal threshold, calibration, fairness (no TF)
- :mod:`course.credit.model`: the Keras model, training, the reference model (TensorFlow)
- :mod:`course.credit.numpy_model`: the exported model run with NumPy only (for the service)
- :mod:`course.credit.export`: SavedModel in TF Serving layout, artifacts, model card (TensorFlow)
- :mod:`course.credit.baselines`: scikit-learn baselines and repeated cross-validation
"""
