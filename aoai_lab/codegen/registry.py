"""Every target, in the order the Code page shows them. A new target is one module and one line here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aoai_lab.codegen.cmd import CURL_CMD
from aoai_lab.codegen.http import HTTP
from aoai_lab.codegen.javascript import JAVASCRIPT
from aoai_lab.codegen.model import Target, TargetSpec
from aoai_lab.codegen.posix import CURL
from aoai_lab.codegen.powershell import CURL_POWERSHELL, POWERSHELL
from aoai_lab.codegen.python import PYTHON, PYTHON_V1

SPECS: tuple[TargetSpec, ...] = (
    PYTHON,
    PYTHON_V1,
    JAVASCRIPT,
    CURL,
    CURL_POWERSHELL,
    CURL_CMD,
    POWERSHELL,
    HTTP,
)

BY_NAME: Mapping[Target, TargetSpec] = MappingProxyType({spec.name: spec for spec in SPECS})
TARGETS: tuple[Target, ...] = tuple(BY_NAME)
