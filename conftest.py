pytest_plugins = [
    "lab.pytest_plugin",
    "peerkeeper.testing",
    "core.tests.fixtures",
    "peeringdb.testing",
    "irr.testing",
]
