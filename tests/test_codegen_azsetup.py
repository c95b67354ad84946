"""Steps 1-3 as Azure CLI commands and Bicep, proven without an Azure account.

- Every generated ``az`` command and flag is checked against az's own help (``az … --help`` from
  the azure-cli venv that ``.ci/setup.d/30-azure-cli.sh`` installs): a renamed or removed flag,
  a missing required one, or a value outside the flag's allowed values fails.
- The bash script really runs, with a fake ``az`` that records its arguments and answers the
  queries: the recorded calls are exactly :func:`az_commands`, and the ``.env`` it writes is what
  the step-4 code reads.
- The Bicep properties are checked against the property names of azure-cli's own
  ``azure-mgmt-cognitiveservices`` models.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from aoai_lab.codegen.azsetup import (
    OPENAI_USER_ROLE,
    AzCommand,
    Ref,
    SetupNames,
    az_commands,
    bash_script,
    bicep_deploy_commands,
    bicep_file,
    bicep_resources,
    dotenv_lines,
    powershell_script,
    problems,
    setup_choices,
)
from aoai_lab.codegen.model import ENTRA_RESOURCE
from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY
from aoai_lab.i18n import has
from aoai_lab.models import family_of
from aoai_lab.versions import recommended_api_versions
from tests.tools import missing_tool

AZ_VENV = Path(os.environ.get("AOAI_LAB_AZ_VENV", "/opt/aoai-lab-venvs/azure-cli"))

# The keyless curl code gets its token with this call (aoai_lab/codegen/posix.py).
TOKEN_COMMAND = AzCommand(
    ("account", "get-access-token", "--resource", ENTRA_RESOURCE, "--query", "accessToken", "--output", "tsv")
)


def every_command() -> list[AzCommand]:
    names = SetupNames()
    return [*az_commands(names), *az_commands(names, keyless=True), *bicep_deploy_commands(names), TOKEN_COMMAND]


def az_program() -> Path:
    az = AZ_VENV / "bin" / "az"
    if not az.is_file():
        missing_tool("azure-cli (its own venv)", "bash .ci/setup.d/30-azure-cli.sh")
    return az


@dataclass(frozen=True)
class Option:
    """One option of an az command, as its help lists it."""

    names: tuple[str, ...]
    required: bool
    allowed: tuple[str, ...]


@cache
def az_help(words: tuple[str, ...]) -> str:
    az = az_program()
    config = Path(os.environ.get("TMPDIR", "/tmp")) / f"aoai-lab-azcfg-{os.getuid()}"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "AZURE_CONFIG_DIR": str(config),
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
        "AZURE_CORE_NO_COLOR": "true",
        "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        [str(az), *words, "--help"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def parse_options(help_text: str) -> list[Option]:
    """The options of an ``az … --help`` text: each block starts at a line ``    --name -n  : …``."""
    blocks: list[str] = []
    for line in help_text.splitlines():
        if line.strip() == "Examples":  # example commands are not options
            break
        if re.match(r"^ {4}--?[A-Za-z]", line):
            blocks.append(line)
        elif blocks and blocks[-1] and line.startswith(" " * 8) and line.strip():
            blocks[-1] += " " + line.strip()
        elif not line.strip() or not line.startswith(" "):
            blocks.append("")  # a section heading or blank line ends the block
    options = []
    for block in filter(None, blocks):
        head, _, description = block.partition(" : ")
        names = tuple(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", head))
        allowed = re.search(r"Allowed values: (.*?)\.(?:\s|$)", description)
        options.append(
            Option(names, "[Required]" in head, tuple(v.strip() for v in allowed[1].split(",")) if allowed else ())
        )
    return options


def flag_problems(command: AzCommand, options: list[Option]) -> list[str]:
    """What az's help says is wrong with ``command``: unknown flags, missing required ones, bad values."""
    by_name = {name: option for option in options for name in option.names}
    found = []
    args = list(command.args[len(command.words) :])
    used: set[str] = set()
    for index, arg in enumerate(args):
        if isinstance(arg, Ref) or not arg.startswith("--"):
            continue
        option = by_name.get(arg)
        if option is None:
            found.append(f"unknown flag {arg}")
            continue
        used.update(option.names)
        value = args[index + 1] if index + 1 < len(args) else None
        if option.allowed and isinstance(value, str) and not value.startswith("--") and value not in option.allowed:
            found.append(f"{arg} {value}: not one of {option.allowed}")
    for option in options:
        if option.required and not used & set(option.names):
            found.append(f"missing required {option.names[0]}")
    return found


@pytest.fixture(scope="module")
def helps() -> dict[tuple[str, ...], list[Option]]:
    words = sorted({command.words for command in every_command()})
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = dict(zip(words, pool.map(az_help, words), strict=True))
    return {w: parse_options(text) for w, text in texts.items()}


@pytest.mark.parametrize("index", range(len(every_command())))
def test_every_command_and_flag_is_in_azs_own_table(helps: dict[tuple[str, ...], list[Option]], index: int) -> None:
    command = every_command()[index]
    options = helps[command.words]
    assert len(options) > 5, "help text not parsed"
    assert flag_problems(command, options) == [], " ".join(map(str, command.args))


def test_the_check_catches_a_renamed_flag_and_a_missing_required_one(
    helps: dict[tuple[str, ...], list[Option]],
) -> None:
    deployment = az_commands(SetupNames())[2]
    renamed = AzCommand(tuple("--sku-nam" if arg == "--sku-name" else arg for arg in deployment.args))
    assert "unknown flag --sku-nam" in flag_problems(renamed, helps[deployment.words])
    index = deployment.args.index("--model-version")
    dropped = AzCommand(deployment.args[:index] + deployment.args[index + 2 :])
    assert "missing required --model-version" in flag_problems(dropped, helps[deployment.words])
    role = az_commands(SetupNames(), keyless=True)[-1]
    wrong = AzCommand(tuple("Users" if arg == "User" else arg for arg in role.args))
    assert any("not one of" in problem for problem in flag_problems(wrong, helps[role.words]))


# ---------------------------------------------------------------------------------------------
# The bash script runs: a fake az records every call


FAKE_AZ = """#!{python}
import json, sys
args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
query = args[args.index("--query") + 1] if "--query" in args else None
answers = {answers!r}
if query in answers:
    print(answers[query])
"""
ANSWERS = {
    "properties.endpoint": "https://my-lab-2.openai.azure.com/",
    "key1": "0123456789abcdef0123456789abcdef",
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/my-lab-2",
}


def run_setup_bash(tmp_path: Path, names: SetupNames, keyless: bool) -> tuple[list[list[str]], dict[str, str | None]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "az-calls.jsonl"
    (bin_dir / "az").write_text(FAKE_AZ.format(python=sys.executable, log=str(log), answers=ANSWERS))
    (bin_dir / "az").chmod(0o755)
    script = tmp_path / "setup-azure.sh"
    script.write_text(bash_script(names, keyless=keyless, lang="en").code, encoding="utf-8")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return calls, dotenv_values(tmp_path / ".env")


def expected_calls(names: SetupNames, keyless: bool) -> list[list[str]]:
    captured = {"endpoint": ANSWERS["properties.endpoint"], "key": ANSWERS["key1"], "me": "", "scope": ANSWERS["id"]}
    captured["me"] = ANSWERS["id"]  # the fake answers every --query id the same way
    return [
        [captured[arg.name] if isinstance(arg, Ref) else arg for arg in command.args]
        for command in az_commands(names, keyless=keyless)
    ]


@pytest.mark.parametrize("keyless", [False, True])
def test_the_bash_script_runs_exactly_the_commands_and_writes_env(tmp_path: Path, keyless: bool) -> None:
    names = SetupNames(resource_group="rg-(lab).1", resource="my-lab-2", deployment="chat_4o.mini", model="gpt-4o-mini")
    names = replace(names, model_version=setup_choices().version_of("gpt-4o-mini") or "", sku="Standard")
    assert problems(names) == {}
    calls, env = run_setup_bash(tmp_path, names, keyless)
    assert calls == expected_calls(names, keyless)
    expected = {
        ENV_ENDPOINT: ANSWERS["properties.endpoint"],
        ENV_DEPLOYMENT: "chat_4o.mini",
        ENV_API_VERSION: recommended_api_versions(family_of("gpt-4o-mini"))[0],
    }
    if not keyless:
        expected[ENV_KEY] = ANSWERS["key1"]
    assert env == expected


def test_the_bash_script_stops_at_the_first_failure(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").write_text('#!/bin/sh\necho "$*" >> calls.txt\nexit 3\n')
    (bin_dir / "az").chmod(0o755)
    (tmp_path / "s.sh").write_text(bash_script(SetupNames()).code, encoding="utf-8")
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    result = subprocess.run(["bash", "s.sh"], cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False)
    assert result.returncode != 0
    assert len((tmp_path / "calls.txt").read_text().splitlines()) == 1
    assert not (tmp_path / ".env").exists()


def ps_tokens(line: str) -> list[str]:
    """A PowerShell command line's arguments: bare words, '…' strings ('' is one quote) and $vars."""
    tokens = []
    for match in re.finditer(r"'((?:[^']|'')*)'|(\S+)", line):
        tokens.append(match[1].replace("''", "'") if match[1] is not None else match[2])
    return tokens


@pytest.mark.parametrize("keyless", [False, True])
def test_the_powershell_script_passes_the_same_arguments(keyless: bool) -> None:
    names = SetupNames(resource_group="rg-(lab).1")
    lines = [
        line.split(" = ", 1)[-1] if line.startswith("$") else line
        for line in powershell_script(names, keyless=keyless).code.splitlines()
        if re.match(r"^(\$\w+ = )?az ", line)
    ]
    expected = [
        ["az", *(f"${arg.name}" if isinstance(arg, Ref) else arg for arg in command.args)]
        for command in az_commands(names, keyless=keyless)
    ]
    assert [ps_tokens(line) for line in lines] == expected
    code = powershell_script(names, keyless=keyless).code
    assert code.count("if ($LASTEXITCODE -ne 0) { throw") == len(expected)
    for name, value in dotenv_lines(names, keyless=keyless):
        assert f"{name}={'$' + value.name if isinstance(value, Ref) else value}" in code.splitlines()


# ---------------------------------------------------------------------------------------------
# Bicep

SDK_CHECK = """
import json, sys
from azure.mgmt.cognitiveservices import models as m
def names(cls):
    out = set()
    for k in cls.__mro__:
        for attr, value in vars(k).items():
            if type(value).__name__ == "_RestField":
                out.add(value._rest_name_input or attr)
    return out
shapes = {"Account": (m.Account, {"sku": m.Sku, "properties": m.AccountProperties}),
          "Deployment": (m.Deployment, {"sku": m.Sku, "properties": m.DeploymentProperties})}
unknown = []
def check(cls, body, path):
    for key, value in body.items():
        if key not in names(cls):
            unknown.append(path + key)
resources = json.load(sys.stdin)
for kind, resource in (("Account", resources["account"]), ("Deployment", resources["deployment"])):
    top, parts = shapes[kind]
    check(top, resource, kind + ".")
    for key, cls in parts.items():
        check(cls, resource.get(key, {}), kind + "." + key + ".")
check(m.DeploymentModel, resources["deployment"]["properties"]["model"], "Deployment.properties.model.")
print(json.dumps(unknown))
"""


def test_bicep_properties_are_the_ones_azure_defines() -> None:
    python = AZ_VENV / "bin" / "python"
    az_program()
    resources = bicep_resources(SetupNames())
    result = subprocess.run(
        [str(python), "-c", SDK_CHECK], input=json.dumps(resources), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    # The check itself catches a misspelled property.
    resources["account"]["properties"]["customSubdomainName"] = "x"
    result = subprocess.run(
        [str(python), "-c", SDK_CHECK], input=json.dumps(resources), capture_output=True, text=True, timeout=120
    )
    assert json.loads(result.stdout) == ["Account.properties.customSubdomainName"]


def test_bicep_file_writes_the_resources_and_parameters() -> None:
    names = SetupNames(resource="lab-x", deployment="d1", capacity=7)
    code = bicep_file(names, lang="en").code
    assert "param accountName string = 'lab-x'" in code
    assert "param capacity int = 7" in code
    assert "customSubDomainName: accountName" in code
    assert "resource account 'Microsoft.CognitiveServices/accounts@" in code
    assert "  parent: account" in code
    assert "output endpoint string = account.properties.endpoint" in code
    assert "listKeys" not in code  # the key is never a deployment output


# ---------------------------------------------------------------------------------------------
# Names and data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("resource_group", "rg."),
        ("resource_group", "rg lab"),
        ("resource_group", "r" * 91),
        ("region", "East US"),
        ("resource", "my_lab"),
        ("resource", "-lab"),
        ("resource", "x"),
        ("resource", "a" * 65),
        ("deployment", "gpt 5"),
        ("deployment", "$(rm -rf)"),
        ("model", "GPT 5"),
        ("model_version", "2025 11 13"),
        ("sku", "Global-Standard"),
        ("capacity", 0),
        ("capacity", 10_001),
    ],
)
def test_names_azure_would_refuse_are_named(field: str, value: Any) -> None:
    changes: dict[str, Any] = {field: value}
    found = problems(replace(SetupNames(), **changes))
    assert found == {field: f"code.setup.bad.{field}"}
    assert has(found[field], "ko") and has(found[field], "en")


def test_defaults_and_data_file_agree() -> None:
    choices = setup_choices()
    names = SetupNames()
    assert problems(names) == {}
    assert choices.version_of(names.model) == names.model_version
    assert names.sku in choices.deployment_skus and names.region in choices.regions
    assert (choices.account_kind, choices.account_sku, choices.model_format) == ("OpenAI", "S0", "OpenAI")
    for model in choices.models:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", model.version), model
        assert problems(replace(names, model=model.name, model_version=model.version)) == {}
    assert OPENAI_USER_ROLE == "Cognitive Services OpenAI User"
