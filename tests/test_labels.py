import numpy as np
import pytest

from ecgbeat.labels import AAMI_CLASSES, BEAT_SYMBOLS, LABEL_MAPS, LabelMap, get_label_map


def _classes_of(label_map, symbols):
    y, mapped = label_map.encode(np.array(list(symbols)))
    assert mapped.all()
    return "".join(label_map.classes[i] for i in y)


def test_dechazal_puts_escape_beats_in_n():
    assert _classes_of(get_label_map("aami-dechazal"), "je") == "NN"


def test_ec57_puts_escape_beats_in_s_like_bxb():
    assert _classes_of(get_label_map("aami-ec57"), "jen") == "SSS"


@pytest.mark.parametrize("name", ["aami-dechazal", "aami-ec57"])
def test_aami_maps_cover_every_beat_symbol(name):
    label_map = get_label_map(name)
    assert label_map.classes == AAMI_CLASSES
    assert set(label_map.symbols) == BEAT_SYMBOLS


def test_aami_maps_agree_on_the_main_symbols():
    for name in ("aami-dechazal", "aami-ec57"):
        assert _classes_of(get_label_map(name), "NLRAaJSVEF/fQ") == "NNNSSSSVVFQQQ"


def test_non_beat_and_unknown_symbols_are_flagged_not_mapped():
    y, mapped = get_label_map().encode(np.array(["N", "+", "~", "V", "x"]))
    assert mapped.tolist() == [True, False, False, True, False]
    assert y.tolist() == [0, 2]


def test_six_class_map_leaves_other_beats_unmapped():
    _, mapped = LABEL_MAPS["mitbih6"].encode(np.array(["N", "L", "/", "j"]))
    assert mapped.tolist() == [True, True, False, False]


def test_a_dict_becomes_a_custom_map_with_given_class_order():
    label_map = get_label_map({"N": "normal", "V": "pvc", "E": "pvc"}, classes=["pvc", "normal"])
    assert label_map.classes == ("pvc", "normal")
    assert _classes_of(label_map, "NVE") == "".join(["normal", "pvc", "pvc"])


def test_a_map_to_an_undeclared_class_is_refused():
    with pytest.raises(ValueError, match="not among its classes"):
        LabelMap("bad", ("N",), {"V": "V"})


def test_unknown_map_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="aami-dechazal"):
        get_label_map("aami-2004")


def test_round_trip_through_a_dict():
    label_map = get_label_map("aami-ec57")
    assert LabelMap.from_dict(label_map.to_dict()) == label_map
