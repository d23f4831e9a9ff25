"""Every change-log test starts and ends outside any recording: nothing carries over."""

import pytest

from changelog.context import current_recording


@pytest.fixture(autouse=True)
def no_recording_is_left_over():
    assert current_recording() is None
    yield
    assert current_recording() is None
