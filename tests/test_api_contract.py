"""
The public API's calling contract (issue 20, ADR "typed API"): every function ``api`` exposes takes
its parameters by keyword only, so a caller names what it passes and a parameter can be added,
reordered or renamed without a positional call silently meaning something else.
"""
import inspect

from openedx_distinguished import api

POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def public_functions():
    """The functions among ``api.__all__`` (its classes, errors, enums and constants are not calls)."""
    return {name: getattr(api, name) for name in api.__all__ if inspect.isfunction(getattr(api, name))}


def positional_parameters(function):
    """The names of ``function``'s parameters a caller may pass by position."""
    return [name for name, parameter in inspect.signature(function).parameters.items() if parameter.kind in POSITIONAL]


def test_every_name_of_all_exists():
    assert [name for name in api.__all__ if not hasattr(api, name)] == []


def test_the_check_bites():
    def positional(user, *, year):  # pylint: disable=unused-argument
        """A function breaking the contract."""

    def keyword_only(*, user, year=None):  # pylint: disable=unused-argument
        """A function keeping it."""

    assert positional_parameters(positional) == ["user"]
    assert positional_parameters(keyword_only) == []


def test_the_api_exposes_functions():
    assert len(public_functions()) > 150


def test_every_public_function_takes_keyword_arguments_only():
    misses = {name: params for name, function in public_functions().items()
              if (params := positional_parameters(function))}
    assert misses == {}, f"positional parameters (put a bare * before them): {misses}"
