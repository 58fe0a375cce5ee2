"""
The public API's calling contract (issue 20, the typed API): every function ``api`` exposes takes
its parameters by keyword only, so a caller names what it passes and a parameter can be added or
reordered without a positional call silently meaning something else; and every parameter and
return is annotated, so that mypy checks the callers (setup.cfg) and a reader sees the types.
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


def missing_annotations(function):
    """The parameters of ``function`` without an annotation, and "return" when its return has none."""
    signature = inspect.signature(function)
    missing = [name for name, parameter in signature.parameters.items()
               if parameter.annotation is inspect.Parameter.empty]
    return missing + (["return"] if signature.return_annotation is inspect.Signature.empty else [])


def test_every_name_of_all_exists():
    assert [name for name in api.__all__ if not hasattr(api, name)] == []


def test_the_check_bites():
    def positional(user, *, year):  # pylint: disable=unused-argument
        """A function breaking the contract."""

    def keyword_only(*, user, year=None):  # pylint: disable=unused-argument
        """A function keeping it."""

    assert positional_parameters(positional) == ["user"]
    assert positional_parameters(keyword_only) == []
    assert missing_annotations(positional) == ["user", "year", "return"]

    def annotated(*, user: str, year: int | None = None) -> None:  # pylint: disable=unused-argument
        """A function annotated in full."""

    assert missing_annotations(annotated) == []


def test_the_api_exposes_functions():
    assert len(public_functions()) > 150


def test_every_public_function_takes_keyword_arguments_only():
    misses = {name: params for name, function in public_functions().items()
              if (params := positional_parameters(function))}
    assert misses == {}, f"positional parameters (put a bare * before them): {misses}"


def test_every_public_function_is_annotated():
    misses = {name: params for name, function in public_functions().items()
              if (params := missing_annotations(function))}
    assert misses == {}, f"annotate (parameters and return): {misses}"
