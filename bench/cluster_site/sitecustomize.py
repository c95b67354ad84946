"""Loaded by every Python process started with this directory on ``PYTHONPATH``.

The classroom cluster launcher (``aoai_lab.classroom.cluster``) starts its replicas with
``python -m streamlit run app.py``; ``bench.bench_cluster`` puts this directory on their
``PYTHONPATH`` so that they get the same benchmark preparation as ``bench.launch`` (long replies,
lifted quotas). Only processes that have ``BENCH_CLUSTER_SITE=1`` in their environment do it.
"""

import os
import sys

if os.environ.get("BENCH_CLUSTER_SITE") == "1" and "streamlit" in sys.orig_argv:
    sys.path.insert(0, os.environ["BENCH_REPO"])
    from bench.launch import prepare

    prepare(streamlit=True)
