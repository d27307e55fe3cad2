"""Tools for developing the tracker that the service itself never runs: the generator of a county's or a
region's made-up partnership (`flask demo generate`, docs/generated-data.md), which `make bench` and the
query-count tests fill their databases with.

It lives beside `tracker/`, not in it, so the wheel ships production code only (pyproject.toml's
`[tool.setuptools.packages.find]`). A checkout of the repository has it, and `tracker.demo.commands`
adds `flask demo generate` to the demo group whenever this package can be imported.
"""
