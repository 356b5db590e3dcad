"""`python -m forcepack`: the `forcepack` command."""

from forcepack.cli.main import app

app(prog_name="forcepack")
