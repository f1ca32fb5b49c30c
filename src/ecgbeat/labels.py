"""Beat label maps: MIT-BIH annotation symbols to AAMI EC57 classes, and user-defined maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "AAMI_CLASSES",
    "BEAT_SYMBOLS",
    "LABEL_MAPS",
    "LabelMap",
    "get_label_map",
]

#: Every symbol the WFDB annotation standard uses for a beat (the 19 counted as beats in
#: MIT-BIH); all other symbols (rhythm changes '+', noise '~', artefacts '|', ...) are
#: non-beat annotations.
BEAT_SYMBOLS: frozenset[str] = frozenset("NLRBAaJSVrFejnE/fQ?")

#: The five AAMI EC57 beat classes.
AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")


@dataclass(frozen=True)
class LabelMap:
    """A mapping from annotation symbols to class names.

    Parameters
    ----------
    name : str
        Short name, stored in checkpoints.
    classes : tuple of str
        Class names in index order.
    symbols : mapping of str to str
        Annotation symbol -> class name. Beat symbols missing here are counted as
        unmapped and left out (for instance paced beats in a map that has no Q class).

    Examples
    --------
    >>> six = LabelMap("six", ("N", "L", "R", "A", "V", "F"),
    ...                {s: s for s in "NLRAVF"})
    >>> y, mapped = six.encode(np.array(["N", "V", "A", "/"]))
    >>> y.tolist(), mapped.tolist()
    ([0, 4, 3], [True, True, True, False])
    """

    name: str
    classes: tuple[str, ...]
    symbols: Mapping[str, str]

    def __post_init__(self) -> None:
        unknown = sorted(set(self.symbols.values()) - set(self.classes))
        if unknown:
            raise ValueError(
                f"label map {self.name!r} maps symbols to {unknown}, which are not among its "
                f"classes {self.classes}; add them to classes or fix the map"
            )
        if len(set(self.classes)) != len(self.classes):
            raise ValueError(f"label map {self.name!r} repeats a class name: {self.classes}")

    def encode(self, symbols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class indices of the mapped symbols and a mask of which symbols were mapped.

        Returns
        -------
        y : ndarray of shape (n_mapped,), int64
        mapped : ndarray of shape (n_symbols,), bool
        """
        index = {c: i for i, c in enumerate(self.classes)}
        lookup = {s: index[c] for s, c in self.symbols.items()}
        codes = np.array([lookup.get(s, -1) for s in np.asarray(symbols).tolist()], np.int64)
        mapped = codes >= 0
        return codes[mapped], mapped

    def to_dict(self) -> dict:
        """JSON-safe form, stored in checkpoints."""
        return {"name": self.name, "classes": list(self.classes), "symbols": dict(self.symbols)}

    @classmethod
    def from_dict(cls, data: Mapping) -> LabelMap:
        """Inverse of :meth:`to_dict`."""
        return cls(data["name"], tuple(data["classes"]), dict(data["symbols"]))


def _by_class(name: str, groups: Mapping[str, str]) -> LabelMap:
    return LabelMap(name, tuple(groups), {s: c for c, symbols in groups.items() for s in symbols})


#: Built-in maps. ``"aami-dechazal"`` follows de Chazal et al. 2004 and most papers
#: (escape beats j, e in N); ``"aami-ec57"`` follows the ``bxb`` reference of ANSI/AAMI
#: EC57 (escape beats j, e, n in S; B in N; r, E in V); ``"mitbih6"`` is the six-class
#: N/L/R/A/V/F set used by several raw-record projects.
LABEL_MAPS: dict[str, LabelMap] = {
    m.name: m
    for m in (
        _by_class(
            "aami-dechazal", {"N": "NLRejBn", "S": "AaJS", "V": "VEr", "F": "F", "Q": "/fQ?"}
        ),
        _by_class("aami-ec57", {"N": "NLRB", "S": "AaJSjen", "V": "VEr", "F": "F", "Q": "/fQ?"}),
        LabelMap("mitbih6", ("N", "L", "R", "A", "V", "F"), {s: s for s in "NLRAVF"}),
    )
}


def get_label_map(
    label_map: str | LabelMap | Mapping[str, str] | None = None,
    *,
    classes: Sequence[str] | None = None,
) -> LabelMap:
    """Resolve a label map given by name, as a :class:`LabelMap`, or as a symbol dict.

    Parameters
    ----------
    label_map : str, LabelMap, mapping or None
        A name from :data:`LABEL_MAPS` (default ``"aami-dechazal"``), a ready map, or a
        dict symbol -> class name.
    classes : sequence of str, optional
        Class order for a dict map; defaults to the order of first appearance.

    Examples
    --------
    >>> get_label_map().classes
    ('N', 'S', 'V', 'F', 'Q')
    >>> get_label_map({"N": "normal", "V": "pvc"}).classes
    ('normal', 'pvc')
    """
    if label_map is None:
        label_map = "aami-dechazal"
    if isinstance(label_map, LabelMap):
        return label_map
    if isinstance(label_map, str):
        try:
            return LABEL_MAPS[label_map]
        except KeyError:
            raise ValueError(
                f"unknown label map {label_map!r}; choose one of {sorted(LABEL_MAPS)} "
                "or pass a dict symbol -> class"
            ) from None
    if isinstance(label_map, Mapping):
        order = tuple(classes) if classes is not None else tuple(dict.fromkeys(label_map.values()))
        return LabelMap("custom", order, dict(label_map))
    raise TypeError(f"label_map must be a name, a LabelMap or a dict, got {type(label_map)}")
