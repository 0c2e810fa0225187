"""The SavedModel's names, in one place: the model (TensorFlow Serving's ``<name>/<version>/``
folder and ``/v1/models/<name>`` route), its signature and its one output.

The exporter (:mod:`course.credit.export`), the service's SavedModel backend
(:mod:`course.service.server`), TF Serving's command and requests (:mod:`course.service.tf_serving`)
and the tests all read them here. This module imports nothing: ``import course`` and the light
service never load TensorFlow through it.
"""

#: The model's name: the SavedModel folder ``credit_risk/<version>/`` and TF Serving's model name.
MODEL_NAME = "credit_risk"
#: The signature TF Serving calls when a request names none.
SIGNATURE = "serving_default"
#: The signature's one output, P(default); also the name of the Keras model's output layer.
OUTPUT = "default_probability"
