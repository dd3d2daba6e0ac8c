"""A litellm Router config file: several deployments (providers, keys, servers) under one name.

The file is YAML or JSON in litellm's own shape, ``model_list`` entries of ``model_name`` and
``litellm_params``, optionally with ``router_settings``; it is checked here so a mistake is one
clear line, and handed to ``litellm.Router`` unchanged otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.errors import InputError


class Deployment(BaseModel):
    model_config = ConfigDict(extra="allow")

    model_name: str = Field(min_length=1)
    litellm_params: dict[str, Any]


class RouterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_list: list[Deployment] = Field(min_length=1)
    router_settings: dict[str, Any] = Field(default_factory=dict)


def load_router(path: str, model: str | None) -> tuple[str, dict[str, Any]]:
    """(model name, keyword arguments for ``litellm.Router``) from a config file.

    ``model`` must be one of the file's model names; without it, the file must have only one.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        config = RouterConfig.model_validate(data)
    except OSError as e:
        raise InputError(f"cannot read router config {path}: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise InputError(f"router config {path}: invalid YAML or JSON ({e})") from e
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"])) or "top level"
        raise InputError(
            f"router config {path}: {where}: {first['msg']} "
            "(expected model_list: [{model_name, litellm_params: {model, ...}}])"
        ) from e
    names = sorted({d.model_name for d in config.model_list})
    if model is None and len(names) == 1:
        model = names[0]
    if model not in names:
        raise InputError(f"router config {path} has no model {model!r}: use one of {names}")
    deployments = []
    for d in config.model_list:
        if "model" not in d.litellm_params:
            raise InputError(f"router config {path}: {d.model_name} needs litellm_params.model")
        params = dict(d.litellm_params)
        # A local OpenAI-compatible server needs some key string, as with --api-base.
        if params.get("api_base") and not params.get("api_key"):
            if str(params["model"]).startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
                params["api_key"] = "sk-no-key"
        deployments.append(d.model_dump() | {"litellm_params": params})
    return model, {"model_list": deployments, **config.router_settings}
