pytest_plugins = [
    "lab.pytest_plugin",
    "peerkeeper.testing",
    "core.tests.fixtures",
    "core.tests.api_fixtures",
    "peeringdb.testing",
    "irr.testing",
]
