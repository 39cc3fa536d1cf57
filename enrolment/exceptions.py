class InvalidTransition(Exception):
    """A state change that the request's state machine does not allow."""

    def __init__(self, obj, to_status):
        self.obj = obj
        self.to_status = to_status
        super().__init__(f"{type(obj).__name__} {obj.pk}: {obj.status} → {to_status} refusé")
