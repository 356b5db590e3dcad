"""`python -m bench`: run the benchmarks and write docs/benchmarks.md (see `bench.harness`)."""

from bench.harness import main

raise SystemExit(main())
