"""Embeddings: deterministic unit vectors of the model's dimension, with Azure's usage block."""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
from collections.abc import Mapping
from typing import Any

from aoai_lab.emulator.config import Deployment
from aoai_lab.emulator.validation import Problem, invalid_type, json_type, unknown_arguments
from aoai_lab.tokens import estimate_tokens

# SPEC-V1 CreateEmbeddingRequest, plus Azure's ``input_type`` (older previews).
EMBEDDING_ARGUMENTS = frozenset({"input", "model", "dimensions", "encoding_format", "user", "input_type"})
_MAX_INPUTS = 2048  # OpenAI/Azure: at most 2048 inputs per request


def inputs(value: object) -> list[str] | None:
    """The request's ``input`` as texts (token arrays are read as their numbers), or None if malformed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(v, str) for v in value):
            return list(value)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return [" ".join(map(str, value))]
        if all(isinstance(v, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in v) for v in value):
            return [" ".join(map(str, v)) for v in value]
    return None


def validate(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """Azure/OpenAI's checks of an embeddings request (first problem wins)."""
    if problem := unknown_arguments(body, EMBEDDING_ARGUMENTS):
        return problem
    value = body.get("input")
    if value is None:
        return Problem("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    texts = inputs(value)
    if texts is None:
        if isinstance(value, list) and not value:
            return Problem(
                "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
                None,
            )
        return invalid_type("input", "one of a string or array of strings", value)
    if len(texts) > _MAX_INPUTS:
        return Problem(f"Too many inputs. The max number of inputs is {_MAX_INPUTS}.", "input", "invalid_value")
    dimensions = body.get("dimensions")
    if dimensions is not None:
        if not isinstance(dimensions, int) or isinstance(dimensions, bool):
            return invalid_type("dimensions", "an integer", dimensions)
        if not deployment.flexible_dimensions:
            # OpenAI's text for text-embedding-ada-002 (INFERRED identical on Azure).
            return Problem("This model does not support specifying dimensions.", "dimensions")
        if dimensions < 1:
            message = f"Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got {dimensions} instead."
            return Problem(message, "dimensions", "integer_below_min_value")
        if dimensions > deployment.dimensions:
            message = f"Invalid 'dimensions': integer above maximum value. Expected a value <= {deployment.dimensions}, but got {dimensions} instead."
            return Problem(message, "dimensions", "integer_above_max_value")
    encoding = body.get("encoding_format")
    if encoding is not None and encoding not in ("float", "base64"):
        shown = encoding if isinstance(encoding, str) else json_type(encoding)
        return Problem(
            f"Invalid value: '{shown}'. Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value"
        )
    for text in texts:
        tokens = estimate_tokens(text)
        if tokens > deployment.context_window:
            # OpenAI's classic embeddings wording (INFERRED for Azure).
            message = (
                f"This model's maximum context length is {deployment.context_window} tokens, however you requested "
                f"{tokens} tokens ({tokens} in your prompt; 0 for the completion). Please reduce your prompt; or "
                "completion length."
            )
            return Problem(message, None)
    return None


def vector(text: str, model: str, dimensions: int) -> list[float]:
    """A unit vector determined by ``text`` and ``model`` only (same input, same vector)."""
    seed = int.from_bytes(hashlib.sha256(f"{model}\0{text}".encode("utf-8", "surrogatepass")).digest()[:8], "big")
    rng = random.Random(seed)  # noqa: S311 -- demo vectors, not security
    values = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def encode(values: list[float], encoding: str) -> list[float] | str:
    """``float`` as a JSON array, ``base64`` as little-endian float32 (what openai-python decodes)."""
    if encoding == "base64":
        return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")
    return values


def response(body: Mapping[str, Any], deployment: Deployment) -> dict[str, Any]:
    """The ``list`` of embeddings and the usage block for a validated request."""
    texts = inputs(body.get("input")) or []
    dimensions = body.get("dimensions") or deployment.dimensions
    encoding = body.get("encoding_format") or "float"
    data = [
        {"embedding": encode(vector(text, deployment.model, dimensions), encoding), "index": i, "object": "embedding"}
        for i, text in enumerate(texts)
    ]
    tokens = sum(estimate_tokens(t) for t in texts)
    return {
        "data": data,
        "model": deployment.model,
        "object": "list",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def prompt_tokens(body: Mapping[str, Any]) -> int:
    """Tokens the request spends (for the TPM bucket)."""
    return sum(estimate_tokens(t) for t in inputs(body.get("input")) or [])
