"""Job kinds are registered objects: every kind the API names has one, whose job document is its own."""

from __future__ import annotations

import typing

from forcepack.api.kinds import KINDS, JobKind
from forcepack.api.schemas import JobKind as KindName
from forcepack.api.schemas import JobView


def test_kinds_every_job_kind_is_registered_once() -> None:
    """The registry holds exactly the kinds the API's schema names, each a `JobKind` whose job
    document is the one `JobView` tells apart by that kind."""
    assert set(KINDS) == set(typing.get_args(KindName))
    documents = typing.get_args(typing.get_args(JobView)[0])
    by_kind = {typing.get_args(d.model_fields["kind"].annotation)[0]: d for d in documents}
    for name, kind in KINDS.items():
        assert isinstance(kind, JobKind) and kind.name == name
        assert by_kind[name] is kind.job_model
        assert kind.job_model.model_fields["params"].annotation is kind.params_model
        assert kind.answer_model in typing.get_args(kind.job_model.model_fields["result"].annotation)
        assert "{}" in kind.source and kind.action
