"""ecgbeat: heartbeat classification from ECG with honest, inter-patient evaluation.

The public API in one place; each name lives in the module that holds its concept.

Examples
--------
>>> import ecgbeat
>>> beats = ecgbeat.load_beats("sample")          # embedded MIT-BIH excerpt, no download
>>> train, test = beats.split("inter-patient")    # DS1 / DS2 of de Chazal et al. 2004
>>> train.X.ndim, train.classes
(3, ('N', 'S', 'V', 'F', 'Q'))
"""

from importlib.metadata import PackageNotFoundError, version

from ecgbeat.beats import BeatSet
from ecgbeat.datasets import load_beats, load_kaggle_csv
from ecgbeat.evaluation import EvaluationReport, evaluate, evaluate_predictions
from ecgbeat.explain import grad_cam
from ecgbeat.labels import LabelMap, get_label_map
from ecgbeat.models import create_model, list_models, register_model
from ecgbeat.pipeline import BeatConfig
from ecgbeat.predict import BeatTable, predict_record
from ecgbeat.pretrained import load_pretrained
from ecgbeat.training import Classifier, TrainResult, ensemble, load, train

try:
    __version__ = version("ecgbeat")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "BeatConfig",
    "BeatSet",
    "BeatTable",
    "Classifier",
    "EvaluationReport",
    "LabelMap",
    "TrainResult",
    "__version__",
    "create_model",
    "ensemble",
    "evaluate",
    "evaluate_predictions",
    "get_label_map",
    "grad_cam",
    "list_models",
    "load",
    "load_beats",
    "load_kaggle_csv",
    "load_pretrained",
    "predict_record",
    "register_model",
    "train",
]
