"""The lab's exception: its message is one sentence a user can act on."""


class LabError(RuntimeError):
    pass
