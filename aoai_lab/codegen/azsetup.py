"""Tutorial steps 1-3 as commands: the Azure CLI (bash and PowerShell) and a Bicep file.

From the learner's own names (resource group, region, resource, deployment, model and version,
SKU and capacity) this writes what the portal clicks of steps 1-3 do: create the resource group,
the Azure OpenAI resource (kind ``OpenAI``, SKU ``S0``, a custom subdomain so the endpoint is
``https://<resource>.openai.azure.com/``), the deployment, then read the endpoint and KEY 1 into
``.env``, the file the generated step-4 code reads. The keyless variant assigns the learner the
"Cognitive Services OpenAI User" role instead of reading a key.

Every ``az`` call is first a list of arguments (:func:`az_commands`); the bash and PowerShell
scripts only quote it, and ``tests/test_codegen_azsetup.py`` checks each command and flag against
az's own help, so a renamed flag fails the build. The choices (models, versions, SKUs, regions)
are data: ``aoai_lab/data/azure_setup.toml``, with its sources and date.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from aoai_lab.codegen.model import Snippet
from aoai_lab.connection import ENV_API_VERSION, ENV_DEPLOYMENT, ENV_ENDPOINT, ENV_KEY
from aoai_lab.i18n import Lang, t
from aoai_lab.models import family_of
from aoai_lab.versions import recommended_api_versions

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "azure_setup.toml"
# When the data file's choices were last checked against Microsoft's pages (its header says which).
SETUP_DATA_DATE = "2026-12-02"

# The data-plane role keyless code needs ("Cognitive Services OpenAI User": chat completions
# and other inference calls, no management). Source:
# https://learn.microsoft.com/azure/ai-foundry/openai/how-to/role-based-access-control
OPENAI_USER_ROLE = "Cognitive Services OpenAI User"
# ARM API version of Microsoft.CognitiveServices/accounts and .../deployments in the Bicep file:
# the GA version 2024-10-01. Source: https://learn.microsoft.com/azure/templates/microsoft.cognitiveservices/accounts
# (also listed as the provider's GA version by pulumi azure-native cognitiveservices.Deployment).
ARM_API_VERSION = "2024-10-01"

# Azure's naming rules, https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
# - resource group: 1-90 letters, digits, underscores, hyphens, periods, parentheses; not ending in a period;
# - Cognitive Services account: 2-64 letters, digits and hyphens, starting and ending alphanumeric
#   (it becomes the subdomain of the endpoint);
# - deployment: letters, digits, hyphens, underscores and periods, at most 64 (Azure OpenAI deployments).
_RULES: dict[str, re.Pattern[str]] = {
    "resource_group": re.compile(r"[A-Za-z0-9_().\-]{0,89}[A-Za-z0-9_()\-]"),
    "region": re.compile(r"[a-z][a-z0-9]{1,39}"),
    "resource": re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}[A-Za-z0-9]"),
    "deployment": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}"),
    "model": re.compile(r"[a-z0-9][a-z0-9.\-]{0,63}"),
    "model_version": re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,31}"),
    "sku": re.compile(r"[A-Za-z]{1,40}"),
}
_MAX_CAPACITY = 10_000
# An argument written without quotes in bash and PowerShell alike.
_BARE = re.compile(r"[A-Za-z0-9._/:=@+\-]+")


@dataclass(frozen=True)
class ModelChoice:
    """A model Azure deploys, with the version to ask for."""

    name: str
    version: str


@dataclass(frozen=True)
class SetupChoices:
    """What the data file offers (see its header for sources and date)."""

    account_kind: str
    account_sku: str
    model_format: str
    deployment_skus: tuple[str, ...]
    default_capacity: int
    regions: tuple[str, ...]
    models: tuple[ModelChoice, ...]

    def version_of(self, model: str) -> str | None:
        """The listed version of ``model``, or None for a model the file does not list."""
        return next((m.version for m in self.models if m.name == model), None)


@cache
def setup_choices() -> SetupChoices:
    """The choices from ``aoai_lab/data/azure_setup.toml``."""
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    return SetupChoices(
        account_kind=data["account_kind"],
        account_sku=data["account_sku"],
        model_format=data["model_format"],
        deployment_skus=tuple(data["deployment_skus"]),
        default_capacity=int(data["default_capacity"]),
        regions=tuple(data["regions"]),
        models=tuple(ModelChoice(m["name"], m["version"]) for m in data["models"]),
    )


@dataclass(frozen=True)
class SetupNames:
    """The learner's names for steps 1-3 (defaults: the tutorial's examples)."""

    resource_group: str = "rg-ai-lab"
    region: str = "eastus"
    resource: str = "my-aoai-lab"
    deployment: str = "gpt-5.1"
    model: str = "gpt-5.1"
    model_version: str = "2025-11-13"
    sku: str = "GlobalStandard"
    capacity: int = 10


def problems(names: SetupNames) -> dict[str, str]:
    """Each field whose value Azure would refuse (or a shell could misread), with the i18n key why."""
    found: dict[str, str] = {}
    for field in fields(SetupNames):
        value = getattr(names, field.name)
        if field.name == "capacity":
            if not 1 <= value <= _MAX_CAPACITY:
                found[field.name] = "code.setup.bad.capacity"
        elif not _RULES[field.name].fullmatch(value):
            found[field.name] = f"code.setup.bad.{field.name}"
    return found


def masked(text: str, names: SetupNames, mask: str) -> str:
    """``text`` with the resource name replaced by ``mask`` wherever it stands as a whole word
    (presenter mode: the resource name never reaches the screen)."""
    if not names.resource:
        return text
    return re.sub(rf"(?<![\w-]){re.escape(names.resource)}(?![\w-])", mask, text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Ref:
    """A value an earlier command captured (``$endpoint`` in both shells)."""

    name: str


Arg = str | Ref


@dataclass(frozen=True)
class AzCommand:
    """One ``az`` call: its arguments (after ``az``), and the variable its output goes into."""

    args: tuple[Arg, ...]
    capture: str | None = None
    # i18n key of the comment above it.
    comment: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        """The command's name (``cognitiveservices account create``), without its flags."""
        out: list[str] = []
        for arg in self.args:
            if isinstance(arg, Ref) or arg.startswith("-"):
                break
            out.append(arg)
        return tuple(out)


def az_commands(names: SetupNames, *, keyless: bool = False) -> tuple[AzCommand, ...]:
    """The ``az`` calls of steps 1-3, in order."""
    c = setup_choices()
    account = ("--name", names.resource, "--resource-group", names.resource_group)
    commands = [
        AzCommand(
            ("group", "create", "--name", names.resource_group, "--location", names.region),
            comment="code.setup.comment.group",
        ),
        AzCommand(
            (
                "cognitiveservices", "account", "create", *account, "--location", names.region,
                "--kind", c.account_kind, "--sku", c.account_sku,
                # The custom subdomain gives the https://<resource>.openai.azure.com/ endpoint
                # (and is required for Entra ID tokens).
                "--custom-domain", names.resource, "--yes",
            ),
            comment="code.setup.comment.account",
        ),
        AzCommand(
            (
                "cognitiveservices", "account", "deployment", "create", *account,
                "--deployment-name", names.deployment, "--model-name", names.model,
                "--model-version", names.model_version, "--model-format", c.model_format,
                "--sku-name", names.sku, "--sku-capacity", str(names.capacity),
            ),
            comment="code.setup.comment.deployment",
        ),
        AzCommand(
            ("cognitiveservices", "account", "show", *account, "--query", "properties.endpoint", "--output", "tsv"),
            capture="endpoint",
            comment="code.setup.comment.endpoint",
        ),
    ]  # fmt: skip
    if keyless:
        commands += [
            AzCommand(
                ("ad", "signed-in-user", "show", "--query", "id", "--output", "tsv"),
                capture="me",
                comment="code.setup.comment.me",
            ),
            AzCommand(
                ("cognitiveservices", "account", "show", *account, "--query", "id", "--output", "tsv"),
                capture="scope",
                comment="code.setup.comment.scope",
            ),
            AzCommand(
                (
                    "role", "assignment", "create", "--assignee-object-id", Ref("me"),
                    "--assignee-principal-type", "User", "--role", OPENAI_USER_ROLE, "--scope", Ref("scope"),
                ),
                comment="code.setup.comment.role",
            ),
        ]  # fmt: skip
    else:
        commands.append(
            AzCommand(
                ("cognitiveservices", "account", "keys", "list", *account, "--query", "key1", "--output", "tsv"),
                capture="key",
                comment="code.setup.comment.key",
            )
        )
    return tuple(commands)


def dotenv_lines(names: SetupNames, *, keyless: bool = False) -> tuple[tuple[str, Arg], ...]:
    """The ``.env`` the step-4 code reads: name and value (a captured one as :class:`Ref`)."""
    version = recommended_api_versions(family_of(names.model))[0]
    lines: list[tuple[str, Arg]] = [(ENV_ENDPOINT, Ref("endpoint"))]
    if not keyless:
        lines.append((ENV_KEY, Ref("key")))
    return (*lines, (ENV_DEPLOYMENT, names.deployment), (ENV_API_VERSION, version))


def _text(key: str, lang: Lang, **params: object) -> str:
    return " ".join(t(key, lang, **params).split())


def _bash_arg(arg: Arg) -> str:
    if isinstance(arg, Ref):
        return f'"${arg.name}"'
    return arg if _BARE.fullmatch(arg) else "'" + arg.replace("'", "'\\''") + "'"


def _ps_arg(arg: Arg) -> str:
    if isinstance(arg, Ref):
        return f"${arg.name}"
    return arg if _BARE.fullmatch(arg) else "'" + arg.replace("'", "''") + "'"


def bash_script(names: SetupNames, *, keyless: bool = False, lang: Lang = "ko") -> Snippet:
    """Steps 1-3 as a bash script (``bash setup-azure.sh``) that ends by writing ``.env``."""
    lines = [
        "#!/usr/bin/env bash",
        f"# {_text('code.setup.comment.header', lang)}",
        f"# {_text('code.setup.comment.login', lang)}",
        "set -euo pipefail",
        "",
    ]
    for command in az_commands(names, keyless=keyless):
        call = "az " + " ".join(_bash_arg(arg) for arg in command.args)
        lines += [f"# {_text(command.comment, lang)}", f'{command.capture}="$({call})"' if command.capture else call]
    lines += [f"# {_text('code.setup.comment.dotenv', lang)}", "cat > .env <<EOF"]
    lines += [f"{name}={_bash_value(value)}" for name, value in dotenv_lines(names, keyless=keyless)]
    lines += ["EOF", f"echo {_bash_arg(_text('code.setup.output.done', lang))}"]
    notes = ("code.setup.note.run_bash", "code.setup.note.dotenv_secret" if not keyless else "code.setup.note.keyless")
    return Snippet("az-bash", "\n".join(lines) + "\n", "bash", "setup-azure.sh", notes)


def _bash_value(value: Arg) -> str:
    # Inside an unquoted here-doc $name expands; the fixed values are validated names.
    return f"${value.name}" if isinstance(value, Ref) else value


def powershell_script(names: SetupNames, *, keyless: bool = False, lang: Lang = "ko") -> Snippet:
    """Steps 1-3 as a PowerShell script (Windows PowerShell 5.1 and 7) that ends by writing ``.env``."""
    lines = [
        f"# {_text('code.setup.comment.header', lang)}",
        f"# {_text('code.setup.comment.login', lang)}",
        "$ErrorActionPreference = 'Stop'",
        "",
    ]
    for command in az_commands(names, keyless=keyless):
        call = "az " + " ".join(_ps_arg(arg) for arg in command.args)
        lines += [f"# {_text(command.comment, lang)}", f"${command.capture} = {call}" if command.capture else call]
        # A native program's failure does not stop PowerShell 5.1 (no $PSNativeCommandUseErrorActionPreference).
        lines.append("if ($LASTEXITCODE -ne 0) { throw 'az failed' }")
    lines += [f"# {_text('code.setup.comment.dotenv_ps', lang)}", '$envText = @"']
    lines += [f"{name}={_ps_value(value)}" for name, value in dotenv_lines(names, keyless=keyless)]
    lines += [
        '"@',
        "[IO.File]::WriteAllText((Join-Path $PWD '.env'), $envText + \"`n\")",
        f"Write-Host {_ps_arg(_text('code.setup.output.done', lang))}",
    ]
    notes = (
        "code.setup.note.run_powershell",
        "code.setup.note.dotenv_secret" if not keyless else "code.setup.note.keyless",
    )
    return Snippet("az-powershell", "\n".join(lines) + "\n", "powershell", "setup-azure.ps1", notes)


def _ps_value(value: Arg) -> str:
    # Inside a double-quoted here-string $name expands; the fixed values are validated names.
    return f"${value.name}" if isinstance(value, Ref) else value


def bicep_resources(names: SetupNames) -> dict[str, dict[str, Any]]:
    """The two resources of the Bicep file as ARM JSON (property names as Azure spells them)."""
    c = setup_choices()
    account = {
        "kind": c.account_kind,
        "sku": {"name": c.account_sku},
        "properties": {"customSubDomainName": "accountName", "publicNetworkAccess": "Enabled"},
    }
    deployment = {
        "sku": {"name": "skuName", "capacity": "capacity"},
        "properties": {"model": {"format": c.model_format, "name": "modelName", "version": "modelVersion"}},
    }
    return {"account": account, "deployment": deployment}


# Values of bicep_resources() that are the names of Bicep parameters, not literal strings.
_BICEP_PARAMS = ("accountName", "skuName", "capacity", "modelName", "modelVersion")


def _bicep_value(value: Any, indent: str) -> str:
    if isinstance(value, dict):
        inner = indent + "  "
        body = "".join(f"\n{inner}{k}: {_bicep_value(v, inner)}" for k, v in value.items())
        return "{" + body + "\n" + indent + "}"
    if value in _BICEP_PARAMS:
        return str(value)
    # Bicep strings escape \\ and ' with a backslash, and ${ would start an interpolation.
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    return "'" + escaped + "'"


def bicep_file(names: SetupNames, *, lang: Lang = "ko") -> Snippet:
    """Steps 1-2 as a Bicep file, with the ``az`` lines that deploy it and fill ``.env``."""
    resources = bicep_resources(names)
    params = [
        ("location", "string", "resourceGroup().location", "code.setup.bicep.location"),
        ("accountName", "string", f"'{names.resource}'", "code.setup.bicep.account"),
        ("deploymentName", "string", f"'{names.deployment}'", "code.setup.bicep.deployment"),
        ("modelName", "string", f"'{names.model}'", "code.setup.bicep.model"),
        ("modelVersion", "string", f"'{names.model_version}'", "code.setup.bicep.model_version"),
        ("skuName", "string", f"'{names.sku}'", "code.setup.bicep.sku"),
        ("capacity", "int", str(names.capacity), "code.setup.bicep.capacity"),
    ]
    lines = [f"// {_text('code.setup.comment.header', lang)}"]
    for deploy in bicep_deploy_commands(names):
        lines.append("//   az " + " ".join(_bash_arg(arg) for arg in deploy.args))
    lines.append("")
    for name, kind, default, key in params:
        lines += [f"@description({_bicep_value(_text(key, lang), '')})", f"param {name} {kind} = {default}", ""]
    account = resources["account"]
    deployment = resources["deployment"]
    lines += [
        f"resource account 'Microsoft.CognitiveServices/accounts@{ARM_API_VERSION}' = {{",
        "  name: accountName",
        "  location: location",
        *[f"  {k}: {_bicep_value(v, '  ')}" for k, v in account.items()],
        "}",
        "",
        f"resource deployment 'Microsoft.CognitiveServices/accounts/deployments@{ARM_API_VERSION}' = {{",
        "  parent: account",
        "  name: deploymentName",
        *[f"  {k}: {_bicep_value(v, '  ')}" for k, v in deployment.items()],
        "}",
        "",
        f"// {_text('code.setup.bicep.output', lang)}",
        "output endpoint string = account.properties.endpoint",
    ]
    return Snippet("bicep", "\n".join(lines) + "\n", "bicep", "main.bicep", ("code.setup.note.bicep",))


def bicep_deploy_commands(names: SetupNames) -> tuple[AzCommand, ...]:
    """The ``az`` calls that deploy ``main.bicep`` (written as comments at its top)."""
    return (
        AzCommand(("group", "create", "--name", names.resource_group, "--location", names.region)),
        AzCommand(
            ("deployment", "group", "create", "--resource-group", names.resource_group, "--template-file", "main.bicep")
        ),
    )
