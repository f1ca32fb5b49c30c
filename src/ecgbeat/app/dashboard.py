"""The Streamlit page: pick a model and an ECG, see every beat classified and explained.

Run with ``ecgbeat app`` (or ``streamlit run`` on this file). The page is a thin layer
over the library: files are read by :mod:`ecgbeat.app.inputs`, beats are classified by
:func:`ecgbeat.predict.predict_record`, charts come from :mod:`ecgbeat.plots`
(``record_strip``, ``gradcam_beat``) and :mod:`ecgbeat.app.charts`. Models, records,
predictions and Grad-CAM maps are cached, so moving a slider redraws without classifying
again. Checkpoints are read with ``torch.load(weights_only=True)``: an uploaded file
cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st
from matplotlib.figure import Figure

import ecgbeat
from ecgbeat.app.charts import beat_map, mark_beats, probability_distributions
from ecgbeat.app.explain import explain_beat
from ecgbeat.app.inputs import read_sample, read_upload, sample_records
from ecgbeat.app.launch import MODEL_ENV
from ecgbeat.datasets import Record
from ecgbeat.plots import gradcam_beat, record_strip
from ecgbeat.predict import BeatTable, predict_record
from ecgbeat.training import Classifier

#: Labels of the model sources offered in the sidebar.
PRETRAINED, UPLOAD, PATH = "Pretrained model", "Upload a checkpoint", "Checkpoint on this machine"
#: Labels of the ECG sources offered in the sidebar.
SAMPLE, UPLOADED = "Embedded MIT-BIH sample", "Upload a CSV or WFDB record"
#: Sample shown first: record 208 has normal, ventricular and fusion beats side by side.
DEFAULT_SAMPLE = "208"
#: Resolution of the page's charts: sharp on screen at a quarter of the default's drawing time.
FIGURE_DPI = 100
#: Errors of bad files and models, shown on the page instead of a traceback.
USER_ERRORS = (ValueError, TypeError, FileNotFoundError, IndexError)


@st.cache_resource(show_spinner="Loading the model")
def load_checkpoint_file(path: str, modified: float) -> Classifier:
    """A checkpoint on disk; ``modified`` (its mtime) reloads it when the file changes."""
    return ecgbeat.load(path)


@st.cache_resource(show_spinner="Loading the model")
def load_checkpoint_bytes(data: bytes) -> Classifier:
    """An uploaded checkpoint, written to a temporary file for :func:`ecgbeat.load`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "uploaded.pt"
        path.write_bytes(data)
        return ecgbeat.load(path)


@st.cache_resource(show_spinner="Loading the pretrained model")
def load_pretrained_model() -> Classifier:
    """The model shipped with the package."""
    return ecgbeat.load_pretrained()


@st.cache_data(show_spinner="Reading the record")
def cached_sample(name: str) -> Record:
    """An embedded record, read once per server."""
    return read_sample(name)


@st.cache_data(show_spinner="Reading the files")
def cached_upload(files: dict[str, bytes], fs: float) -> Record:
    """Uploaded files as a record, read once per content and sampling rate."""
    return read_upload(files, fs=fs)


@st.cache_data(show_spinner="Detecting and classifying beats")
def classify(_classifier: Classifier, model_key: str, signal: np.ndarray, fs: float) -> BeatTable:
    """Beat table of a record; the unhashable model is keyed by ``model_key``."""
    return predict_record(_classifier, signal, fs=fs)


@st.cache_data(show_spinner="Computing Grad-CAM")
def explain(
    _classifier: Classifier,
    model_key: str,
    signal: np.ndarray,
    fs: float,
    samples: np.ndarray,
    index: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Model input and Grad-CAM map of beat ``index`` (see :func:`explain_beat`)."""
    return explain_beat(_classifier, signal, fs=fs, samples=samples, index=index)


def png(fig: Figure) -> bytes:
    """A matplotlib figure as PNG bytes at :data:`FIGURE_DPI`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


def show(fig: Figure | bytes) -> None:
    """Draw a figure (or its PNG bytes) across the page's width."""
    st.image(fig if isinstance(fig, bytes) else png(fig), width="stretch")


# Charts that depend on the beat table only are cached as images: moving the strip
# chart's sliders then redraws the strip chart alone.
@st.cache_data(show_spinner=False, max_entries=32)
def probabilities_png(proba: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> bytes:
    """The probability histograms as an image (see :func:`probability_distributions`)."""
    return png(probability_distributions(proba, labels, classes=classes))


@st.cache_data(show_spinner=False, max_entries=256)
def gradcam_png(
    x: np.ndarray,
    cam: np.ndarray,
    proba: np.ndarray,
    classes: tuple[str, ...],
    fs: float,
    title: str,
) -> bytes:
    """One beat's Grad-CAM figure as an image (see :func:`ecgbeat.plots.gradcam_beat`)."""
    return png(gradcam_beat(x, cam, proba, classes, fs=fs, title=title))


def fail(message: str) -> None:
    """Show a problem the user can fix and end this run of the page."""
    st.error(message)
    st.stop()


def choose_model() -> tuple[Classifier, str]:
    """Sidebar: the model and a key that names it for the caches."""
    st.sidebar.header("1. Model")
    given = os.environ.get(MODEL_ENV, "")
    sources = [UPLOAD, PATH]
    # The pretrained model is the default wherever the installed version ships one, unless
    # the page was started with a checkpoint (run_app(model=...)).
    if hasattr(ecgbeat, "load_pretrained"):
        sources.insert(0, PRETRAINED)
    if given:
        sources.insert(0, sources.pop(sources.index(PATH)))
    source = st.sidebar.radio("Model", sources, key="model_source", label_visibility="collapsed")
    try:
        if source == PRETRAINED:
            return load_pretrained_model(), "pretrained"
        if source == UPLOAD:
            upload = st.sidebar.file_uploader(
                "Checkpoint (.pt) written by ecgbeat.train()", type=["pt"], key="model_upload"
            )
            if upload is None:
                st.info("Upload a checkpoint (`best.pt` of a training run) in the sidebar.")
                st.stop()
            data = upload.getvalue()
            return load_checkpoint_bytes(data), hashlib.sha256(data).hexdigest()
        text = st.sidebar.text_input(
            "Path of a checkpoint (.pt)", value=given, key="model_path"
        ).strip()
        if not text:
            st.info("Type the path of a checkpoint (`best.pt` of a training run) in the sidebar.")
            st.stop()
        path = Path(text).expanduser()
        if not path.is_file():
            fail(f"No checkpoint at {path}; give the path of a .pt file written by ecgbeat.train()")
        modified = path.stat().st_mtime
        return load_checkpoint_file(str(path), modified), f"{path}:{modified}"
    except USER_ERRORS as err:
        fail(f"The model cannot be loaded: {err}")
    raise AssertionError("unreachable: fail() stops the page")


def choose_record(classifier: Classifier) -> Record:
    """Sidebar: the ECG, an embedded sample or uploaded files."""
    st.sidebar.header("2. ECG")
    source = st.sidebar.radio(
        "ECG", [SAMPLE, UPLOADED], key="ecg_source", label_visibility="collapsed"
    )
    try:
        if source == SAMPLE:
            names = sample_records()
            first = names.index(DEFAULT_SAMPLE) if DEFAULT_SAMPLE in names else 0
            return cached_sample(st.sidebar.selectbox("Record", names, index=first, key="sample"))
        uploads = st.sidebar.file_uploader(
            "One CSV (a column per lead) or a WFDB record (.hea + .dat, optionally .atr)",
            type=["csv", "hea", "dat", "atr"],
            accept_multiple_files=True,
            key="ecg_upload",
        )
        fs = st.sidebar.number_input(
            "Sampling rate of a CSV without a time column (Hz)",
            min_value=50.0,
            max_value=10_000.0,
            value=float(classifier.fs or 360.0),
            key="csv_fs",
        )
        if not uploads:
            st.info("Upload an ECG in the sidebar, or pick an embedded sample.")
            st.stop()
        return cached_upload({file.name: file.getvalue() for file in uploads}, fs)
    except USER_ERRORS as err:
        fail(f"The ECG cannot be read: {err}")
    raise AssertionError("unreachable: fail() stops the page")


def choose_leads(classifier: Classifier, record: Record) -> list[int]:
    """Sidebar: the record's leads fed to the model, its training leads by default."""
    n_leads = classifier.input_shape[0]
    if len(record.leads) < n_leads:
        fail(
            f"The model takes {n_leads} leads {list(classifier.leads)} but {record.name} has "
            f"{len(record.leads)} ({list(record.leads)}); choose a record with enough leads."
        )
    trained = [record.leads.index(lead) for lead in classifier.leads if lead in record.leads]
    default = trained if len(trained) == n_leads else list(range(n_leads))
    chosen = st.sidebar.multiselect(
        f"Lead{'s' if n_leads > 1 else ''} fed to the model ({n_leads})",
        options=range(len(record.leads)),
        default=default,
        format_func=lambda i: record.leads[i],
        max_selections=n_leads,
        key=f"leads_{record.name}",
    )
    if len(chosen) != n_leads:
        fail(f"Choose {n_leads} lead(s) for the model in the sidebar.")
    if classifier.leads and [record.leads[i] for i in chosen] != list(classifier.leads):
        st.warning(
            f"The model was trained on {list(classifier.leads)}; predictions on other leads "
            "are less reliable."
        )
    return list(chosen)


def summary(record: Record, table: BeatTable, *, normal: str) -> None:
    """Headline numbers: beats, heart rate, abnormal and flagged beats, counts per class."""
    duration = record.signal.shape[1] / record.fs
    rr_s = np.diff(table.time_s)
    predicted = table.label_index >= 0
    abnormal = int(np.sum(predicted & (table.label != normal)))
    columns = st.columns(5)
    columns[0].metric("Duration", f"{duration:.0f} s")
    columns[1].metric("Beats", len(table))
    columns[2].metric("Heart rate", f"{60 / np.median(rr_s):.0f} bpm" if len(rr_s) else "n/a")
    columns[3].metric(f"Not {normal}", f"{abnormal} ({100 * abnormal / max(len(table), 1):.1f} %)")
    columns[4].metric(
        "Flagged",
        int(np.sum(table.flag != "")),
        help="Beats near the record edges, NaN gaps, flat or clipped stretches, or with an "
        "unusual amplitude; those without a prediction are left out of the charts.",
    )
    counts = ", ".join(f"{name} {n}" for name, n in table.counts().items())
    st.markdown(f"**Beats per class:** {counts}")


def strip_view(record: Record, leads: list[int], table: BeatTable, *, normal: str) -> None:
    """The ECG (first model lead) where the slider points, beats coloured by class."""
    duration = record.signal.shape[1] / record.fs
    left, right = st.columns([1, 3])
    length = left.select_slider("Window (s)", options=[10, 20, 30, 60], value=20, key="length_s")
    last_start = float(np.floor(max(duration - length, 0.0)))
    # A longer window may leave the kept start past the end: pull it back first.
    if st.session_state.get("start_s", 0.0) > last_start:
        st.session_state["start_s"] = last_start
    start = right.slider("Start (s)", 0.0, max(last_start, 0.5), step=0.5, key="start_s")
    selected = st.session_state.get("beat")
    fig = record_strip(
        record.signal[leads], table, fs=record.fs, start_s=start, duration_s=length, row_s=10.0
    )
    mark_beats(
        fig,
        table.time_s,
        table.label,
        classes=table.classes,
        normal=normal,
        selected_s=None if selected is None else float(table.time_s[selected]),
    )
    show(fig)
    st.caption(
        f"Lead {record.leads[leads[0]]}. Beats other than {normal} are shaded in their class "
        "colour; the dashed line is the beat selected in the Grad-CAM tab."
    )
    show(
        beat_map(
            table.time_s,
            table.label,
            classes=table.classes,
            duration_s=duration,
            window=(start, start + length),
        )
    )


def centre_on_beat(table: BeatTable, duration: float) -> None:
    """Move the strip chart to the beat just selected (a widget callback)."""
    index = st.session_state["beat"]
    length = st.session_state.get("length_s", 20)
    start = round(float(table.time_s[index]) - length / 2)
    st.session_state["start_s"] = float(np.clip(start, 0.0, np.floor(max(duration - length, 0))))


def describe_beat(table: BeatTable, index: int) -> str:
    """One line naming a beat: number, time, class and probability."""
    return (
        f"#{index} at {table.time_s[index]:.2f} s: {table.label[index]} "
        f"(p = {np.nanmax(table.proba[index]):.2f})"
    )


def beat_view(
    classifier: Classifier,
    model_key: str,
    record: Record,
    leads: list[int],
    table: BeatTable,
    *,
    normal: str,
) -> None:
    """Pick a beat (abnormal ones first) and see its Grad-CAM next to its probabilities."""
    predicted = np.flatnonzero(table.label_index >= 0)
    abnormal = predicted[table.label[predicted] != normal]
    browse_all = st.toggle("Browse every beat, not only the abnormal ones", key="browse_all")
    options = predicted if browse_all or len(abnormal) == 0 else abnormal
    if len(abnormal) == 0:
        st.success(f"Every classified beat is {normal}.")
    if len(options) == 0:
        return
    if st.session_state.get("beat") not in set(options.tolist()):
        st.session_state["beat"] = int(options[0])
    index = st.selectbox(
        f"Beat ({len(options)} to browse)",
        options.tolist(),
        format_func=lambda i: describe_beat(table, i),
        key="beat",
        on_change=centre_on_beat,
        args=(table, record.signal.shape[1] / record.fs),
    )
    try:
        x, cam = explain(
            classifier, model_key, record.signal[leads], record.fs, table.sample, int(index)
        )
    except USER_ERRORS as err:
        st.warning(f"No Grad-CAM for this beat: {err}")
        return
    fs = float(classifier.fs or record.fs)
    title = f"Grad-CAM of {describe_beat(table, index)}"
    show(gradcam_png(x, cam, table.proba[index], table.classes, fs, title))
    st.caption(
        "The heat strip shows where the model looked to predict this class (Grad-CAM of its "
        "last convolution); the beat is drawn as the model sees it (filtered, normalised)."
    )
    if table.flag[index]:
        st.warning(f"This beat is flagged: {table.flag[index]}")


def csv_bytes(table: BeatTable) -> bytes:
    """The beat table as written by ``ecgbeat predict --out`` (same columns and precision)."""
    with tempfile.TemporaryDirectory() as folder:
        return table.to_csv(Path(folder) / "beats.csv").read_bytes()


def main() -> None:
    """Draw the page: sidebar choices, then the record's summary and the four tabs."""
    st.set_page_config(page_title="ecgbeat dashboard", layout="wide")
    st.title("ecgbeat: heartbeat classification")
    st.caption("For research and teaching only: not a medical device, not for diagnosis.")
    classifier, model_key = choose_model()
    record = choose_record(classifier)
    leads = choose_leads(classifier, record)
    st.subheader(f"Record {record.name}")
    st.caption(
        f"{record.signal.shape[1]} samples at {record.fs:g} Hz, leads {list(record.leads)}; "
        f"model {classifier!r}"
    )
    try:
        table = classify(classifier, model_key, record.signal[leads], record.fs)
    except USER_ERRORS as err:
        fail(f"The beats of {record.name} cannot be classified: {err}")
    if len(table) == 0:
        fail(f"No beat was detected in {record.name}; check the lead and the sampling rate.")
    normal = "N" if "N" in table.classes else table.classes[0]
    summary(record, table, normal=normal)
    ecg, beat, distributions, beats = st.tabs(
        ["ECG", "Abnormal beats and Grad-CAM", "Probabilities", "Beat table"]
    )
    with beat:
        beat_view(classifier, model_key, record, leads, table, normal=normal)
    with ecg:
        strip_view(record, leads, table, normal=normal)
    with distributions:
        predicted = table.label_index >= 0
        show(probabilities_png(table.proba[predicted], table.label[predicted], table.classes))
    with beats:
        frame = table.to_dataframe()
        st.dataframe(frame, hide_index=True)
        st.download_button(
            "Download the beat table (CSV)",
            csv_bytes(table),
            file_name=f"{record.name}_beats.csv",
            mime="text/csv",
            key="download",
        )


if __name__ == "__main__":
    main()
