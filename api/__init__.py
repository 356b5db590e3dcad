"""The HTTP service: delegates submit offers, coordinators solve, nothing is lost, nobody sees what is not theirs.

`api.app.create_app(settings)` builds the FastAPI application; `api.cli` holds the `forcepack
serve`, `forcepack token` and `forcepack db` commands. Layers look down only: routes call
`api.service`, which uses `api.store` (tables), `models` (validation) and `solver` (jobs).
"""
