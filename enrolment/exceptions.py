class InvalidTransition(Exception):
    """A state change that the request's state machine does not allow."""

    def __init__(self, obj, to_status, *, from_status=None):
        self.obj = obj
        self.to_status = to_status
        if obj is None:  # a step checked before any object exists (a declaration)
            super().__init__(f"{from_status!r} → {to_status} refusé")
        else:
            super().__init__(f"{type(obj).__name__} {obj.pk}: {obj.status} → {to_status} refusé")
