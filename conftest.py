import signal

pytest_plugins = [
    "lab.pytest_plugin",
    "peerkeeper.testing",
    "core.tests.fixtures",
    "core.tests.api_fixtures",
    "peeringdb.testing",
    "irr.testing",
]


def pytest_configure(config) -> None:
    # The suite checks that Ctrl-C stops commands, servers and the demo. A suite started in
    # the background by a script (`cmd &`, nohup) has SIGINT ignored, and every process it
    # starts would inherit that: give them Ctrl-C as a terminal does.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
