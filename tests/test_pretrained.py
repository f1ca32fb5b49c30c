import numpy as np
import pytest

import ecgbeat
from ecgbeat.pretrained import PRETRAINED, list_pretrained, load_pretrained


def test_every_listed_model_ships_inside_the_package_and_is_small():
    from ecgbeat import pretrained

    folder = pretrained._FOLDER
    for name in list_pretrained():
        path = folder / PRETRAINED[name]
        assert path.is_file() and path.stat().st_size < 5 * 2**20


def test_pretrained_model_classifies_the_embedded_sample_offline():
    clf = load_pretrained()
    beats = ecgbeat.load_beats(
        "sample", config=clf.config, label_map=clf.label_map, leads=clf.metadata["lead_spec"]
    )
    predicted = clf.predict(beats)
    assert predicted.shape == beats.y.shape
    # The sample mixes DS1 records (seen in training) and DS2 records (unseen).
    assert (predicted == beats.y).mean() > 0.8


def test_pretrained_model_predicts_a_raw_record():
    clf = load_pretrained()
    folder = ecgbeat.datasets.locate("sample")
    record = ecgbeat.datasets.read_record(folder, "213", leads="all")  # a DS2 record
    table = clf.predict_record(record.signal, fs=record.fs)
    predicted = table.label[table.flag == ""]  # flagged beats carry no class
    assert len(predicted) > 150 and set(np.unique(predicted)) <= set(clf.classes)


def test_unknown_pretrained_name_lists_the_available_ones():
    with pytest.raises(ValueError, match="beatfusion-mitdb-ds1"):
        load_pretrained("resnet-ptbxl")
