"""What the oracle raises when the clauses say a call raises, with the exception type the spec names."""

class SpecError(Exception):
    """The clauses say this call raises. `error_type` is the Python exception the spec names."""

    error_type = "Exception"


class SpecValueError(SpecError):
    error_type = "ValueError"


class SpecTypeError(SpecError):
    error_type = "TypeError"
