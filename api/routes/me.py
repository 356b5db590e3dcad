"""Who the caller is: the role and nation its token carries (the page shows what that role may see)."""

from __future__ import annotations

from fastapi import APIRouter

from forcepack.api.deps import PrincipalDep
from forcepack.api.openapi import problems
from forcepack.api.schemas import Caller

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/me", response_model=Caller, responses=problems(401))
def who_am_i(principal: PrincipalDep) -> Caller:
    """The caller's role, and its nation for a delegate; never the token itself."""
    return Caller(role=principal.role.value, nation=principal.nation)
