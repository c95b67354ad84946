"""The browser's warm-up: the widget code of the next pages, loaded while the learner reads the first.

Streamlit's frontend loads each widget kind's JavaScript the first time a tab draws one, so the
first visit to Connect (text inputs, radio, buttons), Chat (chat input, text area, number input,
select box) and Code (the 1.5 MB syntax highlighter) waited for it (issue 12, bench/README.md,
round five). The session's first run sends a small script that imports those chunks, a page's at a
time, when the browser is idle and the learner has been still for a second. An ES module is
evaluated once per URL, so the frontend's own lazy ``import()`` later finds them loaded. Nothing
is drawn; the script holds no user input. Measured: bench/README.md, round seven.

Once per session (a new tab or a reload is a new session). Set ``AOAI_LAB_PREFETCH=0`` to switch
it off (the benchmarks' "before").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from aoai_lab.switches import switched_on

PREFETCH_ENV = "AOAI_LAB_PREFETCH"
SENT = "prefetch_sent"  # session-state flag: this session's browser has the script

# The frontend's chunks by component name, a group per page in the order the tutorial visits them.
# A name Streamlit's build does not have (another version) is skipped, never guessed.
CHUNKS: tuple[tuple[str, ...], ...] = (
    ("TextInput", "Radio", "Button", "DownloadButton"),  # Connect
    ("ChatInput", "TextArea", "NumberInput", "Selectbox", "wavesurfer.esm", "record.esm"),  # Chat
    ("StreamlitSyntaxHighlighter", "hastscript"),  # Code (st.code)
)

# Streamlit's build names a chunk "<Component>.<8-char hash>.js" ("wavesurfer.esm.<hash>.js").
_CHUNK_FILE = re.compile(r"(?P<name>[A-Za-z][A-Za-z.]*)\.[A-Za-z0-9_-]{8}\.js")


def enabled(environ: dict[str, str] | None = None) -> bool:
    """False when ``AOAI_LAB_PREFETCH`` is ``0``."""
    return switched_on(PREFETCH_ENV, environ)


def static_js_dir() -> Path:
    """Where the installed Streamlit keeps its frontend's JavaScript chunks."""
    return Path(st.__file__).parent / "static" / "static" / "js"


def chunk_files(names: Sequence[str], files: Sequence[str]) -> list[str]:
    """The file of each of ``names`` among ``files`` (a directory listing), in ``names`` order;
    names with no file, or more than one, are left out."""
    found: dict[str, list[str]] = {}
    for file in files:
        match = _CHUNK_FILE.fullmatch(file)
        if match:
            found.setdefault(match["name"], []).append(file)
    return [found[name][0] for name in names if len(found.get(name, ())) == 1]


@functools.cache  # the installed Streamlit's files do not change while the process runs
def installed_chunks() -> tuple[tuple[str, ...], ...]:
    """:data:`CHUNKS`' files in the installed Streamlit, by group; empty groups left out."""
    try:
        listing = [path.name for path in static_js_dir().iterdir()]
    except OSError:  # no frontend build (a source checkout of Streamlit): nothing to load
        return ()
    groups = (tuple(chunk_files(group, listing)) for group in CHUNKS)
    return tuple(group for group in groups if group)


# Resolved against the frontend's own entry script, so a chunk's URL is the one its lazy import()
# uses, behind a proxy or a base URL path too. A group's chunks are fetched together, one group at
# a time, each only while the browser is idle and neither the page's arrival nor a click, key or
# scroll is less than QUIET_MS old: evaluating the highlighter holds the main thread ~300 ms, and a
# click then would wait for it. A failed import only means that page loads its chunk itself.
QUIET_MS = 1000
_SCRIPT = """<script>
(() => {
  document.currentScript?.remove();  // its text is not the page's: screen readers, tests, copying
  if (window.__aoaiLabPrefetch) return;
  window.__aoaiLabPrefetch = true;
  const entry = document.querySelector('script[type="module"][src]');
  if (!entry || !window.requestIdleCallback) return;
  const groups = %(groups)s;
  let lastInput = performance.now();  // the page itself just arrived: the learner may click next
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    addEventListener(type, () => { lastInput = performance.now(); }, {capture: true, passive: true});
  }
  const load = (i) => {
    if (i >= groups.length) return;
    const wait = lastInput + %(quiet)d - performance.now();
    if (wait > 0) { setTimeout(() => load(i), wait); return; }
    requestIdleCallback(() => {
      if (performance.now() - lastInput < %(quiet)d) { load(i); return; }
      const imports = groups[i].map((chunk) => import(new URL(chunk, entry.src).href));
      Promise.allSettled(imports).then(() => load(i + 1));
    });
  };
  load(0);
})();
</script>"""


def script(groups: Sequence[Sequence[str]]) -> str:
    """The HTML that imports ``groups`` of chunks (file names) in the browser, a group at a time."""
    return _SCRIPT % {"groups": json.dumps([list(group) for group in groups]), "quiet": QUIET_MS}


def send_once() -> None:
    """On the session's first run, put the script at the end of the sidebar (an empty element,
    gone at the next run; the imports it started go on)."""
    if st.session_state.get(SENT) or not enabled():
        return
    chunks = installed_chunks()
    if chunks:
        st.sidebar.html(script(chunks), unsafe_allow_javascript=True)
    st.session_state[SENT] = True
