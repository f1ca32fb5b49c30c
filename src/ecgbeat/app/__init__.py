"""The Streamlit dashboard: classify the beats of an uploaded ECG and explain them.

Needs the optional extra ``pip install "ecgbeat[app]"``; start it with ``ecgbeat app`` or
:func:`run_app`. Importing this package does not import Streamlit.
"""

from ecgbeat.app.launch import DASHBOARD, MODEL_ENV, run_app, streamlit_command

__all__ = ["DASHBOARD", "MODEL_ENV", "run_app", "streamlit_command"]
