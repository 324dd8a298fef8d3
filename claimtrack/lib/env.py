"""Typed reads of environment variables that refuse a bad value instead of guessing.

A variable may instead be read from the file named by NAME_FILE (Docker/Kubernetes secrets); an
empty value counts as unset. A value that does not parse (`DEBUG=ture`, `AXES_FAILURE_LIMIT=five`)
raises EnvironmentVariableError naming the variable, so a deployment stops at start-up rather
than running with a setting nobody chose.
"""

import math
import os
from collections.abc import Mapping
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
_ACCEPTED_BOOLEANS = "1/0, true/false, yes/no, on/off (any case)"


class EnvironmentVariableError(ValueError):
    """An environment variable holds a value its setting cannot use."""


def _read(name: str, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The raw value (None when unset or empty) and where it came from, for error messages."""
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as error:
            raise EnvironmentVariableError(f"{name}_FILE={file_name!r} cannot be read: {error}") from None
        return value or None, f"{name} (from {name}_FILE)"
    value = environ.get(name)
    return value or None, name


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] = os.environ) -> str | None:
    value, _ = _read(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    value, source = _read(name, environ)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvironmentVariableError(f"{source}={value!r} is not a yes/no value; use {_ACCEPTED_BOOLEANS}.")


def _check_range(source: str, value, minimum, maximum):
    if minimum is not None and value < minimum:
        raise EnvironmentVariableError(f"{source}={value!r} is below the smallest allowed value, {minimum}.")
    if maximum is not None and value > maximum:
        raise EnvironmentVariableError(f"{source}={value!r} is above the largest allowed value, {maximum}.")
    return value


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    value, source = _read(name, environ)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise EnvironmentVariableError(f"{source}={value!r} is not a whole number.") from None
    return _check_range(source, number, minimum, maximum)


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] = os.environ,
) -> float:
    value, source = _read(name, environ)
    if value is None:
        return float(default)
    try:
        number = float(value.strip())
    except ValueError:
        raise EnvironmentVariableError(f"{source}={value!r} is not a number.") from None
    if not math.isfinite(number):
        raise EnvironmentVariableError(f"{source}={value!r} is not a finite number.")
    return _check_range(source, number, minimum, maximum)


def env_list(
    name: str, default: list[str] | tuple[str, ...] = (), *, environ: Mapping[str, str] = os.environ
) -> list[str]:
    """Comma-separated items, blanks dropped."""
    value, _ = _read(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
